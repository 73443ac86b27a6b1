import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// Wellbeing by default, on the real app and database: media on risky tickets blurred until revealed, each reveal
/// and each risky ticket opened counted for the agent alone, and a break suggested when critical content piles up.
/// The blur itself (CSS) and the in-place reveal are driven in Chromium by scripts/e2e-workspace.py.
@Suite struct WorkspaceWellbeingTests {
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 9, count: 64)

    /// A ticket with a picture in its second message; returns its number and the picture's id (lowercase).
    func ticket(_ text: String, email: String, app: TestApp, client: any TestClientProtocol) async throws -> (Int, String) {
        var headers = app.admin.header
        headers[.contentType] = "image/png"
        let file = try await client.execute(uri: "/api/v1/attachments?filename=evidence.png", method: .post, headers: headers, body: ByteBuffer(bytes: Self.png)) {
            try object($0)
        }
        let id = try #require(file["id"] as? String)
        let created = try await client.createTicket(app.admin, ticketBody(text, email: email))
        let number = try #require(created["number"] as? Int)
        try await client.execute(uri: "/api/v1/tickets/\(number)/messages", method: .post, headers: app.admin.header, body: json(["body": "Screenshot", "attachment_ids": [id], "visibility": "internal"])) {
            #expect($0.status == .created, "\(String(buffer: $0.body))")
        }
        return (number, id.lowercased())
    }

    @Test func mediaOnRiskyTicketsIsShieldedAndEveryRevealIsCountedForTheAgentAlone() async throws {
        try await withApp { app, client in
            let (risky, picture) = try await ticket("Quero me matar, não aguento mais", email: "ana@example.com", app: app, client: client)
            let (ordinary, plain) = try await ticket("Esqueci minha senha", email: "bia@example.com", app: app, client: client)
            #expect(try await app.services.tickets.summary(.number(risky))?.riskLevel == .critical)
            var browser = Browser(client: client)
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            #expect(try await browser.get("/inbox").text.contains("Exposure (24 h): 0"))

            // The risky ticket: its picture blurred, with a reveal form and no download link shown; opening it counts.
            let page = try await browser.get("/tickets/\(risky)")
            #expect(page.text.contains("id=\"file-\(picture)\" class=\"media shielded\""))
            #expect(page.text.contains("action=\"/attachments/\(picture)/reveal\""))
            #expect(page.text.contains("Exposure (24 h): 1"))
            // Reading it again within the hour is not new exposure.
            #expect(try await browser.get("/tickets/\(risky)").text.contains("Exposure (24 h): 1"))
            // An ordinary ticket's picture is shown as it is, and opening it counts nothing.
            let other = try await browser.get("/tickets/\(ordinary)")
            #expect(other.text.contains("id=\"file-\(plain)\" class=\"media\"") && !other.text.contains("/attachments/\(plain)/reveal\""))
            #expect(other.text.contains("Exposure (24 h): 1"))

            // Revealing, as the page's script does: counted, answered with the new count.
            let csrf = try #require(page.value(of: "csrf"))
            let answer = try await browser.send("/attachments/\(picture)/reveal", method: .post, headers: ["Accept": "application/json", "X-CSRF-Token": csrf])
            #expect(answer.status == .ok && answer.text.contains("\"exposure\":\"2\""), "\(answer.text)")
            // Without a script: counted too, and the ticket comes back with that one picture shown.
            let posted = try await browser.post("/attachments/\(picture)/reveal", ["csrf": csrf])
            #expect(posted.status == .seeOther && posted.headers[.location] == "/tickets/\(risky)?reveal=\(picture)#file-\(picture)")
            let shown = try await browser.get("/tickets/\(risky)?reveal=\(picture)")
            #expect(shown.text.contains("id=\"file-\(picture)\" class=\"media\"") && shown.text.contains("Exposure (24 h): 3"))
            // A forged reveal (no token) changes nothing; revealing an unshielded picture is not exposure.
            #expect(try await browser.post("/attachments/\(picture)/reveal", [:]).status == .forbidden)
            _ = try await browser.send("/attachments/\(plain)/reveal", method: .post, headers: ["Accept": "application/json", "X-CSRF-Token": csrf])
            let mine = try await app.services.wellbeing.exposures(of: app.admin.agent.id, since: .distantPast)
            #expect(mine.map(\.kind) == [.riskyTicket, .reveal, .reveal])
            #expect(mine.allSatisfy { $0.level == .critical })

            // The agent's own page adds it up; another agent's record is their own, and empty.
            let wellbeing = try await browser.get("/wellbeing")
            #expect(wellbeing.text.contains("<td id=\"reveals-day\">2</td>") && wellbeing.text.contains("<td id=\"risky-week\">1</td>"))
            let colleague = try await addAgent(app.services, email: "colleague@haven.test")
            var theirs = Browser(client: client)
            _ = try await theirs.signIn(colleague.agent.email, testPassword)
            #expect(try await theirs.get("/wellbeing").text.contains("<td id=\"reveals-day\">0</td>"))
        }
    }

    @Test func aBreakIsSuggestedAfterCriticalContentAndTakingItSetsTheAgentAway() async throws {
        try await withApp { app, client in
            let (risky, picture) = try await ticket("Quero me matar, não aguento mais", email: "ana@example.com", app: app, client: client)
            var browser = Browser(client: client)
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            let page = try await browser.get("/tickets/\(risky)")
            #expect(!page.text.contains("class=\"break-prompt\""))
            let csrf = try #require(page.value(of: "csrf"))
            // Opened, and revealed three times: four pieces of critical content, one short of the default five.
            for _ in 1...3 { _ = try await browser.post("/attachments/\(picture)/reveal", ["csrf": csrf]) }
            #expect(!(try await browser.get("/inbox").text.contains("class=\"break-prompt\"")))
            let answer = try await browser.send("/attachments/\(picture)/reveal", method: .post, headers: ["Accept": "application/json", "X-CSRF-Token": csrf])
            #expect(answer.text.contains("\"break_due\":true"), "\(answer.text)")
            let prompted = try await browser.get("/inbox")
            #expect(prompted.text.contains("class=\"break-prompt\"") && prompted.text.contains("You have seen 5 pieces of critical content"))

            // "Later": gone, back to the page the agent was on, until as much again.
            let later = try await browser.send("/wellbeing/later", method: .post, headers: ["X-CSRF-Token": csrf, "Referer": "http://localhost/inbox?view=all"])
            #expect(later.headers[.location] == "/inbox?view=all")
            #expect(!(try await browser.get("/inbox").text.contains("class=\"break-prompt\"")))
            for _ in 1...5 { _ = try await browser.post("/attachments/\(picture)/reveal", ["csrf": csrf]) }
            #expect(try await browser.get("/inbox").text.contains("class=\"break-prompt\""))

            // The break: the agent goes away (no offers while away) and the count starts again.
            let taken = try await browser.post("/wellbeing/break", ["csrf": csrf])
            #expect(taken.headers[.location] == "/wellbeing?notice=break")
            #expect(try await app.services.routing.agentRouting(app.admin.agent.id.uuidString).presence == .away)
            let after = try await browser.get("/wellbeing?notice=break")
            #expect(after.text.contains("You are away: new offers wait.") && !after.text.contains("class=\"break-prompt\""))
            #expect(after.text.contains("Critical content since your last break: 0"))
        }
    }
}
