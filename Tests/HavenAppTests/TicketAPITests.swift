import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct TicketCreateTests {
    @Test func createsATicketWithEveryField() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "br-account-access", name: "BR · Account access", team: nil, isDefault: false)
            let ticket = try await client.createTicket(app.admin, ticketBody(extra: [
                "priority": "high", "tags": ["Conta Hackeada"], "queue": "br-account-access",
            ]))
            #expect(ticket["number"] as? Int == 1)
            #expect(ticket["status"] as? String == "new")
            #expect(ticket["priority"] as? String == "high")
            #expect(ticket["channel"] as? String == "email")
            #expect(ticket["language"] as? String == "pt-BR")
            #expect(ticket["tags"] as? [String] == ["conta-hackeada"])
            #expect((ticket["queue"] as? [String: Any])?["slug"] as? String == "br-account-access")
            #expect(ticket["assignee"] == nil)
            #expect((ticket["requester"] as? [String: Any])?["email"] as? String == "ana@example.com")
            #expect(ticket["created_at"] is String && ticket["updated_at"] is String)
            #expect((ticket["messages"] as? [[String: Any]])?.first?["body"] as? String == "My account was hacked")
            // The 201 answer is built from the written rows; it must say exactly what a read of the stored ticket says.
            let stored = try await client.execute(uri: "/api/v1/tickets/\(try #require(ticket["id"] as? String))", method: .get, headers: app.admin.header) {
                try object($0)
            }
            #expect(NSDictionary(dictionary: stored).isEqual(to: ticket), "created: \(ticket)\nstored: \(stored)")
        }
    }

    @Test func sameRequesterIsOneContactAndNumbersIncrease() async throws {
        try await withApp { app, client in
            let first = try await client.createTicket(app.admin, ticketBody(email: "ana@example.com"))
            let second = try await client.createTicket(app.admin, ticketBody(email: "Ana@EXAMPLE.com"))
            #expect((first["requester"] as? [String: Any])?["id"] as? String == (second["requester"] as? [String: Any])?["id"] as? String)
            #expect(second["number"] as? Int == 2)
        }
    }

    /// Messages are written in batches too: concurrent replies to a few tickets each land once, in their own
    /// ticket, with consecutive event numbers; a reply to a closed ticket fails alone.
    @Test func concurrentRepliesEachLandOnceInTheirTicket() async throws {
        try await withApp { app, _ in
            let repository = app.services.tickets
            var tickets: [TicketRecord] = []
            for index in 0..<4 {
                let draft = NewTicketDraft(
                    subject: "Ticket \(index)", body: "First", channel: .api, requester: RequesterDraft(email: "r\(index)@example.com"))
                tickets.append(try await app.services.intake.submit(draft, actor: .system))
            }
            _ = try await repository.update(.id(tickets[3].id), with: TicketUpdate(status: .solved), actor: .system)
            _ = try await repository.update(.id(tickets[3].id), with: TicketUpdate(status: .closed), actor: .system)
            let ids = tickets.map(\.id)
            let results = await withTaskGroup(of: (Int, Result<MessageRecord, any Error>).self) { group in
                for index in 0..<80 {
                    group.addTask {
                        let message = NewMessage(body: "Reply \(index)", visibility: index % 2 == 0 ? .public : .internal)
                        do { return (index, .success(try await repository.addMessage(to: .id(ids[index % 4]), message, actor: .system))) }
                        catch { return (index, .failure(error)) }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            for (index, result) in results {
                if index % 4 == 3 {
                    #expect(throws: DomainError.self) { try result.get() }
                    continue
                }
                let message = try result.get()
                #expect(message.body == "Reply \(index)")
                #expect(message.ticketID == ids[index % 4])
            }
            for ticket in tickets.prefix(3) {
                let stored = try #require(try await repository.find(.id(ticket.id), includeInternal: true))
                let bodies = try #require(stored.messages).map(\.body)
                #expect(Set(bodies) == Set(["First"] + stride(from: ticket.number - 1, to: 80, by: 4).map { "Reply \($0)" }))
                let events = try #require(try await repository.events(of: .id(ticket.id)))
                #expect(events.map(\.seq) == Array(1...events.count))
                #expect(events.filter { $0.type == "message.added" }.count == 21)
                // A batch writes its tickets' rows in one UPDATE: each row moved on, with a change number of its own.
                #expect(stored.updatedAt > ticket.updatedAt)
            }
            let repeated = try await app.services.database.scalar("SELECT COUNT(*) - COUNT(DISTINCT change_seq) FROM tickets", as: Int.self)
            #expect(repeated == 0)
        }
    }

    /// Creation is written in batches (group commit): concurrent requests must still each get their own
    /// ticket, numbered once, with the right contact, and a request naming an unknown queue fails alone.
    @Test func concurrentCreatesEachGetTheirOwnTicket() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let intake = app.services.intake
            let results = await withTaskGroup(of: (Int, Result<TicketRecord, any Error>).self) { group in
                // More than a batch holds (`TicketWriter.maxBatch`): the widest statements of a full batch stay in the limits.
                for index in 0..<300 {
                    group.addTask {
                        // 20 requesters, each writing several times; every tenth request names a queue that does not exist.
                        let requester = RequesterDraft(
                            email: "person\(index % 20)@example.com", externalID: index % 20 == 0 ? "app-user-0" : nil, name: "Person \(index % 20)")
                        let draft = NewTicketDraft(
                            subject: "Request \(index)", body: "Body of request \(index)", channel: .api,
                            queue: index % 10 == 9 ? "no-such-queue" : nil, requester: requester)
                        do { return (index, .success(try await intake.submit(draft, actor: .system))) } catch { return (index, .failure(error)) }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            var numbers: [Int] = []
            var contactOf: [Int: UUID] = [:]
            for (index, result) in results.sorted(by: { $0.key < $1.key }) {
                if index % 10 == 9 {
                    #expect(throws: DomainError.self) { try result.get() }
                    continue
                }
                let ticket = try result.get()
                #expect(ticket.subject == "Request \(index)")
                #expect(ticket.messages?.first?.body == "Body of request \(index)")
                #expect(ticket.requester.email == "person\(index % 20)@example.com")
                #expect(ticket.queue?.slug == "general")
                if let known = contactOf[index % 20] { #expect(ticket.requester.id == known) } else { contactOf[index % 20] = ticket.requester.id }
                numbers.append(ticket.number)
                let stored = try await app.services.tickets.find(.id(ticket.id), includeInternal: true)
                #expect(stored?.subject == ticket.subject)
                let events = try await app.services.tickets.events(of: .id(ticket.id))
                #expect(events?.map(\.type) == ["ticket.created", "message.added", "ticket.routed"])
            }
            #expect(numbers.sorted() == Array(1...270))
            #expect(Set(contactOf.values).count == 18)  // requesters 9 and 19 only ever name the missing queue
            #expect(try await app.services.database.scalar("SELECT COUNT(*) FROM tickets", as: Int.self) == 270)
            _ = client
        }
    }

    @Test func ticketsLandInTheDefaultQueue() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let ticket = try await client.createTicket(app.admin, ticketBody())
            #expect((ticket["queue"] as? [String: Any])?["slug"] as? String == "general")
        }
    }

    @Test func badInputGetsClearProblems() async throws {
        try await withApp(maxBodyBytes: 2_000) { app, client in
            func post(_ body: ByteBuffer, headers: HTTPFields? = nil) async throws -> TestResponse {
                try await client.execute(uri: "/api/v1/tickets", method: .post, headers: headers ?? app.admin.header, body: body) { $0 }
            }
            try expectProblem(try await post(ByteBuffer(string: "{not json")), .badRequest, code: "malformed_json")
            try expectProblem(try await post(ByteBuffer(string: "")), .badRequest, code: "empty_body")
            try expectProblem(try await post(ByteBuffer(string: "[1,2]")), .unprocessableContent, code: "validation_failed")
            var headers = app.admin.header
            headers[.contentType] = "text/plain"
            try expectProblem(try await post(json(ticketBody()), headers: headers), .unsupportedMediaType, code: "unsupported_media_type")
            try expectProblem(try await post(json(ticketBody(String(repeating: "a", count: 3_000)))), .contentTooLarge, code: "body_too_large")

            var problem = try expectProblem(try await post(json(["subject": "x"])), .unprocessableContent, code: "validation_failed")
            #expect(fields(problem) == ["body"])
            problem = try expectProblem(try await post(json(ticketBody(extra: ["body": 42]))), .unprocessableContent, code: "validation_failed")
            #expect(fields(problem) == ["body"])
            problem = try expectProblem(try await post(json(ticketBody(extra: ["channel": "fax"]))), .unprocessableContent, code: "validation_failed")
            #expect(fields(problem) == ["channel"])
            problem = try expectProblem(
                try await post(json(ticketBody(" ", email: "not-an-email", locale: "??"))), .unprocessableContent, code: "validation_failed")
            #expect(fields(problem) == ["body", "requester.email", "requester.locale"])
            problem = try expectProblem(try await post(json(ticketBody(extra: ["queue": "nowhere"]))), .unprocessableContent, code: "validation_failed")
            #expect(fields(problem) == ["queue"])
            problem = try expectProblem(try await post(json(["body": "hi", "requester": ["name": "Anon"]])), .unprocessableContent, code: "validation_failed")
            #expect(fields(problem) == ["requester"])
        }
    }
}

@Suite struct TicketReadTests {
    @Test func readByIdOrNumberAndUnknownIsNotFound() async throws {
        try await withApp { app, client in
            let created = try await client.createTicket(app.admin, ticketBody())
            let id = try #require(created["id"] as? String)
            for path in [id, id.lowercased(), "1", "%231"] {
                try await client.execute(uri: "/api/v1/tickets/\(path)", method: .get, headers: app.admin.header) {
                    #expect($0.status == .ok, "path \(path)")
                    let body = try object($0); #expect(body["id"] as? String == id)
                }
            }
            try await client.execute(uri: "/api/v1/tickets/999", method: .get, headers: app.admin.header) { try expectProblem($0, .notFound, code: "not_found") }
            try await client.execute(uri: "/api/v1/tickets/\(UUID())", method: .get, headers: app.admin.header) { try expectProblem($0, .notFound, code: "not_found") }
            try await client.execute(uri: "/api/v1/tickets/not-an-id", method: .get, headers: app.admin.header) { try expectProblem($0, .notFound, code: "not_found") }
            try await client.execute(uri: "/api/v1/tickets/-3/events", method: .get, headers: app.admin.header) { try expectProblem($0, .notFound, code: "not_found") }
        }
    }

    @Test func listPagesThroughEveryTicketOnceInOrder() async throws {
        try await withApp { app, client in
            for index in 0..<7 {
                _ = try await client.createTicket(app.admin, ticketBody("ticket \(index)", extra: ["priority": index % 2 == 0 ? "high" : "low"]))
            }
            for sort in ["updated", "created", "priority"] {
                for order in ["asc", "desc"] {
                    var numbers: [Int] = []
                    var cursor: String?
                    repeat {
                        let uri = "/api/v1/tickets?limit=3&sort=\(sort)&order=\(order)" + (cursor.map { "&cursor=\($0)" } ?? "")
                        let page = try await client.execute(uri: uri, method: .get, headers: app.admin.header) { try object($0) }
                        numbers += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["number"] as? Int }
                        cursor = page["next_cursor"] as? String
                    } while cursor != nil
                    #expect(Set(numbers).count == 7 && numbers.count == 7, "\(sort) \(order): \(numbers)")
                    if sort == "created" { #expect(numbers == (order == "asc" ? Array(1...7) : Array((1...7).reversed()))) }
                    if sort == "priority" && order == "desc" { #expect(numbers == [7, 5, 3, 1, 6, 4, 2]) }
                }
            }
        }
    }

    @Test func listFiltersAndRefusesBadParameters() async throws {
        try await withApp { app, client in
            let first = try await client.createTicket(app.admin, ticketBody(email: "a@example.com", locale: "ar", extra: ["channel": "chat"]))
            _ = try await client.createTicket(app.admin, ticketBody(email: "b@example.com", locale: "fr"))
            _ = try await client.createTicket(app.admin, ticketBody(email: "c@example.com", locale: "pt-BR"))
            _ = try await client.createTicket(app.admin, ticketBody(email: "d@example.com", locale: "pt"))
            let id = try #require(first["id"] as? String)
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: json(["assignee": "lead@haven.test", "status": "pending"])) {
                #expect($0.status == .ok)
            }
            func count(_ query: String) async throws -> Int {
                try await client.execute(uri: "/api/v1/tickets?\(query)", method: .get, headers: app.admin.header) {
                    #expect($0.status == .ok, "\(query): \(String(buffer: $0.body))")
                    return (try object($0)["items"] as? [Any])?.count ?? -1
                }
            }
            #expect(try await count("") == 4)
            #expect(try await count("status=pending") == 1)
            #expect(try await count("status=new,open") == 3)
            #expect(try await count("channel=chat") == 1)
            #expect(try await count("language=ar") == 1)
            // A base language finds its regional variants; a regional one only itself.
            #expect(try await count("language=pt") == 2)
            #expect(try await count("language=pt-BR") == 1)
            #expect(try await count("assignee=me") == 1)
            #expect(try await count("assignee=none") == 3)
            #expect(try await count("requester=b@example.com") == 1)
            #expect(try await count("requester=nobody@example.com") == 0)
            #expect(try await count("priority=normal") == 4)

            for (query, field) in [("status=lost", "status"), ("limit=0", "limit"), ("limit=abc", "limit"), ("colour=red", "colour"), ("sort=name", "sort")] {
                try await client.execute(uri: "/api/v1/tickets?\(query)", method: .get, headers: app.admin.header) {
                    let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == [field])
                }
            }
            try await client.execute(uri: "/api/v1/tickets?cursor=bm9wZQ", method: .get, headers: app.admin.header) {
                try expectProblem($0, .badRequest, code: "invalid_cursor")
            }
            let cursor = try await client.execute(uri: "/api/v1/tickets?limit=1", method: .get, headers: app.admin.header) { try object($0)["next_cursor"] as? String }
            try await client.execute(uri: "/api/v1/tickets?sort=created&cursor=\(try #require(cursor))", method: .get, headers: app.admin.header) {
                try expectProblem($0, .badRequest, code: "invalid_cursor")
            }
        }
    }
}

@Suite struct TicketChangeAPITests {
    @Test func patchChangesFieldsAndTheEventLogReplaysToTheTicket() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "mena-live", name: "MENA · LIVE", team: nil, isDefault: false)
            let other = try await addAgent(app.services, email: "amira@haven.test", languages: ["ar"])
            let created = try await client.createTicket(app.admin, ticketBody())
            let id = try #require(created["id"] as? String)
            let patch = json(["status": "open", "priority": "urgent", "queue": "MENA · LIVE", "assignee": other.agent.id.uuidString, "tags": ["live", "gifts"]])
            let patched = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: patch) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
                return try object($0)
            }
            #expect(patched["status"] as? String == "open")
            #expect(patched["priority"] as? String == "urgent")
            #expect((patched["queue"] as? [String: Any])?["slug"] as? String == "mena-live")
            #expect((patched["assignee"] as? [String: Any])?["email"] as? String == "amira@haven.test")
            // Clearing with null; absent fields stay.
            try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: json(["assignee": NSNull()])) {
                let ticket = try object($0)
                #expect(ticket["assignee"] == nil)
                #expect(ticket["priority"] as? String == "urgent")
            }
            try await client.execute(uri: "/api/v1/tickets/\(id)/messages", method: .post, headers: other.header, body: json(["body": "Checking the gift logs", "visibility": "internal"])) {
                #expect($0.status == .created)
            }

            let events = try await client.execute(uri: "/api/v1/tickets/\(id)/events", method: .get, headers: app.admin.header) {
                try #require(try object($0)["events"] as? [[String: Any]])
            }
            #expect(events.map { $0["type"] as? String } == [
                "ticket.created", "message.added", "ticket.routed", "status.changed", "priority.changed", "queue.changed", "assignee.changed",
                "tags.changed", "assignee.changed", "message.added",
            ])
            #expect(events.map { $0["seq"] as? Int } == Array(1...10))
            // The stored ticket and the replayed log agree.
            let stored = try #require(try await app.services.tickets.find(.id(UUID(uuidString: id)!), includeInternal: true))
            let log = try #require(try await app.services.tickets.events(of: .id(stored.id)))
            #expect(TicketState.replay(try log.map { try $0.change() }) == stored.state)
        }
    }

    @Test func forbiddenTransitionsConflictAndBadFieldsAreNamed() async throws {
        try await withApp { app, client in
            let id = try #require(try await client.createTicket(app.admin, ticketBody())["id"] as? String)
            let uri = "/api/v1/tickets/\(id)"
            try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["status": "closed"])) {
                try expectProblem($0, .conflict, code: "invalid_status_transition")
            }
            try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["status": "gone"])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["status"])
            }
            try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["assignee": "ghost@haven.test", "queue": "nowhere"])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["queue"])
            }
            try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["assignee": "ghost@haven.test"])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["assignee"])
            }
            try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["tags": ["<b>"]])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["tags[0]"])
            }
            // Solve, close, then nothing more may change.
            for status in ["solved", "closed"] {
                try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["status": status])) { #expect($0.status == .ok) }
            }
            try await client.execute(uri: uri, method: .patch, headers: app.admin.header, body: json(["priority": "low"])) {
                try expectProblem($0, .conflict, code: "ticket_closed")
            }
            try await client.execute(uri: "\(uri)/messages", method: .post, headers: app.admin.header, body: json(["body": "hello?"])) {
                try expectProblem($0, .conflict, code: "ticket_closed")
            }
            try await client.execute(uri: "/api/v1/tickets/77", method: .patch, headers: app.admin.header, body: json(["priority": "low"])) {
                try expectProblem($0, .notFound, code: "not_found")
            }
        }
    }

    @Test func repliesMoveStatusAndNotesDoNot() async throws {
        try await withApp { app, client in
            let id = try #require(try await client.createTicket(app.admin, ticketBody())["id"] as? String)
            func reply(_ body: [String: Any]) async throws -> String? {
                _ = try await client.execute(uri: "/api/v1/tickets/\(id)/messages", method: .post, headers: app.admin.header, body: json(body)) {
                    #expect($0.status == .created, "\(String(buffer: $0.body))")
                }
                return try await client.execute(uri: "/api/v1/tickets/\(id)", method: .get, headers: app.admin.header) { try object($0)["status"] as? String }
            }
            #expect(try await reply(["body": "note", "visibility": "internal"]) == "new")
            #expect(try await reply(["body": "Olá! Vamos resolver."]) == "open")
            #expect(try await reply(["body": "Aguardo seu retorno.", "status": "pending"]) == "pending")
            try await client.execute(uri: "/api/v1/tickets/\(id)/messages", method: .post, headers: app.admin.header, body: json(["body": "  "])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["body"])
            }
            try await client.execute(uri: "/api/v1/tickets/\(id)/messages", method: .post, headers: app.admin.header, body: json(["body": "x", "visibility": "secret"])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["visibility"])
            }
            let messages = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .get, headers: app.admin.header) {
                try #require(try object($0)["messages"] as? [[String: Any]])
            }
            #expect(messages.map { $0["visibility"] as? String } == ["public", "internal", "public", "public"])
        }
    }
}

@Suite struct DurabilityTests {
    @Test func dataSurvivesARestart() async throws {
        let (location, cleanup) = try await TestDatabase.makeLocation()
        let first = try HavenDatabase(location: location, logger: TestDatabase.logger)
        try await first.migrate()
        let services = try HavenServices(database: first, logger: TestDatabase.logger, dataDirectory: NSTemporaryDirectory())
        let draft = NewTicketDraft(subject: "Persist", body: "هل تبقى البيانات؟", channel: .api, requester: RequesterDraft(email: "x@example.com", locale: "ar"))
        let created = try await services.intake.submit(draft, actor: .system)
        await first.shutdown()

        let second = try HavenDatabase(location: location, logger: TestDatabase.logger)
        try await second.migrate()
        let reopened = try HavenServices(database: second, logger: TestDatabase.logger, dataDirectory: NSTemporaryDirectory())
        let found = try await reopened.tickets.find(.number(created.number), includeInternal: true)
        #expect(found?.messages?.first?.body == "هل تبقى البيانات؟")
        let events = try await reopened.tickets.events(of: .id(created.id))
        #expect(events?.count == 3)
        await second.shutdown()
        await cleanup()
    }
}
