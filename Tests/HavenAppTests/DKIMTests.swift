import Foundation
@testable import HavenApp
import HavenMail
import Testing

/// DKIM signatures checked by an independent verifier (Python's dkimpy), with the public key served as DNS would.
@Suite struct DKIMTests {
    static func makeKey() throws -> (privatePEM: String, publicDER: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-dkim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("key.pem").path
        let pub = directory.appendingPathComponent("pub.der").path
        for arguments in [["genrsa", "-out", key, "2048"], ["rsa", "-in", key, "-pubout", "-outform", "DER", "-out", pub]] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["openssl"] + arguments
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        return (try String(contentsOfFile: key, encoding: .utf8), try Data(contentsOf: URL(fileURLWithPath: pub)).base64EncodedString())
    }

    /// Runs dkimpy's verify on each message with the key as the TXT record; true for each that verifies.
    static func verify(_ messages: [[UInt8]], publicKey: String) throws -> [Bool] {
        let script = """
            import sys, dkim
            record = ("v=DKIM1; k=rsa; p=" + sys.argv[1]).encode()
            for path in sys.argv[2:]:
                data = open(path, "rb").read()
                print(dkim.verify(data, dnsfunc=lambda name, timeout=5: record))
            """
        var paths: [String] = []
        for message in messages {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("haven-dkim-\(UUID().uuidString).eml").path
            try Data(message).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        defer { for path in paths { try? FileManager.default.removeItem(atPath: path) } }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, publicKey] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return text.split(separator: "\n").map { $0 == "True" }
    }

    @Test func signaturesVerifyInEveryLanguageAndBreakWhenTampered() throws {
        let (privatePEM, publicKey) = try Self.makeKey()
        let signer = try DKIMSigner(domain: "haven.test", selector: "s2026", privateKeyPEM: privatePEM)
        var signed: [[UInt8]] = []
        for (subject, text) in [
            ("Re: Can't log in", "Hi Jamie,\n\nWe reset your login.   Trailing spaces   \n\n\n"),
            ("Re: Não consigo sacar", "Olá, Ana!\n\nJá corrigimos a verificação.\n.Uma linha que começa com ponto"),
            ("Re: لا أستطيع الدخول", "مرحبًا سارة،\n\nلقد أعدنا ضبط الدخول إلى حسابك."),
            ("Re: Mon live a été coupé", "Bonjour Élodie,\n\nNous avons rétabli l’accès au live."),
        ] {
            var mail = OutboundMail(
                from: MailAddress(name: "Haven Support", address: "support@haven.test"), to: [MailAddress(name: "Cliente Ñ", address: "c@example.com")],
                subject: subject, text: text, html: "<p>\(text)</p>", messageID: "\(UUID().uuidString)@haven.test", date: Date())
            mail.inReplyTo = "original@example.com"
            mail.references = ["original@example.com"]
            mail.attachments = [.init(filename: "captura de tela.png", contentType: "image/png", data: Array(repeating: 0x89, count: 3000))]
            signed.append(try signer.sign(mail.render()))
        }
        #expect(try Self.verify(signed, publicKey: publicKey) == [true, true, true, true])

        // A changed body or a changed header no longer verifies.
        let original = String(decoding: signed[0], as: UTF8.self)
        #expect(original.contains("login") && original.contains("<c@example.com>"))
        let body = Array(original.replacingOccurrences(of: "login", with: "logon").utf8)
        let header = Array(original.replacingOccurrences(of: "<c@example.com>", with: "<d@example.com>").utf8)
        #expect(try Self.verify([body, header], publicKey: publicKey) == [false, false])
    }

    @Test func canonicalizationFollowsTheRFCExamples() {
        // RFC 6376 §3.4.5.
        #expect(DKIMSigner.relaxedHeader(Array("A: X\r\n".utf8)) == Array("a:X\r\n".utf8))
        #expect(DKIMSigner.relaxedHeader(Array("B : Y\t\r\n\tZ  \r\n".utf8)) == Array("b:Y Z\r\n".utf8))
        #expect(DKIMSigner.relaxedBody(Array(" C \r\nD \t E\r\n\r\n\r\n".utf8)[...]) == Array(" C\r\nD E\r\n".utf8))
        #expect(DKIMSigner.relaxedBody([][...]) == [])
    }

    @Test func aBadKeyIsExplained() {
        #expect(throws: ConfigurationError.self) { try DKIMSigner(domain: "haven.test", selector: "s", privateKeyPEM: "not a key") }
    }
}
