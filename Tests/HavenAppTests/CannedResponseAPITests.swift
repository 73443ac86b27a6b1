import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// Canned responses: written by admins (API and admin page, checked alike, audited), read by every agent, and
/// inserted into a reply in the customer's language with the ticket's details filled in.
@Suite struct CannedResponseAPITests {
    static var reset: [String: Any] { [
        "name": "Password reset",
        "texts": [
            ["locale": "en", "text": "Hi {{customer_name}}, I sent a reset link. {{agent_name}}"],
            ["locale": "pt-BR", "text": "Oi, {{customer_name}}! Enviei o link (ticket #{{ticket_number}}). {{agent_name}}"],
        ],
    ] }

    @Test func adminsWriteThemAgentsReadThemAndEveryChangeIsAudited() async throws {
        try await withApp { app, client in
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            // Agents read but may not write.
            try await client.execute(uri: "/api/v1/canned-responses", method: .post, headers: agent.header, body: json(Self.reset)) {
                try expectProblem($0, .forbidden, code: "forbidden")
            }
            let created = try await client.execute(uri: "/api/v1/canned-responses", method: .post, headers: app.admin.header, body: json(Self.reset)) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
                return try object($0)
            }
            let id = try #require(created["id"] as? String)
            #expect((created["texts"] as? [[String: Any]])?.compactMap { $0["locale"] as? String } == ["en", "pt-BR"])
            try await client.execute(uri: "/api/v1/canned-responses", method: .get, headers: agent.header) {
                let items = try object($0)["items"] as? [[String: Any]]
                #expect(items?.first?["name"] as? String == "Password reset")
            }
            // Renamed, then its texts replaced as a whole: the Portuguese text goes.
            try await client.execute(uri: "/api/v1/canned-responses/\(id)", method: .patch, headers: app.admin.header, body: json(["name": "Reset link"])) {
                let renamed = try object($0)
                #expect(renamed["name"] as? String == "Reset link")
            }
            try await client.execute(uri: "/api/v1/canned-responses/\(id)", method: .patch, headers: app.admin.header,
                                     body: json(["texts": [["locale": "fr", "text": "Bonjour {{customer_name}}"]]])) {
                let texts = try object($0)["texts"] as? [[String: Any]]
                #expect(texts?.count == 1)
            }
            try await client.execute(uri: "/api/v1/canned-responses/\(id)", method: .delete, headers: app.admin.header) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/v1/canned-responses/\(id)", method: .get, headers: agent.header) { try expectProblem($0, .notFound, code: "not_found") }
            let audit = try await client.execute(uri: "/api/v1/audit", method: .get, headers: app.admin.header) {
                try #require(try object($0)["items"] as? [[String: Any]]).compactMap { $0["action"] as? String }
            }
            #expect(audit.filter { $0.hasPrefix("canned_response.") } == ["canned_response.deleted", "canned_response.updated", "canned_response.updated", "canned_response.created"])
        }
    }

    @Test func aRefusedResponseSaysWhatToFix() async throws {
        try await withApp { app, client in
            func refused(_ body: [String: Any]) async throws -> [String] {
                try await client.execute(uri: "/api/v1/canned-responses", method: .post, headers: app.admin.header, body: json(body)) {
                    let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                    return ((problem["errors"] as? [[String: Any]]) ?? []).map { "\($0["field"] as? String ?? ""): \($0["problem"] as? String ?? "")" }
                }
            }
            #expect(try await refused(["name": "x", "texts": [["locale": "en", "text": "Hi {{customer}}"]]]) == [
                "texts.en: The en text uses {{customer}}, which Haven does not know; the variables are agent_name, customer_name, subject, ticket_number.",
            ])
            #expect(try await refused(["name": "x", "texts": [["locale": "es", "text": "Hola"]]]).first?.hasPrefix("texts.es: 'es' is not a language") == true)
            #expect(try await refused(["name": "x", "texts": [["locale": "en", "text": "a"], ["locale": "en", "text": "b"]]]) == ["texts[1].locale: 'en' is given twice; give each language once."])
            #expect(try await refused(["name": "", "texts": []]).map { $0.prefix(6) } == ["name: ", "texts:"])
            _ = try await client.execute(uri: "/api/v1/canned-responses", method: .post, headers: app.admin.header, body: json(Self.reset)) { $0.status }
            #expect(try await refused(Self.reset) == ["name: A canned response is already named 'Password reset'; choose another name."])
        }
    }

    @Test func theReplyBoxInsertsTheResponseInTheCustomersLanguage() async throws {
        try await withApp { app, client in
            _ = try await client.execute(uri: "/api/v1/canned-responses", method: .post, headers: app.admin.header, body: json(Self.reset)) { $0.status }
            let englishOnly: [String: Any] = ["name": "Refund policy", "texts": [["locale": "en", "text": "Refunds take 5 days."]]]
            _ = try await client.execute(uri: "/api/v1/canned-responses", method: .post, headers: app.admin.header, body: json(englishOnly)) { $0.status }
            let ticket = try await client.createTicket(app.admin, ticketBody("Esqueci minha senha", email: "ana@example.com", locale: "pt-BR"))
            let number = try #require(ticket["number"] as? Int)
            var browser = Browser(client: client)
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            let page = try await browser.get("/tickets/\(number)")
            let csrf = try #require(page.value(of: "csrf"))
            // Offered in the reply box; the one not written in Portuguese says which language it would insert.
            #expect(page.text.contains(">Password reset</option>") && page.text.contains(">Refund policy · English</option>"))
            let responses = try await app.services.cannedResponses.all()
            let reset = try #require(responses.first { $0.name == "Password reset" }).id.uuidString.lowercased()

            // As the page's script asks: the Portuguese text with the ticket's details.
            let fetched = try await browser.send("/tickets/\(number)/canned/\(reset)", method: .get, headers: ["Accept": "application/json"])
            #expect(fetched.text.contains("Oi, Ana! Enviei o link (ticket #\(number)). Lead"), "\(fetched.text)")
            #expect(fetched.text.contains("\"locale\":\"pt-BR\""))
            // Without a script: the draft kept, the response after it, nothing sent.
            let inserted = try await browser.post("/tickets/\(number)/canned", ["body": "Primeira linha", "canned": reset, "csrf": csrf])
            #expect(inserted.status == .ok)
            #expect(inserted.text.contains("required>Primeira linha\n\nOi, Ana! Enviei o link (ticket #\(number)). Lead</textarea>"))
            #expect(try await app.services.tickets.find(.number(number), includeInternal: true)?.messages?.count == 1)
            let none = try await browser.post("/tickets/\(number)/canned", ["body": "rascunho", "canned": "", "csrf": csrf])
            #expect(none.status == .unprocessableContent && none.text.contains("required>rascunho</textarea>"))
        }
    }

    @Test func theAdminPageWritesResponsesAndOnlyForAdmins() async throws {
        try await withApp { app, client in
            var admin = Browser(client: client)
            _ = try await admin.signIn(app.admin.agent.email, testPassword)
            let list = try await admin.get("/admin/canned-responses")
            #expect(list.status == .ok && list.text.contains("No canned responses yet."))
            let csrf = try #require(list.value(of: "csrf"))
            // A refused form comes back with what was typed and what to fix.
            let refused = try await admin.post("/admin/canned-responses", ["name": "Welcome", "text_ar": "أهلاً {{nome}}", "csrf": csrf])
            #expect(refused.status == .unprocessableContent && refused.text.contains("uses {{nome}}"))
            #expect(refused.text.contains("dir=\"rtl\">أهلاً {{nome}}</textarea>") && refused.text.contains("value=\"Welcome\""))
            let saved = try await admin.post("/admin/canned-responses", ["name": "Welcome", "text_ar": "أهلاً {{customer_name}}", "text_en": "Welcome!", "csrf": csrf])
            #expect(saved.headers[.location] == "/admin/canned-responses?notice=saved")
            let stored = try #require(try await app.services.cannedResponses.all().first)
            #expect(stored.texts == ["ar": "أهلاً {{customer_name}}", "en": "Welcome!"])
            let id = stored.id.uuidString.lowercased()
            #expect(try await admin.get("/admin/canned-responses").text.contains("English, العربية"))
            _ = try await admin.post("/admin/canned-responses/\(id)", ["name": "Welcome back", "text_en": "Welcome back!", "csrf": csrf])
            #expect(try await app.services.cannedResponses.find(stored.id)?.texts == ["en": "Welcome back!"])

            // Not for agents: no link to it, and a page saying so.
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            var browser = Browser(client: client)
            _ = try await browser.signIn(agent.agent.email, testPassword)
            #expect(!(try await browser.get("/inbox").text.contains("id=\"nav-admin\"")))
            let forbidden = try await browser.get("/admin/canned-responses")
            #expect(forbidden.status == .forbidden && forbidden.text.contains("Only an admin can change this."))
            let agentsToken = try #require(try await browser.get("/inbox").value(of: "csrf"))
            #expect(try await browser.post("/admin/canned-responses/\(id)/delete", ["csrf": agentsToken]).status == .forbidden)

            _ = try await admin.post("/admin/canned-responses/\(id)/delete", ["csrf": csrf])
            #expect(try await app.services.cannedResponses.all().isEmpty)
        }
    }
}
