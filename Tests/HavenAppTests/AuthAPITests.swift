import Foundation
import HavenApp
import HavenCore
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthAPITests {
    @Test func tokenForRightPasswordOnly() async throws {
        try await withApp { app, client in
            let wrong = json(["email": "lead@haven.test", "password": "nope nope nope"])
            try await client.execute(uri: "/api/v1/auth/tokens", method: .post, headers: [.contentType: "application/json"], body: wrong) {
                try expectProblem($0, .unauthorized, code: "unauthenticated")
            }
            let unknown = json(["email": "ghost@haven.test", "password": testPassword])
            try await client.execute(uri: "/api/v1/auth/tokens", method: .post, headers: [.contentType: "application/json"], body: unknown) {
                try expectProblem($0, .unauthorized, code: "unauthenticated")
            }
            let good = json(["email": "LEAD@haven.test", "password": testPassword])
            let token = try await client.execute(uri: "/api/v1/auth/tokens", method: .post, headers: [.contentType: "application/json"], body: good) {
                #expect($0.status == .created)
                return try #require(try object($0)["token"] as? String)
            }
            #expect(token.hasPrefix("hvn_"))
            try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                #expect($0.status == .ok)
                let body = try object($0); #expect(body["email"] as? String == "lead@haven.test")
            }
        }
    }

    @Test func missingMalformedAndRevokedTokensAreRefused() async throws {
        try await withApp { app, client in
            try await client.execute(uri: "/api/v1/tickets", method: .get) { try expectProblem($0, .unauthorized, code: "unauthenticated") }
            try await client.execute(uri: "/api/v1/tickets", method: .get, headers: [.authorization: "Basic abc"]) {
                try expectProblem($0, .unauthorized, code: "unauthenticated")
            }
            try await client.execute(uri: "/api/v1/tickets", method: .get, headers: [.authorization: "Bearer hvn_made_up"]) {
                try expectProblem($0, .unauthorized, code: "unauthenticated")
            }
            try await client.execute(uri: "/api/v1/auth/tokens/current", method: .delete, headers: app.admin.header) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/v1/tickets", method: .get, headers: app.admin.header) {
                try expectProblem($0, .unauthorized, code: "unauthenticated")
            }
        }
    }

    @Test func tokenIsStoredOnlyAsAHash() async throws {
        try await withApp { app, _ in
            let stored = try await app.services.database.scalar("SELECT token_hash FROM api_tokens", as: String.self)
            #expect(stored?.count == 64)
            #expect(stored != app.admin.token)
        }
    }
}

@Suite struct HealthAPITests {
    @Test func healthReadinessAndOpenAPI() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { response throws in let body = try object(response); #expect(body["status"] as? String == "ready") }
            try await client.execute(uri: "/api/v1/openapi.json", method: .get) {
                #expect($0.status == .ok)
                let body = try object($0); #expect(body["openapi"] as? String == "3.1.0")
            }
            try await client.execute(uri: "/no/such/page", method: .get) { try expectProblem($0, .notFound, code: "not_found") }
        }
    }

    @Test func sqliteRunsInWALWithFullSync() async throws {
        try await withApp { app, _ in
            guard case .sqlite = app.location else { return }
            let journal = try await app.services.database.scalar("PRAGMA journal_mode", as: String.self)
            #expect(journal == "wal")
            // 2 = FULL: every commit is fsynced before the request is answered.
            let synchronous = try await app.services.database.scalar("PRAGMA synchronous", as: Int.self)
            #expect(synchronous == 2)
        }
    }
}

@Suite struct OpenAPIDocumentTests {
    /// Every route the router serves is described in the document, and the document describes no route that does not exist.
    @Test func documentListsEveryEventType() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/HavenApp/Resources/openapi.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let properties = try #require((schemas["TicketEvent"] as? [String: Any])?["properties"] as? [String: Any])
        let listed = try #require((properties["type"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(listed) == Set(TicketChange.types))
        // And the domain's list is every change's type.
        let state = TicketState(subject: "s", channel: .email, status: .new, priority: .normal, language: nil, queueID: nil, assigneeID: nil,
                                requesterID: "r", tags: [], topic: nil)
        let changes: [TicketChange] = [
            .created(state), .messageAdded(messageID: "m", author: .system, visibility: .public), .statusChanged(from: .new, to: .open),
            .priorityChanged(from: .normal, to: .high), .queueChanged(from: nil, to: "q"), .assigneeChanged(from: nil, to: "a"),
            .tagsChanged(from: [], to: ["x"]), .linked(ticketID: "t", number: 1, reason: "r"), .mailFailed(messageID: nil, recipient: "r", reason: "r"),
            .riskDetected(messageID: "m", level: .high, harms: [.bullying]), .topicChanged(from: nil, to: .bug), .languageChanged(from: nil, to: "fr"),
            .riskCorrected(from: .high, to: .none, harmsFrom: [.bullying], harmsTo: []),
            .routed(RoutingNote(queue: "q", rule: 1, reason: "r", slaPolicy: nil, priorityScore: 100, priorityReasons: [])),
            .offered(agentID: "a", expiresAt: "2026-11-22T10:00:00Z", why: "w"), .offerEnded(agentID: "a", outcome: .declined),
            .slaWarning(metric: .firstReply, dueAt: "2026-11-22T10:00:00Z"), .slaBreached(metric: .resolution, dueAt: "2026-11-22T10:00:00Z"),
            .chatEnded(by: .contact), .transcriptSent(by: .contact),
        ]
        #expect(changes.map(\.type) == TicketChange.types)
    }

    @Test func documentMatchesTheRouter() async throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Sources/HavenApp/Resources/openapi.json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where method != "parameters" { described.insert("\(method.uppercased()) \(path)") }
        }
        let served: Set<String> = [
            "GET /healthz", "GET /readyz", "GET /api/v1/openapi.json", "POST /api/v1/auth/tokens", "DELETE /api/v1/auth/tokens/current",
            "GET /api/v1/me", "POST /api/v1/tickets", "GET /api/v1/tickets", "GET /api/v1/tickets/{id}", "PATCH /api/v1/tickets/{id}",
            "GET /api/v1/tickets/{id}/events", "POST /api/v1/tickets/{id}/messages", "POST /api/v1/attachments", "GET /api/v1/attachments/{id}",
            "POST /api/v1/mail/inbound", "GET /api/v1/mail/quarantine", "GET /api/v1/mail/quarantine/{id}/raw", "POST /api/v1/mail/quarantine/{id}/reprocess",
            "GET /api/v1/mail/templates", "PUT /api/v1/mail/templates/{key}/{locale}", "DELETE /api/v1/mail/templates/{key}/{locale}",
            "GET /api/v1/mail/outbox", "GET /api/v1/queues", "PATCH /api/v1/queues/{queue}", "GET /api/v1/notifications",
            "POST /api/v1/notifications/{id}/read", "GET /api/v1/reports/triage-quality", "POST /api/v1/triage/assess",
            "POST /api/v1/apps", "GET /api/v1/apps", "PATCH /api/v1/apps/{app}", "POST /api/v1/apps/{app}/secret",
            "POST /api/v1/app/uploads", "POST /api/v1/app/requests", "GET /api/v1/app/requests", "GET /api/v1/app/requests/{id}",
            "POST /api/v1/app/requests/{id}/messages", "POST /api/v1/app/requests/{id}/solve", "GET /api/v1/app/updates",
            "GET /api/v1/app/attachments/{id}", "GET /api/v1/routing/rules", "PUT /api/v1/routing/rules", "POST /api/v1/routing/test",
            "GET /api/v1/sla/policies", "PUT /api/v1/sla/policies", "GET /api/v1/queues/{queue}/routing", "PATCH /api/v1/queues/{queue}/routing",
            "GET /api/v1/agents/{agent}/routing", "PATCH /api/v1/agents/{agent}/routing", "PUT /api/v1/agents/{agent}/presence",
            "POST /api/v1/assignments/next", "POST /api/v1/tickets/{id}/offer/accept", "POST /api/v1/tickets/{id}/offer/decline",
            "GET /api/v1/tickets/{id}/sla", "GET /api/v1/audit",
            "GET /api/v1/canned-responses", "POST /api/v1/canned-responses", "GET /api/v1/canned-responses/{id}",
            "PATCH /api/v1/canned-responses/{id}", "DELETE /api/v1/canned-responses/{id}",
        ]
        #expect(described == served)
        // And each of those is really routed: an unrouted path answers 404 `not_found` with the "No such endpoint" detail.
        try await withApp { app, client in
            for route in served {
                let parts = route.split(separator: " ")
                let path = String(parts[1]).replacingOccurrences(of: "{id}", with: "1")
                try await client.execute(uri: path, method: HTTPRequest.Method(String(parts[0]))!, headers: app.admin.header) { response in
                    let text = String(buffer: response.body)
                    #expect(!text.contains("No such endpoint"), "\(route) is not routed")
                }
            }
        }
    }

}
