import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// A reply from an SMTP server: a three-digit code and its text lines.
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    var isPositive: Bool { code < 400 }
    var isPermanentFailure: Bool { code >= 500 }
    public var description: String { "\(code) " + lines.joined(separator: " ") }
}

/// Nothing was delivered to anyone: the connection, TLS, authentication or the sender was refused.
public enum SMTPFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Worth retrying later (the server is down, busy, or said 4xx).
    case temporary(String)
    /// Retrying will not help (5xx to the sender or the message).
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason), .permanent(let reason): reason
        }
    }
}

/// What happened to each recipient of one message.
public struct SMTPDelivery: Sendable, Equatable {
    public var accepted: [String] = []
    /// Recipients to retry later, with the server's reason (4xx).
    public var deferred: [String: String] = [:]
    /// Recipients refused for good, with the server's reason (5xx).
    public var rejected: [String: String] = [:]
}

/// Hands messages to an SMTP server (RFC 5321) on SwiftNIO: implicit TLS or STARTTLS (RFC 3207) with
/// swift-nio-ssl, AUTH PLAIN or LOGIN (RFC 4954), a timeout on the connection and on every reply, and an
/// answer per recipient, so a 4xx is retried and a 5xx is reported. One connection per message: Haven
/// sends a few messages a second at most, and a fresh connection never carries a half-finished transaction.
public struct SMTPClient: Sendable {
    public let configuration: SMTPConfiguration
    private let tls: NIOSSLContext?

    public init(_ configuration: SMTPConfiguration) throws {
        self.configuration = configuration
        if configuration.security == .none {
            tls = nil
        } else {
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            if !configuration.verifyCertificates { tlsConfiguration.certificateVerification = .none }
            if let caFile = configuration.caFile { tlsConfiguration.additionalTrustRoots = [.file(caFile)] }
            tls = try NIOSSLContext(configuration: tlsConfiguration)
        }
    }

    /// Sends one message. Throws `SMTPFailure` when nobody got it; otherwise says what happened to each recipient.
    public func send(_ message: [UInt8], from sender: String, to recipients: [String]) async throws(SMTPFailure) -> SMTPDelivery {
        let connection: SMTPConnection
        do {
            connection = try await SMTPConnection.open(configuration, tls: tls)
        } catch {
            throw .temporary("Could not connect to \(configuration.host):\(configuration.port): \(Self.describe(error))")
        }
        do {
            let delivery = try await transaction(message, from: sender, to: recipients, on: connection)
            _ = try? await connection.command("QUIT")
            await connection.close()
            return delivery
        } catch let failure as SMTPFailure {
            await connection.close()
            throw failure
        } catch {
            await connection.close()
            throw .temporary("The connection to \(configuration.host):\(configuration.port) failed: \(Self.describe(error))")
        }
    }

    private func transaction(_ message: [UInt8], from sender: String, to recipients: [String], on connection: SMTPConnection) async throws -> SMTPDelivery {
        let greeting = try await connection.reply()
        guard greeting.code == 220 else { throw SMTPFailure.temporary("The server did not greet: \(greeting)") }
        var extensions = try await hello(on: connection)
        if configuration.security == .startTLS || configuration.security == .opportunistic {
            if extensions.contains("STARTTLS"), let tls {
                let reply = try await connection.command("STARTTLS")
                guard reply.code == 220 else { throw SMTPFailure.temporary("STARTTLS was refused: \(reply)") }
                try await connection.startTLS(tls, serverHostname: configuration.host)
                extensions = try await hello(on: connection)
            } else if configuration.security == .startTLS {
                throw SMTPFailure.temporary("\(configuration.host) does not offer STARTTLS, which HAVEN_SMTP_URL requires; nothing was sent in the clear.")
            }
        }
        if let username = configuration.username {
            guard connection.isEncrypted else { throw SMTPFailure.temporary("Not sending credentials over an unencrypted connection.") }
            try await authenticate(username, configuration.password ?? "", offered: extensions, on: connection)
        }

        let mail = try await connection.command("MAIL FROM:<\(sender)>")
        guard mail.isPositive else {
            throw mail.isPermanentFailure ? SMTPFailure.permanent("The sender was refused: \(mail)") : SMTPFailure.temporary("The sender was refused for now: \(mail)")
        }
        var delivery = SMTPDelivery()
        for recipient in recipients {
            let reply = try await connection.command("RCPT TO:<\(recipient)>")
            if reply.isPositive { delivery.accepted.append(recipient) }
            else if reply.isPermanentFailure { delivery.rejected[recipient] = reply.description }
            else { delivery.deferred[recipient] = reply.description }
        }
        guard !delivery.accepted.isEmpty else {
            _ = try? await connection.command("RSET")
            return delivery
        }
        let data = try await connection.command("DATA")
        if data.code != 354 {
            try settle(&delivery, failedWith: data)
            return delivery
        }
        let end = try await connection.send(Self.dotStuffed(message), timeout: configuration.dataTimeout)
        if !end.isPositive { try settle(&delivery, failedWith: end) }
        return delivery
    }

    /// A refusal of the whole message applies to every recipient that had been accepted.
    private func settle(_ delivery: inout SMTPDelivery, failedWith reply: SMTPReply) throws {
        for recipient in delivery.accepted {
            if reply.isPermanentFailure { delivery.rejected[recipient] = reply.description } else { delivery.deferred[recipient] = reply.description }
        }
        delivery.accepted = []
    }

    /// EHLO (HELO for servers too old for it); the extension keywords offered, upper-cased.
    private func hello(on connection: SMTPConnection) async throws -> Set<String> {
        let name = configuration.heloName ?? "localhost"
        let ehlo = try await connection.command("EHLO \(name)")
        if ehlo.code == 250 {
            return Set(ehlo.lines.dropFirst().map { $0.uppercased() })
        }
        let helo = try await connection.command("HELO \(name)")
        guard helo.code == 250 else { throw SMTPFailure.temporary("The server refused our greeting: \(helo)") }
        return []
    }

    private func authenticate(_ username: String, _ password: String, offered: Set<String>, on connection: SMTPConnection) async throws {
        let mechanisms = Set(offered.filter { $0.hasPrefix("AUTH ") || $0.hasPrefix("AUTH=") }.flatMap { $0.dropFirst(5).split(separator: " ").map(String.init) })
        let reply: SMTPReply
        if mechanisms.contains("PLAIN") || !mechanisms.contains("LOGIN") {
            reply = try await connection.command("AUTH PLAIN " + Data("\0\(username)\0\(password)".utf8).base64EncodedString())
        } else {
            let start = try await connection.command("AUTH LOGIN")
            guard start.code == 334 else { throw SMTPFailure.temporary("AUTH LOGIN was refused: \(start)") }
            let user = try await connection.command(Data(username.utf8).base64EncodedString())
            guard user.code == 334 else { throw SMTPFailure.temporary("AUTH LOGIN refused the user name: \(user)") }
            reply = try await connection.command(Data(password.utf8).base64EncodedString())
        }
        // Like Postfix's smtp_sasl_auth_soft_bounce: a refused login is retried, so fixing the password delivers the mail.
        guard reply.code == 235 else { throw SMTPFailure.temporary("The SMTP server refused Haven's login (check HAVEN_SMTP_URL's user and password): \(reply)") }
    }

    /// The message as DATA carries it: CRLF line endings, lines starting with "." doubled, ending in CRLF.CRLF.
    static func dotStuffed(_ message: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(message.count + message.count / 64 + 5)
        var lineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if lineStart, byte == UInt8(ascii: ".") { out.append(byte) }
            if byte == 0x0A {
                if out.last != 0x0D { out.append(0x0D) }
                out.append(0x0A)
                lineStart = true
            } else {
                out.append(byte)
                lineStart = false
            }
            index += 1
        }
        if !lineStart { out += [0x0D, 0x0A] }
        out += Array(".\r\n".utf8)
        return out
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let failure as SMTPFailure: failure.description
        case let connection as SMTPConnection.Failure: connection.description
        case let tls as NIOSSLError: "TLS failed (\(tls))"
        case let tls as BoringSSLError: "TLS failed (\(tls))"
        default: "\(error)"
        }
    }
}

/// One SMTP connection: commands out, replies in, each reply awaited with a deadline.
final class SMTPConnection: Sendable {
    enum Failure: Error, CustomStringConvertible {
        case timedOut(Double)
        case closed
        case malformed(String)
        var description: String {
            switch self {
            case .timedOut(let seconds): "no answer within \(Int(seconds)) s"
            case .closed: "the server closed the connection"
            case .malformed(let line): "the server's answer is not SMTP: \(line.prefix(80))"
            }
        }
    }

    let channel: any Channel
    let replies: SMTPReplyReader
    let timeout: Double
    private let encrypted: NIOLockedValueBox<Bool>

    var isEncrypted: Bool { encrypted.withLockedValue { $0 } }

    private init(channel: any Channel, replies: SMTPReplyReader, timeout: Double, encrypted: Bool) {
        self.channel = channel
        self.replies = replies
        self.timeout = timeout
        self.encrypted = NIOLockedValueBox(encrypted)
    }

    static func open(_ configuration: SMTPConfiguration, tls: NIOSSLContext?) async throws -> SMTPConnection {
        let reader = SMTPReplyReader()
        let implicit = configuration.security == .implicitTLS
        let hostname = Self.sniName(configuration.host)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(configuration.timeout * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicit, let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tls, serverHostname: hostname)) }
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
            .connect(host: configuration.host, port: configuration.port).get()
        return SMTPConnection(channel: channel, replies: reader, timeout: configuration.timeout, encrypted: implicit)
    }

    /// The next reply the server sends.
    func reply(timeout: Double? = nil) async throws -> SMTPReply {
        let seconds = timeout ?? self.timeout
        let reader = replies
        return try await channel.eventLoop.flatSubmit { reader.next(timeout: seconds) }.get()
    }

    func command(_ line: String) async throws -> SMTPReply {
        try await send(Array((line + "\r\n").utf8), timeout: timeout)
    }

    /// Writes bytes and waits for the reply to them.
    func send(_ bytes: [UInt8], timeout: Double) async throws -> SMTPReply {
        // A reply that arrives before anyone waits for it is kept by the reader.
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        return try await reply(timeout: timeout)
    }

    /// Inserts TLS below the reply reader, after the server said 220 to STARTTLS.
    func startTLS(_ context: NIOSSLContext, serverHostname: String) async throws {
        let hostname = Self.sniName(serverHostname)
        try await channel.eventLoop.submit { [channel] in
            try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: hostname), position: .first)
        }.get()
        encrypted.withLockedValue { $0 = true }
    }

    func close() async {
        try? await channel.close()
    }

    /// TLS server names are host names, never IP addresses (RFC 6066 §3).
    static func sniName(_ host: String) -> String? {
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
    }
}

/// Reassembles SMTP replies (multi-line "250-…" up to "250 …") and hands each to the one waiting for it.
/// Used only on its channel's event loop (hence `@unchecked Sendable`).
final class SMTPReplyReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private var buffer = ByteBuffer()
    private var lines: [String] = []
    private var ready: [Result<SMTPReply, any Error>] = []
    private var waiter: (promise: EventLoopPromise<SMTPReply>, deadline: Scheduled<Void>)?
    private var ended: (any Error)?
    private var context: ChannelHandlerContext?
    static let maxLine = 8_192

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func next(timeout: Double) -> EventLoopFuture<SMTPReply> {
        guard let context else { return MultiThreadedEventLoopGroup.singleton.any().makeFailedFuture(SMTPConnection.Failure.closed) }
        if !ready.isEmpty { return context.eventLoop.makeCompletedFuture(ready.removeFirst()) }
        if let ended { return context.eventLoop.makeFailedFuture(ended) }
        let promise = context.eventLoop.makePromise(of: SMTPReply.self)
        let deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeout * 1000))) { [self] in
            fail(SMTPConnection.Failure.timedOut(timeout))
            self.context?.close(promise: nil)
        }
        waiter = (promise, deadline)
        return promise.futureResult
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
        while let newline = buffer.readableBytesView.firstIndex(of: 0x0A) {
            var line = buffer.readString(length: newline - buffer.readerIndex) ?? ""
            buffer.moveReaderIndex(forwardBy: 1)
            if line.hasSuffix("\r") { line.removeLast() }
            take(line)
        }
        if buffer.readableBytes > Self.maxLine {
            fail(SMTPConnection.Failure.malformed("a line longer than \(Self.maxLine) bytes"))
            context.close(promise: nil)
        }
        buffer.discardReadBytes()
    }

    private func take(_ line: String) {
        let bytes = Array(line.utf8)
        guard bytes.count >= 3, bytes[0...2].allSatisfy({ (0x30...0x39).contains($0) }), let code = Int(line.prefix(3)),
              bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
        else {
            fail(SMTPConnection.Failure.malformed(line))
            context?.close(promise: nil)
            return
        }
        lines.append(bytes.count > 4 ? String(line.dropFirst(4)) : "")
        if bytes.count > 3, bytes[3] == UInt8(ascii: "-") { return }
        deliver(.success(SMTPReply(code: code, lines: lines)))
        lines = []
    }

    private func deliver(_ result: Result<SMTPReply, any Error>) {
        if let waiter {
            self.waiter = nil
            waiter.deadline.cancel()
            waiter.promise.completeWith(result)
        } else {
            ready.append(result)
        }
    }

    private func fail(_ error: any Error) {
        if ended == nil { ended = error }
        if let waiter {
            self.waiter = nil
            waiter.deadline.cancel()
            waiter.promise.fail(error)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(SMTPConnection.Failure.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }
}
