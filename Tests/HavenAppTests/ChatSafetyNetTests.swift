import Foundation
@testable import HavenApp
import HavenCore
import HavenStorage
import Testing

/// The chat catch-up's safety net: a line whose notice never reached this node (its listener was cut off) is found by
/// one look at the database and sent, and a chat with nothing new is left alone.
@Suite struct ChatSafetyNetTests {
    @Test func aLineWhoseNoticeWasLostIsFoundAndOnlyChatsLeftBehindAreWoken() async throws {
        try await withApp(live: true) { app, client in
            let port = try #require(client.port)
            let started = try await ChatTests.start(client)
            let conversation = try #require(started["conversation"] as? String)
            let ticket = try #require(UUID(uuidString: conversation))
            let customer = ChatProbe(port: port, path: "/chat/socket")
            defer { customer.close() }
            let token = try #require(started["token"] as? String)
            customer.send(["type": "hello", "token": token, "after": 0])
            _ = try await customer.next("welcome")
            let opening = try await customer.next("entry")
            let first = try #require(opening["seq"] as? Int)

            // The hub knows how far the connection has sent; nothing is after it, so the look wakes nobody.
            var cursor = app.services.chatHub.cursors[ticket]
            for _ in 0..<100 where cursor != first {
                try await Task.sleep(for: .milliseconds(20))
                cursor = app.services.chatHub.cursors[ticket]
            }
            #expect(cursor == first)
            #expect(try await app.services.chats.ticketsWithEntries(after: [ticket: first]).isEmpty)
            #expect(try await app.services.chats.ticketsWithEntries(after: [ticket: 0]) == [ticket])

            // A change the chat does not show (a tag) is not an entry.
            _ = try await app.services.tickets.update(.id(ticket), with: TicketUpdate(tags: ["live"]), actor: .system)
            #expect(try await app.services.chats.ticketsWithEntries(after: [ticket: first]).isEmpty)

            // Another node writes a line; its notice never reaches this node (no listener here): nothing arrives...
            let otherNode = try HavenDatabase(location: app.location, logger: TestDatabase.logger, poolSize: 1)
            let agent = Actor.agent(app.admin.agent.id.uuidString.lowercased())
            do {
                _ = try await SQLTicketRepository(database: otherNode).addMessage(
                    to: .id(ticket), NewMessage(body: "Are you still there?", visibility: .public), actor: agent)
            } catch {
                await otherNode.shutdown()
                throw error
            }
            await otherNode.shutdown()
            #expect(try await customer.all("entry", within: .milliseconds(300)).isEmpty)
            #expect(try await app.services.chats.ticketsWithEntries(after: [ticket: first]) == [ticket])

            // ...until the safety net looks: the line is sent, once.
            try await app.services.wakeChatsLeftBehind()
            let line = try await customer.next("entry")
            #expect(line["text"] as? String == "Are you still there?")
            #expect(try await customer.all("entry", within: .milliseconds(200)).isEmpty)
        }
    }
}
