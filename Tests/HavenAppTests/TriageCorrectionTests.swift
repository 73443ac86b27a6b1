import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// Agents correct triage (topic, language, risk); corrections are events, teach the topic model and add up in the
/// triage quality report. On SQLite and PostgreSQL.
@Suite struct TriageCorrectionTests {
    @Test func aNewTicketCarriesASuggestedTopic() async throws {
        try await withApp { app, client in
            let created = try await client.createTicket(app.admin, ticketBody("Someone hacked my account and changed my email"))
            let suggested = try #require(created["suggested_topic"] as? [String: Any])
            #expect(suggested["topic"] as? String == "hacked_account")
            #expect((suggested["confidence"] as? Double ?? 0) > 0.5)
            #expect(created["topic"] == nil)
            let message = try #require((created["messages"] as? [[String: Any]])?.first)
            #expect((message["topic"] as? [String: Any])?["topic"] as? String == "hacked_account")
        }
    }

    @Test func correctionsAreEventsAndTheLogStillReplays() async throws {
        try await withApp { app, client in
            let created = try await client.createTicket(app.admin, ticketBody("I want to kill myself, nothing works", locale: "en"))
            let id = try #require(created["id"] as? String)
            #expect(created["risk_level"] as? String == "critical")
            // A false alarm taken down, the topic and language set.
            let body = json(["risk_level": "none", "harms": [String](), "topic": "bug", "language": "fr"])
            let patched = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: body) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
                return try object($0)
            }
            #expect(patched["risk_level"] as? String == "none")
            #expect(patched["harms"] as? [String] == [])
            #expect(patched["topic"] as? String == "bug")
            #expect(patched["language"] as? String == "fr")
            let events = try await client.execute(uri: "/api/v1/tickets/\(id)/events", method: .get, headers: app.admin.header) {
                try #require(try object($0)["events"] as? [[String: Any]])
            }
            let types = events.compactMap { $0["type"] as? String }
            #expect(Array(types.suffix(3)) == ["topic.changed", "language.changed", "risk.corrected"])
            let correction = try #require(events.last?["payload"] as? [String: Any])
            #expect(correction["from"] as? String == "critical")
            #expect(correction["harms_from"] as? [String] == ["self_harm"])
            #expect(correction["harms_to"] as? [String] == [])
            let stored = try #require(try await app.services.tickets.find(.id(UUID(uuidString: id)!), includeInternal: true))
            let log = try #require(try await app.services.tickets.events(of: .id(stored.id)))
            #expect(TicketState.replay(try log.map { try $0.change() }) == stored.state)

            // A miss added: critical makes the ticket urgent, like triage would have.
            let raised = try await client.execute(
                uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: json(["risk_level": "critical", "harms": ["violent_threat"]])
            ) { try object($0) }
            #expect(raised["priority"] as? String == "urgent")
            #expect(raised["harms"] as? [String] == ["violent_threat"])
        }
    }

    @Test func badCorrectionsAreNamed() async throws {
        try await withApp { app, client in
            let id = try #require(try await client.createTicket(app.admin, ticketBody())["id"] as? String)
            for (body, field) in [
                (["topic": "billing"], "topic"), (["risk_level": "critical"], "harms"), (["risk_level": "high", "harms": ["spam"]], "harms"),
                (["language": "not a language"], "language"), (["risk_level": "none", "harms": ["bullying"]], "harms"),
            ] as [([String: Any], String)] {
                try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: json(body)) { response in
                    let problem = try expectProblem(response, .unprocessableContent, code: "validation_failed")
                    #expect(fields(problem) == [field], "\(body): \(problem)")
                }
            }
        }
    }

    @Test func solvedTicketsTeachTheTopicModel() async throws {
        try await withApp { app, client in
            // "Stream key" is in no keyword list: the cold start cannot place it.
            let text = "My stream key stopped working with OBS"
            let before = try await client.createTicket(app.admin, ticketBody(text, email: "k0@example.com", locale: "en"))
            #expect((before["suggested_topic"] as? [String: Any])?["topic"] as? String != "creator_tools")
            for index in 1...6 {
                let ticket = try await client.createTicket(app.admin, ticketBody("stream key problem number \(index) with OBS", email: "k\(index)@example.com", locale: "en"))
                let id = try #require(ticket["id"] as? String)
                try await client.execute(
                    uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: json(["topic": "creator_tools", "status": "solved"])
                ) { #expect($0.status == .ok, "\(String(buffer: $0.body))") }
            }
            #expect(try await app.services.topics.catchUp() == 6)
            #expect(app.services.topics.examplesLearned == 6)
            let after = try await client.createTicket(app.admin, ticketBody(text, email: "k9@example.com", locale: "en"))
            #expect((after["suggested_topic"] as? [String: Any])?["topic"] as? String == "creator_tools")
            // A second node (a new learner on the same database) learns the same examples.
            let other = TopicLearner(
                model: TopicModel(keywords: TriageModels.topicKeywords), examples: SQLTopicExampleRepository(database: app.services.database), risk: TriageModels.risk)
            #expect(try await other.catchUp() == 6)
            #expect(other.suggest(TriageText(text), harms: []) == app.services.topics.suggest(TriageText(text), harms: []))
        }
    }

    @Test func theQualityReportCountsDisagreements() async throws {
        try await withApp { app, client in
            let threat = try await client.createTicket(app.admin, ticketBody("je vais te tuer, je sais où tu habites", email: "a@example.com", locale: "fr"))
            let hacked = try await client.createTicket(app.admin, ticketBody("my account was hacked", email: "b@example.com", locale: "en"))
            _ = try await client.createTicket(app.admin, ticketBody("Minha conta foi hackeada, mudaram minha senha", email: "c@example.com"))
            for (ticket, body) in [
                (threat, ["risk_level": "none", "harms": [String](), "topic": "other"] as [String: Any]),
                (hacked, ["topic": "hacked_account", "language": "en-GB"]),
            ] {
                let id = try #require(ticket["id"] as? String)
                try await client.execute(uri: "/api/v1/tickets/\(id)", method: .patch, headers: app.admin.header, body: json(body)) {
                    #expect($0.status == .ok, "\(String(buffer: $0.body))")
                }
            }
            let report = try await client.execute(uri: "/api/v1/reports/triage-quality", method: .get, headers: app.admin.header) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
                return try object($0)
            }
            #expect(report["tickets"] as? Int == 3)
            let languages = Dictionary(uniqueKeysWithValues: (report["languages"] as? [[String: Any]] ?? []).map { ($0["language"] as? String ?? "", $0) })
            #expect(languages["fr"]?["risk_corrections"] as? Int == 1)
            #expect(languages["fr"]?["topic_corrections"] as? Int == 1)
            #expect(languages["en"]?["language_corrections"] as? Int == 1)
            #expect(languages["en"]?["topics_set"] as? Int == 1)
            #expect(languages["en"]?["topic_corrections"] as? Int == 0)
            #expect(languages["pt"]?["tickets"] as? Int == 1)
            let harms = Dictionary(uniqueKeysWithValues: (report["harms"] as? [[String: Any]] ?? []).map { ($0["harm"] as? String ?? "", $0) })
            #expect(harms["violent_threat"]?["flagged"] as? Int == 1)
            #expect(harms["violent_threat"]?["removed"] as? Int == 1)
            let pairs = (report["topics"] as? [[String: Any]] ?? []).map { "\($0["suggested"] ?? "")>\($0["set"] ?? ""):\($0["count"] ?? "")" }
            #expect(Set(pairs) == ["safety_report>other:1", "hacked_account>hacked_account:1"])

            // Agents without a lead role do not see it; a bad period is named.
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            try await client.execute(uri: "/api/v1/reports/triage-quality", method: .get, headers: agent.header) { try expectProblem($0, .forbidden, code: "forbidden") }
            try await client.execute(uri: "/api/v1/reports/triage-quality?since=yesterday", method: .get, headers: app.admin.header) {
                try expectProblem($0, .badRequest, code: "invalid_query")
            }
        }
    }

    @Test func assessShowsWhatTriageWouldStore() async throws {
        try await withApp { app, client in
            let answer = try await client.execute(
                uri: "/api/v1/triage/assess", method: .post, headers: app.admin.header, body: json(["text": "ana 3ayez amoot, mafish 7aga leha ma3na"])
            ) { try object($0) }
            #expect(answer["language"] as? String == "ar-Latn")
            #expect((answer["risk"] as? [String: Any])?["level"] as? String == "critical")
            #expect((answer["topic"] as? [String: Any])?["topic"] as? String == "safety_report")
            try await client.execute(uri: "/api/v1/triage/assess", method: .post, headers: app.admin.header, body: json(["text": ""])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["text"])
            }
        }
    }
}
