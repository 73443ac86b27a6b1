import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The LMTP conversation (RFC 2033) as a state machine without I/O: lines in, replies and deliveries out.
/// LMTP is SMTP for local delivery, with one difference that matters: after DATA the server answers once per
/// recipient, so the MTA knows exactly which deliveries to retry.
struct LMTPSession {
    enum Action: Equatable {
        case reply(String)
        case deliver(message: [UInt8], recipients: [String])
        case close(String)
    }

    let hostname: String
    let maxMessageBytes: Int
    static let maxRecipients = 100

    private var greeted = false
    private var sender: String?
    private var recipients: [String] = []
    private var inData = false
    private var data: [UInt8] = []
    private var tooBig = false

    init(hostname: String, maxMessageBytes: Int) {
        self.hostname = hostname
        self.maxMessageBytes = maxMessageBytes
    }

    var greeting: String { "220 \(hostname) Haven LMTP ready" }
    var isReadingData: Bool { inData }

    /// One line without its CRLF.
    mutating func receive(_ line: ArraySlice<UInt8>) -> Action? {
        inData ? receiveData(line) : receiveCommand(String(decoding: line, as: UTF8.self))
    }

    private mutating func receiveData(_ line: ArraySlice<UInt8>) -> Action? {
        if line.elementsEqual([UInt8(ascii: ".")]) {
            inData = false
            defer { resetTransaction() }
            if tooBig {
                return .reply(recipients.map { _ in "552 5.3.4 Message too big: the limit is \(maxMessageBytes) bytes" }.joined(separator: "\r\n"))
            }
            return .deliver(message: data, recipients: recipients)
        }
        // Dot-stuffing (RFC 5321 §4.5.2): a line that starts with "." had one added by the sender.
        let content = line.first == UInt8(ascii: ".") ? line.dropFirst() : line
        if data.count + content.count + 2 > maxMessageBytes { tooBig = true }
        if !tooBig {
            data.append(contentsOf: content)
            data.append(contentsOf: [0x0D, 0x0A])
        }
        return nil
    }

    private mutating func receiveCommand(_ line: String) -> Action? {
        let verb = line.prefix { $0 != " " }.uppercased()
        let argument = line.dropFirst(verb.count).trimmingCharacters(in: .whitespaces)
        switch verb {
        case "LHLO":
            greeted = true
            resetTransaction()
            return .reply("250-\(hostname)\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE \(maxMessageBytes)")
        case "HELO", "EHLO":
            return .reply("500 5.5.1 This is LMTP: greet with LHLO")
        case "MAIL":
            guard greeted else { return .reply("503 5.5.1 Say LHLO first") }
            guard sender == nil else { return .reply("503 5.5.1 Sender already given; RSET to start over") }
            guard argument.uppercased().hasPrefix("FROM:"), let address = Self.path(argument.dropFirst(5)) else {
                return .reply("501 5.5.4 Syntax: MAIL FROM:<address>")
            }
            if let size = Self.sizeParameter(argument), size > maxMessageBytes {
                return .reply("552 5.3.4 Message too big: the limit is \(maxMessageBytes) bytes")
            }
            sender = address
            return .reply("250 2.1.0 Sender OK")
        case "RCPT":
            guard sender != nil else { return .reply("503 5.5.1 MAIL FROM first") }
            guard argument.uppercased().hasPrefix("TO:"), let address = Self.path(argument.dropFirst(3)), !address.isEmpty else {
                return .reply("501 5.5.4 Syntax: RCPT TO:<address>")
            }
            guard recipients.count < Self.maxRecipients else { return .reply("452 4.5.3 Too many recipients") }
            recipients.append(address)
            return .reply("250 2.1.5 Recipient OK")
        case "DATA":
            guard !recipients.isEmpty else { return .reply("503 5.5.1 RCPT TO first") }
            inData = true
            data = []
            tooBig = false
            return .reply("354 End data with <CR><LF>.<CR><LF>")
        case "RSET":
            resetTransaction()
            return .reply("250 2.0.0 OK")
        case "NOOP":
            return .reply("250 2.0.0 OK")
        case "VRFY":
            return .reply("252 2.5.0 Cannot verify; send the mail")
        case "QUIT":
            return .close("221 2.0.0 Bye")
        default:
            return .reply("500 5.5.2 Unknown command")
        }
    }

    private mutating func resetTransaction() {
        sender = nil
        recipients = []
        data = []
        tooBig = false
    }

    /// The address in `<...>` (empty for the null sender `<>`), nil when malformed.
    static func path(_ text: Substring) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("<"), let close = trimmed.firstIndex(of: ">") else { return nil }
        return String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
    }

    static func sizeParameter(_ argument: String) -> Int? {
        argument.split(separator: " ").first { $0.uppercased().hasPrefix("SIZE=") }.flatMap { Int($0.dropFirst(5)) }
    }
}

/// `haven serve --lmtp host:port`: an LMTP listener Postfix (or any MTA) delivers to. Each message goes
/// through `MailIntake` and each recipient gets its own answer: 250 stored, 451 try again (database
/// unavailable), 552 refused for good. A message is acknowledged only after it is committed.
public struct LMTPServer: Service {
    let host: String
    let port: Int
    let intake: MailIntake
    let queue: String?
    let logger: Logger
    let onBound: @Sendable (Int) -> Void

    public init(host: String, port: Int, intake: MailIntake, queue: String? = nil, logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.host = host
        self.port = port
        self.intake = intake
        self.queue = queue
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let bound = server.channel.localAddress?.port ?? port
        logger.info("LMTP listening", metadata: ["address": "\(host):\(bound)"])
        onBound(bound)
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        }
    }

    func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var session = LMTPSession(hostname: "haven", maxMessageBytes: intake.configuration.maxMessageBytes)
                try await outbound.write(ByteBuffer(string: session.greeting + "\r\n"))
                var buffer = ByteBuffer()
                for try await chunk in inbound {
                    buffer.writeImmutableBuffer(chunk)
                    while let line = Self.readLine(&buffer) {
                        guard let action = session.receive(line[...]) else { continue }
                        switch action {
                        case .reply(let text):
                            try await outbound.write(ByteBuffer(string: text + "\r\n"))
                        case .close(let text):
                            try await outbound.write(ByteBuffer(string: text + "\r\n"))
                            return
                        case .deliver(let message, let recipients):
                            let reply = await deliver(message, recipients: recipients)
                            try await outbound.write(ByteBuffer(string: reply + "\r\n"))
                        }
                    }
                    if !session.isReadingData, buffer.readableBytes > 4_096 {
                        try await outbound.write(ByteBuffer(string: "500 5.5.2 Line too long\r\n"))
                        return
                    }
                }
            }
        } catch {
            logger.debug("LMTP connection ended", metadata: ["error": "\(error)"])
        }
    }

    /// One reply line per recipient (RFC 2033 §4.2). The message is stored once for all of them.
    func deliver(_ message: [UInt8], recipients: [String]) async -> String {
        let reply: String
        do {
            let result = try await intake.ingest(message, queue: queue, source: "lmtp", envelopeRecipients: recipients)
            let what = result.ticketNumber.map { "ticket #\($0)" } ?? result.outcome.rawValue
            reply = "250 2.0.0 Delivered (\(result.outcome.rawValue), \(what))"
        } catch let rejected as MailRejected {
            reply = "552 5.3.4 \(rejected.reason)"
        } catch {
            logger.error("LMTP delivery failed; the MTA will retry", metadata: ["error": "\(error)"])
            reply = "451 4.3.0 Temporary failure, try again later"
        }
        return recipients.map { _ in reply }.joined(separator: "\r\n")
    }

    /// The next line without its CRLF (or bare LF), if a whole line is buffered.
    static func readLine(_ buffer: inout ByteBuffer) -> [UInt8]? {
        guard let newline = buffer.readableBytesView.firstIndex(of: 0x0A) else { return nil }
        let length = newline - buffer.readerIndex
        var line = buffer.readBytes(length: length) ?? []
        buffer.moveReaderIndex(forwardBy: 1)
        if line.last == 0x0D { line.removeLast() }
        return line
    }
}
