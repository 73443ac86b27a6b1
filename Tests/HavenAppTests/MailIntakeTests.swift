import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// A message as a mail client would write it.
func mail(
    from: String = "Ana Souza <ana@example.com>", to: String = "support@haven.test", subject: String = "Minha conta foi invadida",
    id: String? = nil, inReplyTo: String? = nil, references: String? = nil, extraHeaders: String = "",
    body: String = "Olá, não consigo entrar na minha conta desde ontem. Por favor me ajudem."
) -> [UInt8] {
    var headers = "From: \(from)\r\nTo: \(to)\r\nSubject: \(subject)\r\nDate: Mon, 16 Nov 2026 10:00:00 +0000\r\n"
    if let id { headers += "Message-ID: <\(id)>\r\n" }
    if let inReplyTo { headers += "In-Reply-To: <\(inReplyTo)>\r\n" }
    if let references { headers += "References: \(references)\r\n" }
    headers += extraHeaders
    headers += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    return Array((headers + body + "\r\n").utf8)
}

/// A message of the mail parser's corpus (Tests/HavenMailTests/Corpus).
func corpusMessage(_ name: String) throws -> [UInt8] {
    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    return try [UInt8](Data(contentsOf: tests.appendingPathComponent("HavenMailTests/Corpus/\(name).eml")))
}

@Suite struct MailIntakeTests {
    /// Acknowledgements are decided (and counted) only when Haven sends mail; its worker is not run here.
    static var sendingMail: MailOutConfiguration { get throws { try MailOutTests.mailOut(port: 9) } }

    @Test func aNewMessageBecomesAnEmailTicketOnceWithItsFilesLanguageAndOriginal() async throws {
        try await withApp(mailOut: try Self.sendingMail) { app, _ in
            let raw = try corpusMessage("rfc2231-attachment-thunderbird")
            let first = try await app.services.mailIntake.ingest(raw, source: "test")
            #expect(first.outcome == .created)
            #expect(first.acknowledge)
            let firstID = try #require(first.ticketID)
            let ticket = try #require(try await app.services.tickets.find(.id(firstID), includeInternal: true))
            #expect(ticket.channel == .email)
            #expect(ticket.requester.email == "ana@example.org")
            #expect(ticket.subject == "Comprovante de pagamento")
            #expect(ticket.language == "pt")
            let message = try #require(ticket.messages?.first)
            #expect(message.body == "Segue o comprovante do pagamento.")  // the signature is stripped from what agents read
            #expect(message.language == "pt")
            #expect(message.attachments.map(\.filename) == ["comprovante de pagamento – novembro.pdf"])
            // The full text and the original bytes are kept.
            let stored = try await app.services.database.scalar(
                "SELECT full_text FROM mail_messages WHERE rfc_message_id = 'tb-2231@example.org'", as: String.self)
            #expect(stored?.contains("Ana Lima") == true)
            let sha = try #require(try await app.services.database.scalar("SELECT raw_sha256 FROM mail_messages", as: String.self))
            #expect(try await app.services.mail.original(sha256: sha) == raw)
            #expect(try await app.services.database.scalar("SELECT COUNT(*) AS n FROM mail_originals", as: Int.self) == 1)

            // The same message again (an MTA retry): ingested once.
            let again = try await app.services.mailIntake.ingest(raw, source: "test")
            #expect(again.outcome == .duplicate)
            #expect(again.ticketID == first.ticketID)
            #expect(try await app.services.database.scalar("SELECT COUNT(*) AS n FROM tickets", as: Int.self) == 1)
        }
    }

    @Test func inlineImagesDisplayFromHavenItself() async throws {
        try await withApp { app, _ in
            let result = try await app.services.mailIntake.ingest(try corpusMessage("inline-image-related"), source: "test")
            let ticketID = try #require(result.ticketID)
            let ticket = try #require(try await app.services.tickets.find(.id(ticketID), includeInternal: true))
            let image = try #require(ticket.messages?.first?.attachments.first)
            #expect(image.filename == "shot.png")
            let html = try #require(try await app.services.database.scalar("SELECT html FROM mail_messages", as: String.self))
            #expect(html.contains("src=\"/api/v1/attachments/\(image.id.uuidString.lowercased())\""))
            #expect(!html.contains("cid:"))
        }
    }

    @Test func repliesThreadByInReplyToOrReferencesAndReopen() async throws {
        try await withApp { app, _ in
            let intake = app.services.mailIntake
            let first = try await intake.ingest(mail(id: "first@example.com"), source: "test")
            let ticketID = try #require(first.ticketID)
            _ = try await app.services.tickets.update(.id(ticketID), with: TicketUpdate(status: .pending), actor: .system)
            // Gmail: In-Reply-To and References.
            let reply = try await intake.ingest(
                mail(subject: "Re: Minha conta foi invadida", id: "second@example.com", inReplyTo: "first@example.com",
                     references: "<first@example.com>", body: "Ainda não funciona.\r\n\r\nEm seg., 16 de nov. de 2026 às 10:00, Suporte <support@haven.test> escreveu:\r\n> Tente de novo"),
                source: "test")
            #expect(reply.outcome == .appended)
            #expect(reply.ticketID == ticketID)
            // Outlook replies sometimes carry only References, oldest first.
            let outlook = try await intake.ingest(
                mail(subject: "RE: Minha conta", id: "third@example.com", references: "<first@example.com> <second@example.com>", body: "Alguma novidade?"),
                source: "test")
            #expect(outlook.outcome == .appended)
            #expect(outlook.ticketID == ticketID)
            let ticket = try #require(try await app.services.tickets.find(.id(ticketID), includeInternal: true))
            #expect(ticket.status == .open)  // the customer's reply reopened the pending ticket
            #expect(ticket.messages?.map(\.body) == [
                "Olá, não consigo entrar na minha conta desde ontem. Por favor me ajudem.", "Ainda não funciona.", "Alguma novidade?",
            ])
        }
    }

    @Test func subjectTokensThreadOnlyFromTheRequester() async throws {
        try await withApp { app, _ in
            let intake = app.services.mailIntake
            let first = try await intake.ingest(mail(id: "a@example.com"), source: "test")
            let number = try #require(first.ticketNumber)
            let fromRequester = try await intake.ingest(mail(subject: "Re: [#\(number)] conta", id: "b@example.com", body: "Mais detalhes."), source: "test")
            #expect(fromRequester.outcome == .appended)
            #expect(fromRequester.ticketID == first.ticketID)
            // Anyone can type "[#1]": from someone else it starts a new ticket instead of joining a stranger's.
            let fromStranger = try await intake.ingest(
                mail(from: "mallory@example.net", subject: "[#\(number)] let me in", id: "c@example.net", body: "Add my note."), source: "test")
            #expect(fromStranger.outcome == .created)
            #expect(fromStranger.ticketID != first.ticketID)
        }
    }

    @Test func signedReplyAddressesThreadAndForgedOnesDoNot() async throws {
        try await withApp { app, _ in
            let intake = app.services.mailIntake
            let first = try await intake.ingest(mail(id: "p1@example.com"), source: "test")
            let number = try #require(first.ticketNumber)
            let signer = ReplyAddress(key: try await app.services.mail.replyAddressKey())
            let address = signer.address(forTicket: number, base: "support@haven.test")
            #expect(address.hasPrefix("support+t\(number)."))
            // A client that dropped every header but the address (a forward from another mailbox).
            let tagged = try await intake.ingest(
                mail(from: "ana.work@example.com", to: address, subject: "Fwd: my case", id: "p2@example.com", body: "From my work address."),
                source: "test")
            #expect(tagged.outcome == .appended)
            #expect(tagged.ticketID == first.ticketID)
            // The envelope recipient (LMTP's RCPT TO) counts too.
            let envelope = try await intake.ingest(
                mail(from: "ana.work@example.com", subject: "again", id: "p3@example.com", body: "Again."), source: "test",
                envelopeRecipients: [address])
            #expect(envelope.ticketID == first.ticketID)
            let forged = try await intake.ingest(
                mail(from: "mallory@example.net", to: "support+t\(number).000000000000@haven.test", subject: "hi", id: "p4@example.net", body: "Forged."),
                source: "test")
            #expect(forged.outcome == .created)
            #expect(forged.ticketID != first.ticketID)
            let signature = signer.tag(forTicket: number).split(separator: ".").last!
            #expect(signer.ticketNumber(in: "support+t\(number + 1).\(signature)@haven.test") == nil)  // a valid signature for another ticket
        }
    }

    @Test func aReplyToALongSolvedOrClosedTicketOpensALinkedOne() async throws {
        let clock = TestClock()
        var configuration = MailIntakeConfiguration()
        configuration.reopenWindow = 7 * 86_400
        try await withApp(mailConfiguration: configuration, clock: clock) { app, _ in
            let intake = app.services.mailIntake
            let first = try await intake.ingest(mail(id: "old@example.com"), source: "test")
            let oldID = try #require(first.ticketID)
            _ = try await app.services.tickets.update(.id(oldID), with: TicketUpdate(status: .solved), actor: .system)
            // Within the window: the solved ticket reopens.
            let soon = try await intake.ingest(mail(id: "soon@example.com", inReplyTo: "old@example.com", body: "Voltou a acontecer."), source: "test")
            #expect(soon.ticketID == oldID)
            #expect(try await app.services.tickets.find(.id(oldID), includeInternal: false)?.status == .open)
            _ = try await app.services.tickets.update(.id(oldID), with: TicketUpdate(status: .solved), actor: .system)
            clock.advance(by: 8 * 86_400)
            let late = try await intake.ingest(mail(id: "late@example.com", inReplyTo: "old@example.com", body: "De novo, semanas depois."), source: "test")
            #expect(late.outcome == .created)
            let newID = try #require(late.ticketID)
            #expect(newID != oldID)
            let events = try #require(try await app.services.tickets.events(of: .id(newID)))
            #expect(events.map(\.type) == ["ticket.created", "message.added", "ticket.linked", "ticket.routed"])
            let link = try events[2].change()
            #expect(link == .linked(ticketID: oldID.uuidString.lowercased(), number: first.ticketNumber!, reason: "reply to a solved ticket"))
            #expect(try await app.services.tickets.find(.id(oldID), includeInternal: false)?.status == .solved)
        }
    }

    @Test func autoRepliesAreRecordedButMoveNothingAndAreNeverAcknowledged() async throws {
        var configuration = MailIntakeConfiguration()
        configuration.automaticResponsesPerDay = 2
        try await withApp(mailConfiguration: configuration, mailOut: try Self.sendingMail) { app, _ in
            let intake = app.services.mailIntake
            let first = try await intake.ingest(mail(id: "q1@example.com"), source: "test")
            let ticketID = try #require(first.ticketID)
            _ = try await app.services.tickets.update(.id(ticketID), with: TicketUpdate(status: .pending), actor: .system)
            let outOfOffice = try await intake.ingest(
                mail(subject: "Resposta automática: Re: Minha conta", id: "q2@example.com", inReplyTo: "q1@example.com",
                     extraHeaders: "Auto-Submitted: auto-replied\r\n", body: "Estou de férias até dia 30."),
                source: "test")
            #expect(outOfOffice.outcome == .appended)
            #expect(outOfOffice.automatic == "auto_reply")
            #expect(try await app.services.tickets.find(.id(ticketID), includeInternal: false)?.status == .pending)
            // A new ticket from an auto-responder is recorded but never acknowledged (no mail loops).
            let robot = try await intake.ingest(
                mail(from: "noreply@shop.example", subject: "Out of office", id: "q3@shop.example", extraHeaders: "Precedence: bulk\r\n", body: "Away."),
                source: "test")
            #expect(robot.outcome == .created)
            #expect(!robot.acknowledge)
            // The per-address daily cap on acknowledgements: the first ticket used one, one more is allowed, then none.
            let second = try await intake.ingest(mail(subject: "Outra coisa", id: "q4@example.com", body: "Outro problema."), source: "test")
            let third = try await intake.ingest(mail(subject: "Mais uma", id: "q5@example.com", body: "Mais um problema."), source: "test")
            #expect(first.acknowledge)
            #expect(second.acknowledge)
            #expect(!third.acknowledge)
        }
    }

    /// The cap holds when new tickets from one address arrive together and are written in one batch.
    @Test func theAcknowledgementCapHoldsUnderConcurrentMail() async throws {
        var configuration = MailIntakeConfiguration()
        configuration.automaticResponsesPerDay = 3
        try await withApp(mailConfiguration: configuration, mailOut: try Self.sendingMail) { app, _ in
            let intake = app.services.mailIntake
            let results = try await withThrowingTaskGroup(of: MailIngestResult.self) { group in
                for index in 0..<12 {
                    group.addTask { try await intake.ingest(mail(subject: "Pedido \(index)", id: "burst\(index)@example.com", body: "Pedido \(index)."), source: "test") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { $0.outcome == .created })
            #expect(results.filter(\.acknowledge).count == 3)
            #expect(try await app.services.database.scalar("SELECT count FROM auto_responses", as: Int.self) == 12)
        }
    }

    @Test func bouncesNoteTheTicketAndFlagTheAddressWithoutANewTicket() async throws {
        try await withApp { app, _ in
            let intake = app.services.mailIntake
            let first = try await intake.ingest(mail(from: "gone@example.net", id: "ack-78@haven.test"), source: "test")
            let ticketID = try #require(first.ticketID)
            let raw = try corpusMessage("bounce-dsn")
            let bounce = try await intake.ingest(raw, source: "test")
            #expect(bounce.outcome == .bounce)
            #expect(bounce.ticketID == ticketID)
            #expect(try await app.services.database.scalar("SELECT COUNT(*) AS n FROM tickets", as: Int.self) == 1)
            let ticket = try #require(try await app.services.tickets.find(.id(ticketID), includeInternal: true))
            let note = try #require(ticket.messages?.last)
            #expect(note.visibility == .internal)
            #expect(note.body.hasPrefix("Delivery failed: gone@example.net (failed, 5.1.1)"))
            #expect(try await app.services.database.scalar("SELECT email_bounce_status FROM contacts WHERE email = 'gone@example.net'", as: String.self) == "5.1.1")
        }
    }

    @Test func messagesThatCannotBecomeTicketsAreQuarantinedAndCanBeReprocessed() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let intake = app.services.mailIntake
            let noSender = try await intake.ingest(Array("Subject: who?\r\n\r\nno sender".utf8), source: "test")
            #expect(noSender.outcome == .quarantined)
            // The next message is not blocked by the bad one.
            #expect(try await intake.ingest(mail(id: "fine@example.com"), source: "test").outcome == .created)
            let wrongQueue = try await intake.ingest(mail(id: "q@example.com", body: "Para a fila errada."), queue: "no-such-queue", source: "test")
            #expect(wrongQueue.outcome == .quarantined)
            #expect(wrongQueue.reason?.contains("no-such-queue") == true)

            let list = try await client.execute(uri: "/api/v1/mail/quarantine", method: .get, headers: app.admin.header) { try object($0) }
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(items.count == 2)
            let id = try #require(wrongQueue.quarantineID).uuidString.lowercased()
            try await client.execute(uri: "/api/v1/mail/quarantine/\(id)/raw", method: .get, headers: app.admin.header) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "message/rfc822")
                #expect(String(buffer: response.body).contains("Para a fila errada."))
            }
            let reprocessed = try await client.execute(uri: "/api/v1/mail/quarantine/\(id)/reprocess?queue=general", method: .post, headers: app.admin.header) {
                #expect($0.status == .created)
                return try object($0)
            }
            #expect(reprocessed["outcome"] as? String == "created")
            try await client.execute(uri: "/api/v1/mail/quarantine/\(id)/reprocess", method: .post, headers: app.admin.header) {
                try expectProblem($0, .conflict, code: "already_reprocessed")
            }
            let stillBad = try #require(noSender.quarantineID).uuidString.lowercased()
            // An original kept as a file, as Haven did before migration 007, is still found.
            let legacy = Array("Subject: who?\r\n\r\nno sender".utf8)
            let sha = try app.services.attachmentStore.put(legacy)
            try await app.services.database.execute("DELETE FROM mail_originals WHERE sha256 = '\(sha)'")
            try await client.execute(uri: "/api/v1/mail/quarantine/\(stillBad)/raw", method: .get, headers: app.admin.header) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == legacy)
            }
            try await client.execute(uri: "/api/v1/mail/quarantine/\(stillBad)/reprocess", method: .post, headers: app.admin.header) {
                try expectProblem($0, .unprocessableContent, code: "still_unprocessable")
            }
            try await client.execute(uri: "/api/v1/mail/quarantine/\(UUID())/raw", method: .get, headers: app.admin.header) {
                try expectProblem($0, .notFound, code: "not_found")
            }
        }
    }

    @Test func theInboundWebhookTakesRawMailFromAdminsOnly() async throws {
        var configuration = MailIntakeConfiguration()
        configuration.maxMessageBytes = 4_000
        try await withApp(mailConfiguration: configuration) { app, client in
            var headers = app.admin.header
            headers[.contentType] = "message/rfc822"
            let created = try await client.execute(uri: "/api/v1/mail/inbound", method: .post, headers: headers, body: ByteBuffer(bytes: mail(id: "w@example.com"))) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
                return try object($0)
            }
            #expect(created["outcome"] as? String == "created")
            #expect(created["ticket_number"] as? Int == 1)
            try await client.execute(uri: "/api/v1/mail/inbound", method: .post, headers: headers, body: ByteBuffer(bytes: mail(id: "w@example.com"))) {
                #expect($0.status == .ok)
                let answer = try object($0)
                #expect(answer["outcome"] as? String == "duplicate")
            }
            try await client.execute(uri: "/api/v1/mail/inbound", method: .post, headers: headers, body: ByteBuffer()) {
                try expectProblem($0, .unprocessableContent, code: "validation_failed")
            }
            try await client.execute(uri: "/api/v1/mail/inbound", method: .post, headers: headers, body: ByteBuffer(bytes: mail(body: String(repeating: "x", count: 5_000)))) {
                try expectProblem($0, .contentTooLarge, code: "message_too_large")
            }
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            try await client.execute(uri: "/api/v1/mail/inbound", method: .post, headers: agent.header, body: ByteBuffer(bytes: mail())) {
                try expectProblem($0, .forbidden, code: "forbidden")
            }
            try await client.execute(uri: "/api/v1/mail/inbound", method: .post, body: ByteBuffer(bytes: mail())) {
                try expectProblem($0, .unauthorized, code: "unauthenticated")
            }
        }
    }
}
