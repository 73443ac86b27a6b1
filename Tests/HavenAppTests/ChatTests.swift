import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import Testing

/// A real WebSocket client for the tests: frames received are kept in order, and `next` waits for one of a type.
final class ChatProbe: Sendable {
    /// What arrived, in order, and how far the test has read.
    private actor Frames {
        var frames: [(type: String, text: String)] = []
        var read = 0
        var closed = false
        func received(_ text: String) { frames.append((ChatProbe.parse(text)["type"] as? String ?? "unreadable", text)) }
        func end() { closed = true }
        func take(_ type: String) -> String? {
            while read < frames.count {
                let frame = frames[read]
                read += 1
                if frame.type == type { return frame.text }
            }
            return nil
        }
        func rest(_ type: String?) -> [String] {
            let found = frames[read...].filter { type == nil || $0.type == type }.map(\.text)
            read = frames.count
            return Array(found)
        }
        func recent() -> String { frames.suffix(5).map(\.text).joined(separator: "\n") }
    }

    static func parse(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    private let box = Frames()
    private let outgoing: AsyncStream<String>.Continuation
    private let task: Task<Void, any Error>

    init(port: Int, path: String, headers: HTTPFields = [:]) {
        let (out, continuation) = AsyncStream<String>.makeStream()
        outgoing = continuation
        let url = "ws://127.0.0.1:\(port)\(path)"
        let box = box
        task = Task {
            defer { Task { await box.end() } }
            try await WebSocketClient.connect(
                url: url, configuration: .init(maxFrameSize: 1 << 20, additionalHeaders: headers), logger: TestDatabase.logger
            ) { inbound, outbound, _ in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for await text in out { try await outbound.write(.text(text)) } }
                    group.addTask {
                        for try await message in inbound.messages(maxSize: 1 << 20) {
                            if case .text(let text) = message { await box.received(text) }
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }

    func send(_ object: [String: Any]) {
        outgoing.yield(String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    /// The next frame of `type` (frames of other types before it are skipped), or a failure after `timeout` (generous:
    /// with the whole suite running at once on two cores, a frame has taken over 5 s).
    func next(_ type: String, timeout: Duration = .seconds(20)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let frame = await box.take(type) { return Self.parse(frame) }
            if await box.closed { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        if let frame = await box.take(type) { return Self.parse(frame) }
        Issue.record("no \(type) frame within \(timeout); got \(await box.recent())")
        throw CancellationError()
    }

    /// Every frame of `type` (nil: of any type) that arrives within `window` (to show that something did not come).
    func all(_ type: String?, within window: Duration) async throws -> [[String: Any]] {
        try await Task.sleep(for: window)
        return await box.rest(type).map(Self.parse)
    }

    /// Whether the server closes (or refuses) the socket within `timeout`.
    func closes(within timeout: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await box.closed { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    func close() {
        outgoing.finish()
        task.cancel()
    }
}

@Suite struct ChatTests {
    static func start(_ client: any TestClientProtocol, email: String = "lena@example.com", message: String = "Olá, não consigo entrar na minha conta") async throws -> [String: Any] {
        try await client.execute(
            uri: "/chat/conversations", method: .post, headers: [.contentType: "application/json"],
            body: json(["name": "Lena Costa", "email": email, "topic": "Login", "message": message, "language": "pt-BR"])
        ) { response in
            #expect(response.status == .created)
            return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        }
    }

    static func agentCookie(_ app: TestApp, agent: SignedIn) async throws -> HTTPFields {
        let (token, _) = try await app.services.webSessions.start(agentID: agent.agent.id, userAgent: "test")
        return [.cookie: "haven_session=\(token)"]
    }

    @Test func customerAndAgentTalkInOrderWithAcksAfterCommitAndNoDuplicates() async throws {
        try await withApp(live: true) { app, client in
            let port = try #require(client.port)
            let started = try await Self.start(client)
            let token = try #require(started["token"] as? String)
            let number = try #require(started["ticket"] as? Int)

            let customer = ChatProbe(port: port, path: "/chat/socket")
            customer.send(["type": "hello", "token": token, "after": 0])
            let welcome = try await customer.next("welcome")
            #expect(welcome["state"] as? String == "waiting")
            #expect(welcome["ticket"] as? Int == number)
            let first = try await customer.next("entry")
            #expect(first["from"] as? String == "customer")
            #expect(first["text"] as? String == "Olá, não consigo entrar na minha conta")

            // A message is acknowledged with its sequence number, then comes back as an entry with the client's id.
            customer.send(["type": "send", "id": "c-1", "text": "Meu e-mail é lena@example.com"])
            let ack = try await customer.next("ack")
            #expect(ack["id"] as? String == "c-1")
            #expect(ack["duplicate"] as? Bool == false)
            let echoed = try await customer.next("entry")
            #expect(echoed["client_id"] as? String == "c-1")
            #expect(echoed["seq"] as? Int == ack["seq"] as? Int)
            // Committed before the ack: the API shows it.
            let stored = try await app.services.tickets.find(.number(number), includeInternal: true)
            #expect((stored?.messages ?? []).contains { $0.clientID == "c-1" })

            // The same id again (a retry after a drop): the same ack, marked duplicate, and no new entry.
            customer.send(["type": "send", "id": "c-1", "text": "Meu e-mail é lena@example.com"])
            let again = try await customer.next("ack")
            #expect(again["seq"] as? Int == ack["seq"] as? Int)
            #expect(again["duplicate"] as? Bool == true)
            #expect(try await customer.all("entry", within: .milliseconds(200)).isEmpty)
            let messages = try await app.services.tickets.find(.number(number), includeInternal: true)?.messages ?? []
            #expect(messages.filter { $0.clientID == "c-1" }.count == 1)

            // An agent opens the chat (session cookie), takes it, and answers.
            let amira = try await addAgent(app.services, email: "amira@haven.test", name: "Amira Haddad", roles: [.agent], languages: ["pt", "ar"])
            let agent = ChatProbe(port: port, path: "/workspace/chat/socket", headers: try await Self.agentCookie(app, agent: amira))
            agent.send(["type": "hello", "ticket": number, "after": 0])
            let agentWelcome = try await agent.next("welcome")
            #expect(agentWelcome["state"] as? String == "waiting")
            let seen = [try await agent.next("entry"), try await agent.next("entry")]
            #expect(seen.map { $0["text"] as? String } == ["Olá, não consigo entrar na minha conta", "Meu e-mail é lena@example.com"])

            try await client.execute(
                uri: "/api/v1/tickets/\(number)", method: .patch, headers: amira.header, body: json(["assignee": "amira@haven.test"])
            ) { #expect($0.status == .ok) }
            let joined = try await customer.next("entry")
            #expect(joined["kind"] as? String == "joined")
            #expect(joined["name"] as? String == "Amira")  // the customer sees the first word of the name only

            agent.send(["type": "typing", "typing": true])
            let typing = try await customer.next("typing")
            #expect(typing["from"] as? String == "agent")
            agent.send(["type": "send", "id": "a-1", "text": "Olá Lena, vou verificar agora."])
            let answer = try await customer.next("entry")
            #expect(answer["from"] as? String == "agent")
            #expect(answer["text"] as? String == "Olá Lena, vou verificar agora.")
            let answerSeq = try #require(answer["seq"] as? Int)

            // Seen receipts reach the other side and survive a reconnect.
            customer.send(["type": "seen", "seq": answerSeq])
            let receipt = try await agent.next("seen")
            #expect(receipt["by"] as? String == "customer")
            #expect(receipt["seq"] as? Int == answerSeq)

            // An internal note is on the agent's side only.
            try await client.execute(
                uri: "/api/v1/tickets/\(number)/messages", method: .post, headers: amira.header, body: json(["body": "Checked: 2FA reset needed", "visibility": "internal"])
            ) { #expect($0.status == .created) }
            let note = try await agent.next("entry")
            #expect(note["internal"] as? Bool == true)

            // The customer drops and comes back with its last number: only what it missed, in order, once.
            customer.close()
            try await client.execute(
                uri: "/api/v1/tickets/\(number)/messages", method: .post, headers: amira.header, body: json(["body": "Pronto, pode tentar de novo?"])
            ) { #expect($0.status == .created) }
            let back = ChatProbe(port: port, path: "/chat/socket")
            back.send(["type": "hello", "token": token, "after": answerSeq])
            let rewelcome = try await back.next("welcome")
            #expect(rewelcome["state"] as? String == "active")
            #expect(rewelcome["customer_seen"] as? Int == answerSeq)
            let missed = try await back.next("entry")
            #expect(missed["text"] as? String == "Pronto, pode tentar de novo?")
            #expect(try await back.all("entry", within: .milliseconds(200)).isEmpty)

            // The customer ends the chat: both sides see it; the chat takes no more messages; the ticket stays.
            back.send(["type": "end"])
            #expect(try await back.next("entry")["kind"] as? String == "ended")
            #expect(try await agent.next("entry")["text"] as? String == "Pronto, pode tentar de novo?")
            #expect(try await agent.next("entry")["kind"] as? String == "ended")
            back.send(["type": "send", "id": "c-2", "text": "mais uma coisa"])
            let refused = try await back.next("error")
            #expect(refused["code"] as? String == "ended")
            let ticket = try await app.services.tickets.find(.number(number), includeInternal: true)
            #expect(ticket?.channel == .chat)
            #expect(ticket?.messages?.count == 5)
            back.close()
            agent.close()
        }
    }

    @Test func refusesWhatIsNotTheProtocolAndStrangers() async throws {
        try await withApp(live: true) { app, client in
            let port = try #require(client.port)
            let socket = ChatProbe(port: port, path: "/chat/socket")
            socket.send(["type": "send", "id": "x", "text": "hi"])
            #expect(try await socket.next("error")["code"] as? String == "hello_first")
            socket.send(["type": "shout"])
            #expect(try await socket.next("error")["code"] as? String == "bad_frame")
            socket.send(["type": "hello", "token": "not-a-token"])
            #expect(try await socket.next("error")["code"] as? String == "unknown_conversation")
            #expect(try await socket.closes())

            // No session, no agent socket.
            let stranger = ChatProbe(port: port, path: "/workspace/chat/socket")
            #expect(try await stranger.closes())

            // A safety-queue chat is not there for an untrained agent; a safety-trained one sees it.
            _ = try await app.services.directory.addQueue(slug: "safety", name: "Safety · Critical", team: nil, isDefault: false)
            let started = try await Self.start(client, message: "I want to kill myself tonight")
            let number = try #require(started["ticket"] as? Int)
            #expect(try await app.services.tickets.find(.number(number), includeInternal: false)?.queue?.slug == "safety")
            let agent = try await addAgent(app.services, email: "noah@haven.test", roles: [.agent])
            let socket2 = ChatProbe(port: port, path: "/workspace/chat/socket", headers: try await Self.agentCookie(app, agent: agent))
            socket2.send(["type": "hello", "ticket": number])
            #expect(try await socket2.next("error")["code"] as? String == "unknown_conversation")
            let trained = try await addAgent(app.services, email: "sofia@haven.test", roles: [.agent, .safety])
            let socket3 = ChatProbe(port: port, path: "/workspace/chat/socket", headers: try await Self.agentCookie(app, agent: trained))
            socket3.send(["type": "hello", "ticket": number])
            #expect(try await socket3.next("welcome")["ticket"] as? Int == number)
            socket3.close()
            // A page on another site cannot open an agent's socket with the agent's cookie.
            var crossSite = try await Self.agentCookie(app, agent: trained)
            crossSite[.origin] = "https://evil.example"
            let hijack = ChatProbe(port: port, path: "/workspace/chat/socket", headers: crossSite)
            #expect(try await hijack.closes())
            // Start needs a way to reach the customer afterwards.
            try await client.execute(
                uri: "/chat/conversations", method: .post, headers: [.contentType: "application/json"], body: json(["message": "hello"])
            ) { response in
                #expect(response.status == .unprocessableContent)
                #expect(String(buffer: response.body).contains("email"))
            }
            socket2.close()

            // A script starting chats from one address is slowed down (10 a minute), with a problem+json answer.
            var statuses: [HTTPResponse.Status] = []
            for n in 0..<12 {
                try await client.execute(
                    uri: "/chat/conversations", method: .post, headers: [.contentType: "application/json"],
                    body: json(["email": "bot\(n)@example.com", "message": "spam \(n)", "offline": true])
                ) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests { #expect(response.headers[.retryAfter] != nil) }
                }
            }
            #expect(statuses.contains(.tooManyRequests))
        }
    }

    @Test func anEndedChatGoesOnByEmail() async throws {
        try await withApp(mailOut: try MailOutTests.mailOut(port: 9), live: true) { app, client in
            let port = try #require(client.port)
            let started = try await Self.start(client)
            let number = try #require(started["ticket"] as? Int)
            let reply: @Sendable (String) async throws -> [String: Any] = { text in
                try await client.execute(uri: "/api/v1/tickets/\(number)/messages", method: .post, headers: app.admin.header, body: json(["body": text])) { response in
                    #expect(response.status == .created)
                    return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                }
            }
            // During the chat, an answer goes to the chat only.
            _ = try await reply("Estou aqui!")
            let customer = ChatProbe(port: port, path: "/chat/socket")
            customer.send(["type": "hello", "token": try #require(started["token"] as? String)])
            _ = try await customer.next("welcome")
            customer.send(["type": "end"])
            var ended = false
            while !ended { ended = try await customer.next("entry")["kind"] as? String == "ended" }
            customer.close()
            // After it ended, the answer is mailed to the address given at the start.
            _ = try await reply("Resolvido: enviei um link por e-mail.")
            let messages = try await app.services.tickets.find(.number(number), includeInternal: true)?.messages ?? []
            #expect(messages.map { $0.email?.status } == [nil, nil, "queued"])
        }
    }

    @Test func picturesGoIntoTheChatAndTheTranscriptIsMailed() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try await withApp(mailOut: try MailOutTests.mailOut(port: sink.port), live: true) { app, client in
            let port = try #require(client.port)
            let started = try await Self.start(client)
            let token = try #require(started["token"] as? String)
            let number = try #require(started["ticket"] as? Int)
            let bearer: (String) -> HTTPFields = { [.authorization: "Bearer \($0)"] }
            let upload: @Sendable (HTTPFields, String, [UInt8]) async throws -> TestResponse = { headers, name, bytes in
                try await client.execute(uri: "/chat/files?filename=\(name)", method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { $0 }
            }

            // Only with the conversation's token, and only pictures and recordings.
            _ = try expectProblem(try await upload([:], "shot.png", tinyPNG), .unauthorized, code: "unauthenticated")
            _ = try expectProblem(try await upload(bearer("nope"), "shot.png", tinyPNG), .notFound, code: "not_found")
            _ = try expectProblem(try await upload(bearer(token), "shot.png", windowsProgram), .unprocessableContent, code: "validation_failed")
            let stored = try await upload(bearer(token), "shot.png", tinyPNG)
            #expect(stored.status == .created)
            let file = try #require(try object(stored)["id"] as? String)

            // Sent into the chat as a line of its own; both sides see it with its type.
            let agent = try await addAgent(app.services, email: "bia@haven.test", name: "Bia Souza", roles: [.agent], languages: ["pt-BR"])
            let console = ChatProbe(port: port, path: "/workspace/chat/socket", headers: try await Self.agentCookie(app, agent: agent))
            console.send(["type": "hello", "ticket": number, "after": 0])
            _ = try await console.next("welcome")
            let customer = ChatProbe(port: port, path: "/chat/socket")
            customer.send(["type": "hello", "token": token])
            _ = try await customer.next("welcome")
            customer.send(["type": "send", "id": "w-pic", "text": "", "attachments": [file]])
            #expect(try await customer.next("ack")["id"] as? String == "w-pic")
            var seen: [String: Any] = [:]
            while seen["client_id"] as? String != "w-pic" { seen = try await console.next("entry") }
            let files = try #require(seen["attachments"] as? [[String: Any]])
            #expect(files.map { $0["filename"] as? String } == ["shot.png"] && files.map { $0["content_type"] as? String } == ["image/png"])

            // The customer fetches it with the token; another conversation cannot, nor send it as its own.
            try await client.execute(uri: "/chat/files/\(file)", method: .get, headers: bearer(token)) { response in
                #expect(response.status == .ok && Array(buffer: response.body) == tinyPNG)
            }
            let other = try await Self.start(client, email: "outro@example.com")
            let otherToken = try #require(other["token"] as? String)
            try await client.execute(uri: "/chat/files/\(file)", method: .get, headers: bearer(otherToken)) { _ = try expectProblem($0, .notFound, code: "not_found") }
            let intruder = ChatProbe(port: port, path: "/chat/socket")
            intruder.send(["type": "hello", "token": otherToken])
            _ = try await intruder.next("welcome")
            intruder.send(["type": "send", "id": "w-steal", "text": "", "attachments": [file]])
            #expect(try await intruder.next("error")["code"] as? String == "refused")

            // A customer's lines are limited (120 a minute, bursts of 31; 80 at once stay over it even on a slow machine): the
            // rest is refused unstored, to be sent again.
            for index in 0..<80 { intruder.send(["type": "send", "id": "w-\(index)", "text": "linha \(index)"]) }
            // Every line is answered, an ack or a refusal (waited for: a busy machine is slow, not wrong).
            var answers: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while answers.filter({ ($0["id"] as? String)?.hasPrefix("w-") == true && $0["id"] as? String != "w-steal" }).count < 80,
                  ContinuousClock.now < deadline {
                answers += try await intruder.all(nil, within: .milliseconds(100))
            }
            let acks = answers.filter { $0["type"] as? String == "ack" }.count
            #expect(acks >= 25 && acks < 80)
            #expect(answers.filter { $0["code"] as? String == "too_fast" }.count == 80 - acks)
            intruder.close()

            // The transcript: queued with an event, mailed in the customer's language with every public line and the file's name.
            console.send(["type": "send", "id": "a-1", "text": "Obrigada pela imagem, já vejo o problema."])
            _ = try await console.next("ack")
            console.send(["type": "end"])
            while try await customer.next("entry")["kind"] as? String != "ended" {}
            try await client.execute(uri: "/chat/transcript", method: .post, headers: bearer(token)) { response in
                #expect(response.status == .accepted)
                let body = try object(response)
                #expect(body["email"] as? String == "l•••@example.com")
            }
            _ = try expectProblem(try await upload(bearer(token), "again.png", tinyPNG), .conflict, code: "chat_ended")
            let events = try await app.services.tickets.events(of: .number(number)) ?? []
            #expect(events.contains { $0.type == "chat.transcript_sent" })
            let worker = try #require(app.services.outboxWorker)
            #expect(try await worker.runOnce() == 1)
            let mail = try #require(try MailOutTests.readWithPython(try sink.received()).first)
            let text = try #require(mail["text"] as? String)
            #expect(((mail["headers"] as? [String: Any])?["subject"] as? String)?.contains("nº \(number)") == true)
            for line in ["transcrição", "Você: Olá, não consigo entrar na minha conta", "Bia: Obrigada pela imagem", "shot.png"] {
                #expect(text.contains(line), "\(line) missing from: \(text)")
            }
            customer.close()
            console.close()
        }
    }

    @Test func leavingAMessageWhenNobodyCanAnswerMakesAnEmailTicket() async throws {
        try await withApp(live: true) { app, client in
            try await client.execute(uri: "/chat/availability?language=pt-BR", method: .get) { response in
                #expect(String(buffer: response.body).contains(#""available":false"#))
            }
            let agent = try await addAgent(app.services, email: "bia@haven.test", roles: [.agent], languages: ["pt-BR"])
            _ = try await app.services.assignments.setPresence(.online, for: agent.agent.id)
            try await client.execute(uri: "/chat/availability?language=pt-BR", method: .get) { response in
                #expect(String(buffer: response.body).contains(#""available":true"#))
            }
            try await client.execute(uri: "/chat/availability?language=fr", method: .get) { response in
                #expect(String(buffer: response.body).contains(#""available":false"#))
            }
            try await client.execute(
                uri: "/chat/conversations", method: .post, headers: [.contentType: "application/json"],
                body: json(["email": "zoe@example.com", "message": "Personne n'est là ? Mon LIVE a été coupé.", "offline": true])
            ) { response in
                #expect(response.status == .created)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(body["token"] == nil)
                let ticket = try await app.services.tickets.find(.number(try #require(body["ticket"] as? Int)), includeInternal: false)
                #expect(ticket?.channel == .web)
            }
        }
    }
}
