import Foundation
import HavenCore
@testable import HavenStorage
import Testing

/// A chat line this node just committed reaches woken connections from memory (`RecentTicketEvents`) exactly as a
/// read of the database would give it: the same frames for both sides, the customer's internal-note filter included.
@Suite(.serialized) struct ChatHandOffTests {
    @Test func aLineCommittedHereIsHandedOnAsTheDatabaseHasIt() async throws {
        try await withApp { app, client in
            let ticket = try await client.createTicket(app.admin, ticketBody("My live stream keeps stopping"))
            let id = try #require((ticket["id"] as? String).flatMap(UUID.init(uuidString:)))
            let requester = try #require((ticket["requester"] as? [String: Any])?["id"] as? String)
            let chats = app.services.chats
            let start = try await chats.entries(ticket: id, after: 0, for: .agent, limit: 100).through

            var line = NewMessage(body: "It stopped again just now", visibility: .public)
            line.clientID = "w-2"
            let stored = try await app.services.tickets.addMessage(to: .id(id), line, actor: .contact(requester))
            _ = try await app.services.tickets.addMessage(to: .id(id), NewMessage(body: "Checking the stream logs", visibility: .internal), actor: .contact(requester))

            // The committed events are kept, the line with its text and client id.
            let kept = try #require(app.services.database.changes.recent.after(start, ticket: id))
            #expect(kept.contains { $0.message?.id == stored.id && $0.message?.body == "It stopped again just now" && $0.message?.clientID == "w-2" })

            // Another HavenDatabase on the same data has kept nothing: its repository reads everything from the database.
            let reader = try HavenDatabase(location: app.location, logger: TestDatabase.logger, poolSize: 1)
            do {
                let fromDatabase = SQLChatRepository(database: reader)
                for side in [ChatParty.customer, .agent] {
                    let handed = try await chats.entries(ticket: id, after: start, for: side, limit: 100)
                    let read = try await fromDatabase.entries(ticket: id, after: start, for: side, limit: 100)
                    // Compared as sent: the frames' JSON (dates go out to the second; in memory they are finer than stored).
                    let frames = { (page: ChatEntriesPage) in page.entries.map { ChatServerFrame.entry($0).json() } }
                    #expect(!handed.entries.isEmpty && frames(handed) == frames(read) && !handed.more)
                    #expect(handed.through >= read.through)
                }
                let customer = try await chats.entries(ticket: id, after: start, for: .customer, limit: 100)
                #expect(customer.entries.map(\.text) == ["It stopped again just now"])
            } catch {
                await reader.shutdown()
                throw error
            }
            await reader.shutdown()
        }
    }
}
