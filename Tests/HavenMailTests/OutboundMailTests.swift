import Foundation
import HavenMail
import Testing

@Suite struct OutboundMailTests {
    static let texts = [
        ("en", "Hi Ana,\n\nThanks for writing to us. We have reset your password.\n-- \nHaven Support"),
        ("pt-BR", "Olá, Ana!\n\nRecebemos seu pedido e já estamos cuidando da sua conta. Não precisa responder.\n"),
        ("ar", "مرحبًا أنا،\n\nشكرًا لتواصلك معنا. تمت إعادة تعيين كلمة المرور الخاصة بك.\n"),
        ("fr", "Bonjour Ana,\n\nMerci de nous avoir écrit. Votre compte a été rétabli. À bientôt !\n"),
    ]

    func sample(_ text: String, subject: String = "Re: Minha conta foi hackeada — ação necessária [#1234]") -> OutboundMail {
        var mail = OutboundMail(
            from: MailAddress(name: "Suporte, Haven", address: "support@haven.example"),
            to: [MailAddress(name: "Ana Lima Çarvalho", address: "ana@example.org")],
            subject: subject, text: text, html: "<p dir=\"auto\">" + text.replacingOccurrences(of: "\n", with: "<br>") + "</p>",
            messageID: "t1234.m5@haven.example", date: Date(timeIntervalSince1970: 1_795_000_000))
        mail.replyTo = MailAddress(name: "Haven", address: "support+t1234.0123456789ab@haven.example")
        mail.inReplyTo = "CAF=abc@mail.gmail.com"
        mail.references = ["first@example.org", "CAF=abc@mail.gmail.com"]
        mail.attachments = [OutboundMail.Attachment(filename: "relatório de março.pdf", contentType: "application/pdf", data: Array(0...255) + Array(repeating: 0x41, count: 300))]
        return mail
    }

    @Test func headersThreadingAndTextSurviveOurOwnParser() {
        for (_, text) in Self.texts {
            let mail = sample(text)
            let parsed = InboundMail(parsing: mail.render())
            #expect(parsed.subject == mail.subject)
            #expect(parsed.messageID == "t1234.m5@haven.example")
            #expect(parsed.inReplyTo == ["CAF=abc@mail.gmail.com"])
            #expect(parsed.references == ["first@example.org", "CAF=abc@mail.gmail.com"])
            #expect(parsed.from == MailAddress(name: "Suporte, Haven", address: "support@haven.example"))
            #expect(parsed.to == [MailAddress(name: "Ana Lima Çarvalho", address: "ana@example.org")])
            #expect(parsed.replyTo.map(\.address) == ["support+t1234.0123456789ab@haven.example"])
            #expect(parsed.date == Date(timeIntervalSince1970: 1_795_000_000))
            #expect(parsed.text.trimmingCharacters(in: .whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(parsed.attachments.map(\.filename) == ["relatório de março.pdf"])
            #expect(parsed.attachments.first?.data == mail.attachments[0].data)
            #expect(parsed.automatic == nil)
        }
    }

    @Test func automaticMailSaysSo() {
        var mail = sample("We got your message.", subject: "We received your request [#1234]")
        mail.automatic = true
        mail.attachments = []
        let raw = mail.render()
        let parsed = InboundMail(parsing: raw)
        #expect(parsed.automatic == .autoReply)
        #expect(parsed.headers.text("Auto-Submitted") == "auto-replied")
        #expect(parsed.headers.text("Content-Type")?.hasPrefix("multipart/alternative") == true)
    }

    @Test func linesStayShortAndEndInCRLF() {
        let long = String(repeating: "Uma linha muito comprida com acentuação — e travessões — ", count: 20) + "fim. \n.começa com ponto\nFrom the start"
        let raw = sample(long).render()
        let lines = raw.split(separator: 10, omittingEmptySubsequences: false)
        for line in lines.dropLast() {
            #expect(line.last == 13, "every line ends in CRLF")
            #expect(line.count <= 78 + 1, "too long: \(String(decoding: line, as: UTF8.self))")
        }
        #expect(!raw.contains(where: { $0 >= 0x80 }), "7-bit clean: every transport carries it unchanged")
        #expect(InboundMail(parsing: raw).text.trimmingCharacters(in: .whitespacesAndNewlines) == long.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test func datesAreRFC5322() {
        #expect(MailDate.format(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 1_795_000_000)) == "Wed, 18 Nov 2026 11:06:40 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 951_782_400)) == "Tue, 29 Feb 2000 00:00:00 +0000")
    }

    /// Python's `email` package, as mail clients parse, reads the same headers, threading and text in all four languages.
    @Test func pythonsEmailParserReadsEveryLanguage() async throws {
        let script = """
            import sys, json, email
            from email import policy
            out = []
            for path in sys.argv[1:]:
                m = email.message_from_bytes(open(path, 'rb').read(), policy=policy.default)
                body = m.get_body(preferencelist=('plain',))
                html = m.get_body(preferencelist=('html',))
                atts = [(a.get_filename(), len(a.get_content())) for a in m.iter_attachments()]
                out.append({'subject': str(m['subject']), 'from': str(m['from']), 'to': str(m['to']), 'reply_to': str(m['reply-to']),
                            'message_id': str(m['message-id']), 'in_reply_to': str(m['in-reply-to']), 'references': str(m['references']),
                            'text': body.get_content(), 'html': html.get_content(), 'attachments': atts, 'defects': len(m.defects)})
            print(json.dumps(out))
            """
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("haven-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var paths: [String] = []
        for (language, text) in Self.texts {
            let path = folder.appendingPathComponent("\(language).eml").path
            try Data(sample(text).render()).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = try await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(results.count == 4)
        for (result, (_, text)) in zip(results, Self.texts) {
            #expect(result["subject"] as? String == "Re: Minha conta foi hackeada — ação necessária [#1234]")
            #expect(result["from"] as? String == "\"Suporte, Haven\" <support@haven.example>")
            #expect(result["to"] as? String == "Ana Lima Çarvalho <ana@example.org>")
            #expect(result["reply_to"] as? String == "Haven <support+t1234.0123456789ab@haven.example>")
            #expect(result["message_id"] as? String == "<t1234.m5@haven.example>")
            #expect(result["in_reply_to"] as? String == "<CAF=abc@mail.gmail.com>")
            #expect(result["references"] as? String == "<first@example.org> <CAF=abc@mail.gmail.com>")
            // Text ends with a line break on the wire.
            #expect((result["text"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == (text.hasSuffix("\n") ? text : text + "\n"))
            #expect((result["html"] as? String)?.contains(text.components(separatedBy: "\n")[0]) == true)
            #expect((result["attachments"] as? [[Any]])?.first?.first as? String == "relatório de março.pdf")
            #expect(result["defects"] as? Int == 0)
        }
    }
}
