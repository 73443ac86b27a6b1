import Foundation
import Testing

/// A real SMTP server on loopback for a test: `scripts/smtp-sink.py` (Python's aiosmtpd) in its own process,
/// writing every accepted message to a folder. Behaviour (refusals, temporary failures) is set by
/// `control(_:)` while it runs.
final class SMTPSink: @unchecked Sendable {
    enum Mode {
        case plain
        case startTLS
        case implicitTLS
    }

    struct Received {
        var raw: [UInt8]
        var mailFrom: String
        var recipients: [String]
        var tls: Bool
        var login: String?
        var helo: String?
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let directory: URL
    let port: Int
    let mode: Mode
    private let process: Process

    /// Starts the server; `port` reuses a port (a server "coming back"). TLS modes use `TestCertificate`.
    init(mode: Mode = .plain, auth: (user: String, password: String)? = nil, onlyLogin: Bool = false, port: Int = 0, directory: URL? = nil) throws {
        self.mode = mode
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("haven-smtp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        var arguments = ["python3", Self.repository.appendingPathComponent("scripts/smtp-sink.py").path, "--dir", self.directory.path, "--port", "\(port)"]
        switch mode {
        case .plain: break
        case .startTLS: arguments += ["--starttls", try TestCertificate.shared.certificate, try TestCertificate.shared.key]
        case .implicitTLS: arguments += ["--smtps", try TestCertificate.shared.certificate, try TestCertificate.shared.key]
        }
        if let auth { arguments += ["--auth", "\(auth.user):\(auth.password)"] }
        if onlyLogin { arguments.append("--only-login") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        // Its log (TLS handshakes the tests make fail on purpose, tracebacks) goes to a file, read if it does not start.
        let log = self.directory.appendingPathComponent("sink.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        // The first line is "READY <port>" (or nothing if it died: then say why).
        let line = Self.readLine(output.fileHandleForReading)
        guard line.hasPrefix("READY "), let bound = Int(line.dropFirst(6)) else {
            process.terminate()
            let why = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw SinkError(description: "smtp-sink.py did not start (is aiosmtpd installed? pip install aiosmtpd): \(line) \(why.suffix(2000))")
        }
        self.port = bound
    }

    struct SinkError: Error, CustomStringConvertible { var description: String }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        // Not waitUntilExit(): on Linux it spins a run loop that never wakes on Swift concurrency's threads.
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { stop() }

    /// Sets the server's behaviour (see scripts/smtp-sink.py): per-recipient answers, answers to DATA.
    func control(rcpt: [String: String] = [:], data: [String] = [], hangData: Bool = false) throws {
        let json: [String: Any] = ["rcpt": rcpt, "data": data, "hang_data": hangData]
        try JSONSerialization.data(withJSONObject: json).write(to: directory.appendingPathComponent("control.json"), options: .atomic)
    }

    /// The messages accepted so far, oldest first.
    func received() throws -> [Received] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }.sorted()
        return try names.map { name in
            let stem = directory.appendingPathComponent(String(name.dropLast(4)))
            let raw = try [UInt8](Data(contentsOf: stem.appendingPathExtension("eml")))
            let envelope = try JSONSerialization.jsonObject(with: Data(contentsOf: stem.appendingPathExtension("json"))) as! [String: Any]
            return Received(
                raw: raw, mailFrom: envelope["mail_from"] as? String ?? "", recipients: envelope["rcpt_tos"] as? [String] ?? [],
                tls: envelope["tls"] as? Bool ?? false, login: envelope["login"] as? String, helo: envelope["helo"] as? String)
        }
    }

    /// Waits (up to `seconds`) until `count` messages have arrived.
    func waitFor(_ count: Int, seconds: Double = 10) async throws -> [Received] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let messages = try received()
            if messages.count >= count { return messages }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try received()
    }

    private static func readLine(_ handle: FileHandle) -> String {
        var bytes: [UInt8] = []
        while let byte = try? handle.read(upToCount: 1), let first = byte.first, first != 0x0A { bytes.append(first) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A self-signed certificate for `localhost`, made once per test run with openssl, trusted by tests through
/// HAVEN_SMTP_URL's `ca=` parameter (so TLS is verified for real, not switched off).
final class TestCertificate: Sendable {
    let certificate: String
    let key: String

    static let shared = Result { try TestCertificate() }

    private init() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        certificate = directory.appendingPathComponent("cert.pem").path
        key = directory.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw SMTPSink.SinkError(description: "openssl could not make a test certificate") }
    }
}

extension Result where Success == TestCertificate, Failure == any Error {
    var certificate: String { get throws { try get().certificate } }
    var key: String { get throws { try get().key } }
}
