import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// The workspace kept live: offers shown and answered on the page, changes pushed to open pages, and who else is on
/// a ticket (collision detection), with real WebSocket clients against the real server.
@Suite struct WorkspaceLiveTests {
    @Test func openPagesHearOfChangesAndOfWhoElseIsOnTheTicket() async throws {
        try await withApp(live: true) { app, client in
            let port = try #require(client.port)
            let ana = try await addAgent(app.services, email: "ana@haven.test", name: "Ana Lima", roles: [.agent, .safety])
            let bob = try await addAgent(app.services, email: "bob@haven.test", name: "Bob Costa", roles: [.agent])
            let anaPage = ChatProbe(port: port, path: "/workspace/socket", headers: try await ChatTests.agentCookie(app, agent: ana))
            let bobPage = ChatProbe(port: port, path: "/workspace/socket", headers: try await ChatTests.agentCookie(app, agent: bob))
            try await Task.sleep(for: .milliseconds(300))

            // A new ticket: every open page hears of it (by id only), within the second's gathering.
            let created = try await client.createTicket(app.admin, ticketBody("Minha live caiu e não volta"))
            let id = try #require(created["id"] as? String).lowercased()
            let number = try #require(created["number"] as? Int)
            let heard = try await anaPage.next("changed")["tickets"] as? [String]
            #expect(heard == [id], "\(String(describing: heard)) vs \(id)")
            #expect(try await bobPage.next("changed")["tickets"] as? [String] == [id])

            // Ana and Bob open the ticket; Bob starts writing: Ana sees it, and sees him leave.
            anaPage.send(["type": "viewing", "ticket": number])
            try await Task.sleep(for: .milliseconds(200))
            bobPage.send(["type": "viewing", "ticket": number, "typing": true])
            let typing = try await anaPage.next("presence")
            #expect(typing["name"] as? String == "Bob Costa" && typing["typing"] as? Bool == true && typing["left"] as? Bool == false)
            #expect(try await bobPage.next("presence")["name"] as? String == "Ana Lima")
            bobPage.close()
            var left: [String: Any] = [:]
            while left["left"] as? Bool != true { left = try await anaPage.next("presence") }
            #expect(left["name"] as? String == "Bob Costa")

            // Someone untrained cannot announce themselves on a safety ticket (nor learn who is on it).
            _ = try await app.services.directory.addQueue(slug: "safety", name: "Safety · Critical", team: nil, isDefault: false)
            let critical = try await client.createTicket(app.admin, ticketBody("I want to kill myself tonight, I have pills ready"))
            let criticalNumber = try #require(critical["number"] as? Int)
            #expect(try await app.services.tickets.find(.number(criticalNumber), includeInternal: false)?.queue?.slug == "safety")
            anaPage.send(["type": "viewing", "ticket": criticalNumber])
            let noah = try await addAgent(app.services, email: "noah@haven.test", name: "Noah Silva", roles: [.agent])
            let noahPage = ChatProbe(port: port, path: "/workspace/socket", headers: try await ChatTests.agentCookie(app, agent: noah))
            noahPage.send(["type": "viewing", "ticket": criticalNumber])
            #expect(try await anaPage.all("presence", within: .seconds(1)).filter { $0["name"] as? String == "Noah Silva" }.isEmpty)
            #expect(try await noahPage.all("presence", within: .milliseconds(10)).isEmpty)

            // No session, or another site's page, no socket.
            #expect(try await ChatProbe(port: port, path: "/workspace/socket").closes())
            var crossSite = try await ChatTests.agentCookie(app, agent: ana)
            crossSite[.origin] = "https://evil.example"
            #expect(try await ChatProbe(port: port, path: "/workspace/socket", headers: crossSite).closes())
            anaPage.close()
            noahPage.close()
        }
    }

    /// A change committed after a page was read but before its socket listened (a chat started while the inbox loads)
    /// is not missed: the socket compares the page's change mark and tells it to refresh; a page up to date is left alone.
    @Test func aChangeBeforeThePagesSocketListenedStillRefreshesIt() async throws {
        try await withApp(live: true) { app, client in
            let port = try #require(client.port)
            let ana = try await addAgent(app.services, email: "ana@haven.test", name: "Ana Lima")
            var cookie = try await ChatTests.agentCookie(app, agent: ana)
            let mark: @Sendable (HTTPFields) async throws -> String = { headers in
                var headers = headers
                headers[.accept] = "text/html"
                return try await client.execute(uri: "/inbox", method: .get, headers: headers) { response in
                    let page = String(buffer: response.body)
                    let found = try #require(page.firstMatch(of: #/data-changes="([^"]+)"/#), "the page carries its change mark")
                    return String(found.output.1)
                }
            }
            let before = try await mark(cookie)
            _ = try await client.createTicket(app.admin, ticketBody("Minha live caiu e não volta"))
            let after = try await mark(cookie)
            #expect(before != after)

            let late = ChatProbe(port: port, path: "/workspace/socket", headers: cookie)
            late.send(["type": "since", "mark": before])
            #expect(try await late.next("changed")["tickets"] as? [String] == [])
            cookie = try await ChatTests.agentCookie(app, agent: ana)
            let current = ChatProbe(port: port, path: "/workspace/socket", headers: cookie)
            current.send(["type": "since", "mark": after])
            #expect(try await current.all("changed", within: .milliseconds(1500)).isEmpty)
            late.close()
            current.close()
        }
    }

    /// A key or a click on an open page (the page's `active` frame) brings back online an agent Haven had set away,
    /// and the page is told, so its presence menu follows.
    @Test func activityOnAnOpenPageBringsBackAnAgentHavenSetAway() async throws {
        let clock = TestClock()
        try await withApp(clock: clock, live: true) { app, client in
            let port = try #require(client.port)
            let ana = try await addAgent(app.services, email: "ana@haven.test", name: "Ana Lima")
            _ = try await app.services.assignments.setPresence(.online, for: ana.agent.id)
            _ = try await app.services.assignments.recordActivity(of: ana.agent.id)
            clock.advance(by: 700)
            #expect(try await app.services.assignments.applyIdle(PresencePolicy()) == 1)
            let page = ChatProbe(port: port, path: "/workspace/socket", headers: try await ChatTests.agentCookie(app, agent: ana))
            try await Task.sleep(for: .milliseconds(200))
            page.send(["type": "active"])
            #expect(try await page.next("own_presence")["presence"] as? String == "online")
            #expect(try await app.services.routing.agentRouting(ana.agent.id.uuidString).presence == .online)
            page.close()
        }
    }

    @Test func offersShowAboveEveryPageAndAreAnsweredThere() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "live", name: "BR · LIVE", team: nil, isDefault: true)
            let ana = try await addAgent(app.services, email: "ana@haven.test", name: "Ana Lima", languages: ["pt-BR"])
            _ = try await app.services.routing.updateQueueRouting(
                "live", assignment: QueueAssignment(mode: .push, strategy: .longestIdle, offerTimeout: 120), members: ["ana@haven.test"],
                by: app.admin.agent.id)
            _ = try await app.services.assignments.setPresence(.online, for: ana.agent.id)
            let first = try await client.createTicket(app.admin, ticketBody("Minha live caiu no meio da transmissão", email: "c@example.com"))
            let second = try await client.createTicket(app.admin, ticketBody("Não recebi meus presentes da live", email: "d@example.com"))
            #expect(try await app.services.assignments.offerWaiting() == 2)
            var browser = Browser(client: client)
            _ = try await browser.signIn("ana@haven.test", testPassword)

            let inbox = try await browser.get("/inbox")
            #expect(inbox.text.contains("Offered to you") && inbox.text.contains("/tickets/\(first["number"]!)/offer/accept"))
            let csrf = try #require(inbox.value(of: "csrf"))
            // Accepted: the ticket opens as hers. Declined: back to the inbox, the offer gone.
            let accepted = try await browser.post("/tickets/\(first["number"]!)/offer/accept", ["csrf": csrf])
            #expect(accepted.headers[.location] == "/tickets/\(first["number"]!)?notice=taken")
            let firstID = try #require(UUID(uuidString: first["id"] as! String))
            #expect(try await app.services.tickets.find(.id(firstID), includeInternal: false)?.assignee?.id == ana.agent.id)
            let declined = try await browser.post("/tickets/\(second["number"]!)/offer/decline", ["csrf": csrf])
            #expect(declined.headers[.location] == "/inbox?notice=declined")
            let after = try await browser.get("/inbox?notice=declined")
            #expect(!after.text.contains("Offered to you") && after.text.contains("Offer declined"))
            // An offer that is not hers (any more) is refused in words, not a crash.
            let again = try await browser.post("/tickets/\(second["number"]!)/offer/accept", ["csrf": csrf])
            #expect(again.status == .conflict && again.text.contains("no open offer"))
        }
    }
}
