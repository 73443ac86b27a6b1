import Foundation
import HavenApp
import HavenCore
import HavenMail
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// Email out end to end: mail in, acknowledgement and agent reply out through the outbox to a real SMTP server
/// (aiosmtpd on loopback), read back with Python's email parser; and the outbox's promises when the server is
/// down, says 4xx or 5xx, or Haven dies between the commit and the send. On SQLite and on PostgreSQL.
@Suite(.serialized) struct MailOutTests {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 5000)
    static func mailOut(port: Int) throws -> MailOutConfiguration {
        var configuration = MailOutConfiguration(
            smtp: try SMTPConfiguration(url: "smtp://127.0.0.1:\(port)?starttls=off&timeout=5"),
            from: MailAddress(name: "Haven Support", address: "support@haven.test"))
        configuration.retry = RetryPolicy(baseDelay: 60, maxDelay: 15 * 60, giveUpAfter: 48 * 3600)
        return configuration
    }

    /// A customer's email, as the MTA delivers it.
    static func inbound(from: String, name: String, subject: String, body: String, messageID: String) -> [UInt8] {
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        return Array("""
            From: \(name) <\(from)>\r
            To: support@haven.test\r
            Subject: \(encodedSubject)\r
            Message-ID: <\(messageID)>\r
            Date: Sat, 21 Nov 2026 10:00:00 +0000\r
            MIME-Version: 1.0\r
            Content-Type: text/plain; charset=utf-8\r
            Content-Transfer-Encoding: 8bit\r
            \r
            \(body)\r
            """.utf8)
    }

    /// What Python's email parser makes of each message.
    static func readWithPython(_ messages: [SMTPSink.Received]) throws -> [[String: Any]] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-read-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (index, message) in messages.enumerated() {
            let path = directory.appendingPathComponent("\(index).eml").path
            try Data(message.raw).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", SMTPSink.repository.appendingPathComponent("scripts/read-mail.py").path] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
    }

    func reply(_ client: some TestClientProtocol, _ auth: SignedIn, ticket: Int, _ body: String, status: String? = nil, attachments: [String] = []) async throws {
        var payload: [String: Any] = ["body": body, "visibility": "public"]
        if let status { payload["status"] = status }
        if !attachments.isEmpty { payload["attachment_ids"] = attachments }
        try await client.execute(uri: "/api/v1/tickets/\(ticket)/messages", method: .post, headers: auth.header, body: json(payload)) { response in
            #expect(response.status == .created, "body: \(String(buffer: response.body))")
        }
    }

    func ticket(_ client: some TestClientProtocol, _ auth: SignedIn, _ number: Int) async throws -> [String: Any] {
        try await client.execute(uri: "/api/v1/tickets/\(number)", method: .get, headers: auth.header) { try object($0) }
    }

    struct Language {
        var tag: String
        var name: String
        var subject: String
        var body: String
        /// A phrase of the acknowledgement in this language.
        var acknowledgement: String
        var reply: String
        var direction: String
    }

    static let languages = [
        Language(tag: "en", name: "Jamie Fox", subject: "I can't log in to my account", body: "Hello, since yesterday I can't log in to my account, it says my password is wrong but I did not change it. Can you help me please?",
                 acknowledgement: "Thank you for reaching out", reply: "Thanks Jamie, I have reset the login for your account.", direction: "ltr"),
        Language(tag: "pt-BR", name: "Ana Lúcia", subject: "Não consigo sacar meus ganhos", body: "Olá, não consigo sacar os meus ganhos da LIVE desde ontem, aparece um erro de verificação. Vocês podem me ajudar, por favor? Obrigada!",
                 acknowledgement: "Obrigado por entrar em contato", reply: "Olá, Ana! Já corrigimos a verificação da sua conta, você já pode sacar.", direction: "ltr"),
        Language(tag: "ar", name: "سارة", subject: "لا أستطيع الدخول إلى حسابي", body: "مرحبا، لا أستطيع الدخول إلى حسابي منذ أمس، يظهر لي أن كلمة المرور خاطئة. هل يمكنكم مساعدتي من فضلكم؟ شكرا لكم",
                 acknowledgement: "شكرًا لتواصلك معنا", reply: "مرحبًا سارة، لقد أعدنا ضبط الدخول إلى حسابك.", direction: "rtl"),
        Language(tag: "fr", name: "Élodie", subject: "Mon live a été coupé", body: "Bonjour, mon live a été coupé hier soir sans raison et je ne peux plus relancer de live depuis. Pouvez-vous m'aider s'il vous plaît ? Merci beaucoup",
                 acknowledgement: "Merci de nous avoir contactés", reply: "Bonjour Élodie, nous avons rétabli l’accès au live sur votre compte.", direction: "ltr"),
    ]

    @Test func acknowledgementAndReplyThreadInEveryLanguage() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withApp(mailOut: try Self.mailOut(port: sink.port)) { app, client in
            let worker = try #require(app.services.outboxWorker)
            var numbers: [Int] = []
            for (index, language) in Self.languages.enumerated() {
                let raw = Self.inbound(from: "customer\(index)@example.com", name: language.name, subject: language.subject, body: language.body,
                                       messageID: "original-\(index)@example.com")
                let result = try await app.services.mailIntake.ingest(raw, queue: nil, source: "test")
                #expect(result.acknowledge)
                numbers.append(try #require(result.ticketNumber))
            }
            #expect(try await worker.runOnce() == 4)
            // The Portuguese reply carries a screenshot with a non-ASCII name.
            var upload = app.admin.header
            upload[.contentType] = "image/png"
            let file = try await client.execute(uri: "/api/v1/attachments?filename=comprovante%20a%C3%A7%C3%A3o.png", method: .post, headers: upload,
                                                body: ByteBuffer(bytes: png)) { try object($0) }
            let fileID = try #require(file["id"] as? String)
            for (index, language) in Self.languages.enumerated() {
                try await reply(client, app.admin, ticket: numbers[index], language.reply, attachments: index == 1 ? [fileID] : [])
            }
            #expect(try await worker.runOnce() == 4)
            #expect(try await worker.runOnce() == 0)

            let received = try sink.received()
            try #require(received.count == 8)
            // Greets with the sender's domain (relays often refuse a name without a dot).
            #expect(received.allSatisfy { $0.helo == "haven.test" && $0.mailFrom == "support@haven.test" })
            let parsed = try Self.readWithPython(received)
            for (index, language) in Self.languages.enumerated() {
                let acknowledgement = try #require(parsed.first { ($0["headers"] as? [String: String])?["to"]?.contains("customer\(index)@") == true })
                let answer = try #require(parsed.last { ($0["headers"] as? [String: String])?["to"]?.contains("customer\(index)@") == true })
                for mail in [acknowledgement, answer] {
                    let headers = mail["headers"] as! [String: String]
                    #expect((mail["defects"] as? [String])?.isEmpty == true, "\(language.tag): \(mail["defects"] ?? [])")
                    #expect((mail["longest_line"] as? Int ?? 999) <= 78 + 2)
                    #expect(headers["subject"] == "Re: \(language.subject)")
                    #expect(headers["in-reply-to"] == "<original-\(index)@example.com>")
                    #expect(headers["references"]?.hasPrefix("<original-\(index)@example.com>") == true)
                    #expect(headers["from"] == "Haven Support <support@haven.test>")
                    #expect(headers["reply-to"]?.contains("support+t\(numbers[index]).") == true, "\(headers["reply-to"] ?? "")")
                    #expect(headers["message-id"]?.hasSuffix("@haven.test>") == true)
                    #expect((mail["html"] as? String)?.contains("dir=\"\(language.direction)\"") == true)
                }
                let ackText = acknowledgement["text"] as? String ?? ""
                #expect(ackText.contains(language.acknowledgement), "\(language.tag): \(ackText)")
                #expect(ackText.contains("#\(numbers[index])"))
                #expect(ackText.contains(language.name))
                #expect((acknowledgement["headers"] as! [String: String])["auto-submitted"] == "auto-replied")
                #expect((answer["text"] as? String)?.contains(language.reply) == true)
                let files = answer["attachments"] as? [[String: Any]] ?? []
                #expect(files.map { $0["filename"] as? String } == (index == 1 ? ["comprovante ação.png"] : []))
                #expect(files.map { $0["size"] as? Int } == (index == 1 ? [png.count] : []))
                #expect((answer["headers"] as! [String: String])["auto-submitted"] == nil)
                // The reply's References carry the acknowledgement too: the whole conversation, oldest first.
                let ackID = (acknowledgement["headers"] as! [String: String])["message-id"]!
                #expect((answer["headers"] as! [String: String])["references"]?.contains(ackID) == true)
            }

            // The message shows its email as sent, and the customer's answer to it threads into the same ticket.
            let shown = try await ticket(client, app.admin, numbers[1])
            let messages = try #require(shown["messages"] as? [[String: Any]])
            let email = try #require(messages.last?["email"] as? [String: Any])
            #expect(email["status"] as? String == "sent")
            #expect(email["recipient"] as? String == "customer1@example.com")
            let replyID = try #require(email["message_id"] as? String)
            var answer = Self.inbound(from: "customer1@example.com", name: "Ana Lúcia", subject: "Re: Não consigo sacar meus ganhos",
                                      body: "Funcionou, muito obrigada!", messageID: "answer-1@example.com")
            answer = Array(String(decoding: answer, as: UTF8.self).replacingOccurrences(of: "MIME-Version", with: "In-Reply-To: <\(replyID)>\r\nMIME-Version").utf8)
            let threaded = try await app.services.mailIntake.ingest(answer, queue: nil, source: "test")
            #expect(threaded.outcome == .appended)
            #expect(threaded.ticketNumber == numbers[1])
        }
    }

    /// Sends one reply on a new email ticket and returns the ticket's number (the acknowledgement is sent first).
    func emailTicketWithReply(_ app: TestApp, _ client: some TestClientProtocol, acknowledged worker: OutboxWorker) async throws -> Int {
        let raw = Self.inbound(from: "ana@example.com", name: "Ana", subject: "Conta bloqueada", body: "Olá, minha conta foi bloqueada sem motivo, podem verificar?",
                               messageID: "blocked-\(UUID().uuidString)@example.com")
        let number = try #require(try await app.services.mailIntake.ingest(raw, queue: nil, source: "test").ticketNumber)
        try await reply(client, app.admin, ticket: number, "Olá, Ana! Sua conta foi desbloqueada.")
        return number
    }

    @Test func aServerDownForAnHourGetsTheMailOnceWhenItIsBack() async throws {
        let clock = TestClock()
        let port = try SMTPSink().stopped()
        try await withApp(mailOut: try Self.mailOut(port: port), clock: clock) { app, client in
            let worker = try #require(app.services.outboxWorker)
            let number = try await emailTicketWithReply(app, client, acknowledged: worker)
            // An hour of the server being down: every attempt fails and is put off, nothing is lost.
            var attempts = 0
            for _ in 0..<12 {
                attempts += try await worker.runOnce()
                clock.advance(by: 5 * 60)
            }
            #expect(attempts >= 2 * 5)  // both mails, about every 1, 2, 4, 8, 15 minutes
            let queued = try await ticket(client, app.admin, number)
            let email = try #require((queued["messages"] as? [[String: Any]])?.last?["email"] as? [String: Any])
            #expect(email["status"] as? String == "queued")
            #expect((email["detail"] as? String)?.contains("Could not connect") == true)
            #expect(try await app.services.outbox.counts()["pending"] == 2)

            let sink = try SMTPSink(port: port)
            defer { sink.stop() }
            clock.advance(by: 16 * 60)
            #expect(try await worker.runOnce() == 2)
            clock.advance(by: 60 * 60)
            #expect(try await worker.runOnce() == 0)
            let received = try sink.received()
            #expect(received.count == 2)
            #expect(Set(received.map { String(decoding: $0.raw, as: UTF8.self).contains("Auto-Submitted") }) == [true, false])
            #expect(try await app.services.outbox.counts() == ["sent": 2])
        }
    }

    @Test func aTemporaryRefusalIsRetriedAndDeliveredOnce() async throws {
        let clock = TestClock()
        let sink = try SMTPSink()
        defer { sink.stop() }
        try sink.control(data: ["451 4.7.1 Greylisted, try again later", "451 4.7.1 Greylisted, try again later"])
        try await withApp(mailOut: try Self.mailOut(port: sink.port), clock: clock) { app, client in
            let worker = try #require(app.services.outboxWorker)
            _ = try await emailTicketWithReply(app, client, acknowledged: worker)
            #expect(try await worker.runOnce() == 2)
            #expect(try sink.received().isEmpty)
            #expect(try await worker.runOnce() == 0)  // not due yet
            clock.advance(by: 2 * 60)
            #expect(try await worker.runOnce() == 2)
            #expect(try sink.received().count == 2)
            clock.advance(by: 60 * 60)
            #expect(try await worker.runOnce() == 0)
            #expect(try sink.received().count == 2)
        }
    }

    @Test func aPermanentRefusalShowsOnTheTicketAndTellsTheAgent() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try sink.control(rcpt: ["ana@example.com": "550 5.1.1 <ana@example.com>: Recipient address rejected: User unknown"])
        try await withApp(mailOut: try Self.mailOut(port: sink.port)) { app, client in
            let worker = try #require(app.services.outboxWorker)
            let number = try await emailTicketWithReply(app, client, acknowledged: worker)
            #expect(try await worker.runOnce() == 2)
            #expect(try await app.services.outbox.counts() == ["failed": 2])

            let shown = try await ticket(client, app.admin, number)
            let email = try #require((shown["messages"] as? [[String: Any]])?.last?["email"] as? [String: Any])
            #expect(email["status"] as? String == "failed")
            #expect((email["detail"] as? String)?.contains("550 5.1.1") == true)
            let events = try await client.execute(uri: "/api/v1/tickets/\(number)/events", method: .get, headers: app.admin.header) { try object($0) }
            let failures = (events["events"] as? [[String: Any]] ?? []).filter { $0["type"] as? String == "mail.failed" }
            #expect(failures.count == 2)
            #expect(((failures.last?["payload"] as? [String: Any])?["recipient"] as? String) == "ana@example.com")

            let notes = try await client.execute(uri: "/api/v1/notifications?unread=true", method: .get, headers: app.admin.header) { try object($0) }
            let items = try #require(notes["items"] as? [[String: Any]])
            #expect(items.count == 1)  // the reply's author; the acknowledgement had no author and no assignee
            #expect((items.first?["text"] as? String)?.contains("ana@example.com") == true)
            let id = try #require(items.first?["id"] as? String)
            try await client.execute(uri: "/api/v1/notifications/\(id)/read", method: .post, headers: app.admin.header) { #expect($0.status == .noContent) }
            let after = try await client.execute(uri: "/api/v1/notifications?unread=true", method: .get, headers: app.admin.header) { try object($0) }
            #expect((after["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aCrashBetweenCommitAndSendDeliversOnceAfterRestart() async throws {
        let clock = TestClock()
        let sink = try SMTPSink()
        defer { sink.stop() }
        let configuration = try Self.mailOut(port: sink.port)
        try await withApp(mailOut: configuration, clock: clock) { app, client in
            let worker = try #require(app.services.outboxWorker)
            _ = try await emailTicketWithReply(app, client, acknowledged: worker)
            // Haven dies right after claiming the jobs: committed, leased, never sent.
            let claimed = try await app.services.outbox.claim(limit: 10, lease: configuration.lease, now: clock.now)
            #expect(claimed.count == 2)

            // Restarted: a new process on the same database. The dead one's lease must run out first.
            let restarted = try HavenServices(
                database: app.services.database, logger: TestDatabase.logger, dataDirectory: NSTemporaryDirectory(), mailOut: configuration,
                now: { clock.now })
            let newWorker = try #require(restarted.outboxWorker)
            #expect(try await newWorker.runOnce() == 0)
            clock.advance(by: configuration.lease + 1)
            #expect(try await newWorker.runOnce() == 2)
            #expect(try await newWorker.runOnce() == 0)
            #expect(try sink.received().count == 2)
            // The dead worker's late word changes nothing.
            #expect(try await app.services.outbox.complete(claimed[0], .failed("late"), now: clock.now) == false)
            #expect(try await app.services.outbox.counts() == ["sent": 2])
        }
    }

    /// Several nodes (on PostgreSQL each its own services and connection pool on one database; SQLite is one node,
    /// so there three workers share its single writer) drain the outbox at once: every mail goes out exactly once.
    @Test func severalNodesNeverSendOneMailTwice() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let configuration = try Self.mailOut(port: sink.port)
        try await withApp(mailOut: configuration) { app, client in
            for index in 0..<12 {
                let raw = Self.inbound(from: "c\(index)@example.com", name: "C\(index)", subject: "Pedido \(index)", body: "Olá, preciso de ajuda com o pedido número \(index), obrigado",
                                       messageID: "order-\(index)@example.com")
                let number = try #require(try await app.services.mailIntake.ingest(raw, queue: nil, source: "test").ticketNumber)
                try await reply(client, app.admin, ticket: number, "Resposta \(index)")
            }
            var nodes: [HavenDatabase] = []
            if TestDatabase.postgresURL != nil {
                for _ in 0..<3 { nodes.append(try HavenDatabase(location: app.location, logger: TestDatabase.logger, poolSize: 2)) }
            }
            let databases = nodes.isEmpty ? Array(repeating: app.services.database, count: 3) : nodes
            let workers = try databases.map { database in
                try #require(try HavenServices(database: database, logger: TestDatabase.logger, dataDirectory: NSTemporaryDirectory(), mailOut: configuration).outboxWorker)
            }
            let handled = try await withThrowingTaskGroup(of: Int.self) { group in
                for worker in workers {
                    group.addTask {
                        var total = 0
                        while true {
                            let count = try await worker.runOnce()
                            if count == 0 { return total }
                            total += count
                        }
                    }
                }
                return try await group.reduce(0, +)
            }
            for node in nodes { await node.shutdown() }
            #expect(handled == 24)
            let received = try sink.received()
            #expect(received.count == 24)
            let ids = received.compactMap { mail in String(decoding: mail.raw, as: UTF8.self).split(separator: "\r\n").first { $0.hasPrefix("Message-ID:") } }
            #expect(Set(ids).count == 24)
            #expect(try await app.services.outbox.counts() == ["sent": 24])
        }
    }

    @Test func aReplyWhoseFileCannotBeReadWaitsAndIsNotLost() async throws {
        let clock = TestClock()
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withApp(mailOut: try Self.mailOut(port: sink.port), clock: clock) { app, client in
            let worker = try #require(app.services.outboxWorker)
            let raw = Self.inbound(from: "bia@example.com", name: "Bia", subject: "Print", body: "Olá, segue o problema que encontrei no aplicativo hoje", messageID: "print@example.com")
            let number = try #require(try await app.services.mailIntake.ingest(raw, queue: nil, source: "test").ticketNumber)
            _ = try await worker.runOnce()  // the acknowledgement
            var upload = app.admin.header
            upload[.contentType] = "image/png"
            let file = try await client.execute(uri: "/api/v1/attachments?filename=print.png", method: .post, headers: upload, body: ByteBuffer(bytes: png)) { try object($0) }
            try await reply(client, app.admin, ticket: number, "Veja o print anexo", attachments: [try #require(file["id"] as? String)])
            // The file disappears from storage (a shared volume that is away): the mail waits, it is not failed.
            let sha = try #require(file["sha256"] as? String)
            let path = "\(app.services.attachmentStore.root)/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)"
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            try FileManager.default.removeItem(atPath: path)
            #expect(try await worker.runOnce() == 1)
            let waiting = try await ticket(client, app.admin, number)
            let email = try #require((waiting["messages"] as? [[String: Any]])?.last?["email"] as? [String: Any])
            #expect(email["status"] as? String == "queued")
            #expect((email["detail"] as? String)?.contains("Could not prepare the mail") == true)
            // Back: it goes out with its file.
            try bytes.write(to: URL(fileURLWithPath: path))
            clock.advance(by: 5 * 60)
            #expect(try await worker.runOnce() == 1)
            let mails = try Self.readWithPython(try sink.received())
            #expect(mails.count == 2)
            #expect((mails.last?["attachments"] as? [[String: Any]])?.first?["filename"] as? String == "print.png")
        }
    }

    @Test func solvingAnEmailTicketTellsTheCustomerInTheirLanguage() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withApp(mailOut: try Self.mailOut(port: sink.port)) { app, client in
            let worker = try #require(app.services.outboxWorker)
            let raw = Self.inbound(from: "leo@example.com", name: "Léo", subject: "Mes pièces ont disparu", body: "Bonjour, mes pièces achetées hier ont disparu de mon compte, pouvez-vous vérifier s'il vous plaît ? Merci",
                                   messageID: "coins@example.com")
            let number = try #require(try await app.services.mailIntake.ingest(raw, queue: nil, source: "test").ticketNumber)
            try await client.execute(uri: "/api/v1/tickets/\(number)", method: .patch, headers: app.admin.header, body: json(["status": "solved"])) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
            #expect(try await worker.runOnce() == 2)
            let parsed = try Self.readWithPython(try sink.received())
            let texts = parsed.compactMap { $0["text"] as? String }
            #expect(texts.contains { $0.contains("comme résolue") && $0.contains("#\(number)") })
        }
    }

    @Test func adminsEditTemplatesAndQueueSenders() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withApp(mailOut: try Self.mailOut(port: sink.port)) { app, client in
            let header = app.admin.header
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            // A template with an unknown variable or broken syntax is refused with what to fix.
            try await client.execute(uri: "/api/v1/mail/templates/acknowledgement/en", method: .put, headers: header,
                                     body: json(["subject": "Re: {{subject}}", "body": "Hi {{name}}"])) { response in
                let problem = try expectProblem(response, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["body"])
            }
            try await client.execute(uri: "/api/v1/mail/templates/acknowledgement/en", method: .put, headers: header,
                                     body: json(["subject": "Re: {{subject}}", "body": "Hi {{#customer_name}"])) { response in
                try expectProblem(response, .unprocessableContent, code: "validation_failed")
            }
            try await client.execute(uri: "/api/v1/mail/templates/welcome/en", method: .put, headers: header,
                                     body: json(["subject": "x", "body": "y"])) { try expectProblem($0, .notFound, code: "not_found") }
            try await client.execute(uri: "/api/v1/mail/templates/acknowledgement/en", method: .put, headers: header,
                                     body: json(["subject": "[#{{ticket_number}}] {{subject}}", "body": "Got it, {{customer_name}}! — {{team_name}}"])) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/api/v1/queues/general", method: .patch, headers: header,
                                     body: json(["email_address": "creators@haven.test", "email_name": "Creator Support"])) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/v1/queues/nope", method: .patch, headers: header, body: json(["email_name": "x"])) {
                try expectProblem($0, .notFound, code: "not_found")
            }
            let listed = try await client.execute(uri: "/api/v1/mail/templates", method: .get, headers: header) { try object($0) }
            #expect((listed["items"] as? [[String: Any]])?.count == SystemMailTemplates.keys.count * 4 && SystemMailTemplates.keys.count == 3)

            let raw = Self.inbound(from: "kim@example.com", name: "Kim", subject: "Help with my account", body: "Hello, I need help with my account settings please, thank you so much",
                                   messageID: "kim@example.com")
            let number = try #require(try await app.services.mailIntake.ingest(raw, queue: nil, source: "test").ticketNumber)
            #expect(try await app.services.outboxWorker!.runOnce() == 1)
            let mail = try #require(try Self.readWithPython(try sink.received()).first)
            let headers = mail["headers"] as! [String: String]
            #expect(headers["subject"] == "[#\(number)] Help with my account")
            #expect(headers["from"] == "Creator Support <creators@haven.test>")
            #expect(headers["reply-to"]?.contains("creators+t\(number).") == true)
            #expect((mail["text"] as? String)?.contains("Got it, Kim! — Creator Support") == true)
            #expect(try sink.received().first?.mailFrom == "creators@haven.test")

            // Acknowledgements off for the queue: none is queued.
            try await client.execute(uri: "/api/v1/queues/general", method: .patch, headers: header, body: json(["acknowledge_email": false])) {
                #expect($0.status == .ok)
            }
            let quiet = Self.inbound(from: "lee@example.com", name: "Lee", subject: "Question", body: "Hello, one more question about my account please", messageID: "lee@example.com")
            let result = try await app.services.mailIntake.ingest(quiet, queue: nil, source: "test")
            #expect(result.acknowledge == false)
            #expect(try await app.services.outboxWorker!.runOnce() == 0)

            // Only admins.
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            try await client.execute(uri: "/api/v1/mail/templates", method: .get, headers: agent.header) { try expectProblem($0, .forbidden, code: "forbidden") }
        }
    }
}

extension SMTPSink {
    /// Starts and stops a server, to learn a free port nobody listens on.
    func stopped() -> Int {
        stop()
        return port
    }
}
