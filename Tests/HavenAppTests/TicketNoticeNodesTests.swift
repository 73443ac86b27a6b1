import Foundation
import HavenCore
@testable import HavenStorage
import Synchronization
import Testing

/// Two nodes on one PostgreSQL: what one commits wakes the other's listeners (many commits' tickets may share a
/// notice), and a rolled-back write is never announced.
@Suite(.serialized, .enabled(if: TestDatabase.postgresURL != nil, "two nodes meet through PostgreSQL"))
struct TicketNoticeNodesTests {
    @Test func commitsOnOneNodeWakeTheOtherAndRollbacksDoNot() async throws {
        let (location, cleanup) = try await TestDatabase.makeLocation()
        guard case .postgres(let url) = location else { return }
        let nodeA = try HavenDatabase(location: location, logger: TestDatabase.logger, poolSize: 2)
        let nodeB = try HavenDatabase(location: location, logger: TestDatabase.logger, poolSize: 2)
        let seen = Mutex<(changed: [UUID], signals: Int)>(([], 0))
        nodeB.changes.listen { notice in
            switch notice {
            case .changed(let ids): seen.withLock { $0.changed += ids }
            case .signal: seen.withLock { $0.signals += 1 }
            }
        }
        let listening = Task { await TicketChangeListener(url: url, changes: nodeB.changes, logger: TestDatabase.logger).run() }
        func waitFor(_ condition: () -> Bool) async throws -> Bool {
            for _ in 0..<100 {
                if condition() { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return condition()
        }
        do {
            try await nodeA.migrate()
            // Node B listens once a signal from A gets through.
            var ready = false
            for _ in 0..<20 where !ready {
                await nodeA.signal(UUID(), topic: .chat, body: "ready?")
                ready = try await waitFor { seen.withLock { $0.signals > 0 } }
            }
            #expect(ready)

            // Tickets created at once on A: every one reaches B.
            let tickets = SQLTicketRepository(database: nodeA)
            let created = try await withThrowingTaskGroup(of: UUID.self) { group in
                for index in 0..<20 {
                    group.addTask {
                        try await tickets.create(NewTicketDraft(subject: "Help \(index)", body: "Please help \(index)", channel: .api, language: "en",
                                                                requester: RequesterDraft(email: "c\(index)@example.com")), actor: .system).id
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(try await waitFor { Set(seen.withLock { $0.changed }).isSuperset(of: created) })

            // A write that rolls back after appending to a ticket's log is not announced; the next commit is.
            seen.withLock { $0.changed = [] }
            struct Refused: Error {}
            let rolledBack = created[0]
            await #expect(throws: Refused.self) {
                try await nodeA.write { tx in
                    let event = TicketEventModel()
                    event.id = UUID()
                    event.ticketID = rolledBack
                    event.seq = 1_000
                    event.actorKind = ActorKind.system.rawValue
                    event.type = "tags.changed"
                    event.payload = #"{"from":[],"to":["x"]}"#
                    event.createdAt = Date()
                    try await TicketEventLog.append([event], on: tx)
                    throw Refused()
                }
            }
            let next = try await tickets.create(NewTicketDraft(subject: "After", body: "After the rollback", channel: .api, language: "en",
                                                               requester: RequesterDraft(email: "after@example.com")), actor: .system).id
            #expect(try await waitFor { seen.withLock { $0.changed.contains(next) } })
            #expect(!seen.withLock { $0.changed.contains(rolledBack) })

            // A chat line another node wrote reaches a connection here, though this node kept the ticket's first events
            // (it created the ticket): B's notice makes A forget them, so A's read after the wake-up finds B's line.
            let heardOnA = Mutex<[UUID]>([])
            nodeA.changes.listen { notice in if case .changed(let ids) = notice { heardOnA.withLock { $0 += ids } } }
            let listeningOnA = Task { await TicketChangeListener(url: url, changes: nodeA.changes, logger: TestDatabase.logger).run() }
            defer { listeningOnA.cancel() }
            var aReady = false
            for _ in 0..<20 where !aReady {
                _ = try await SQLTicketRepository(database: nodeB).addMessage(to: .id(created[1]), NewMessage(body: "ping", visibility: .internal), actor: .system)
                aReady = try await waitFor { heardOnA.withLock { $0.contains(created[1]) } }
            }
            #expect(aReady)
            let chat = try await tickets.create(NewTicketDraft(subject: "Chat", body: "My LIVE froze", channel: .chat, language: "en",
                                                               requester: RequesterDraft(email: "live@example.com")), actor: .system).id
            let onA = SQLChatRepository(database: nodeA)
            let cursor = try await onA.entries(ticket: chat, after: 0, for: .customer, limit: 100).through
            // A change A makes that a chat does not show (a tag): A keeps a run past the connection's cursor.
            _ = try await tickets.update(.id(chat), with: TicketUpdate(tags: ["live"]), actor: .system)
            #expect(nodeA.changes.recent.after(cursor, ticket: chat) != nil)
            heardOnA.withLock { $0 = [] }
            _ = try await SQLTicketRepository(database: nodeB).addMessage(to: .id(chat), NewMessage(body: "Looking into it now", visibility: .public), actor: .system)
            #expect(try await waitFor { heardOnA.withLock { $0.contains(chat) } })
            let page = try await onA.entries(ticket: chat, after: cursor, for: .customer, limit: 100)
            #expect(page.entries.compactMap(\.text) == ["Looking into it now"])
        } catch {
            listening.cancel()
            await nodeA.shutdown()
            await nodeB.shutdown()
            await cleanup()
            throw error
        }
        listening.cancel()
        await nodeA.shutdown()
        await nodeB.shutdown()
        await cleanup()
    }
}
