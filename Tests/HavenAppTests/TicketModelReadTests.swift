import FluentKit
import Foundation
import HavenCore
@testable import HavenStorage
import SQLKit
import Testing

/// The hot paths read tickets with `TicketModel.read` (no reflection); it must read every field, as Fluent does.
@Suite(.serialized) struct TicketModelReadTests {
    @Test func readsEveryFieldOfTheModel() {
        #expect(TicketModel.readColumns.map(\.name).sorted() == TicketModel.keys.map(\.description).sorted())
    }

    @Test func readsARowAsFluentDoes() async throws {
        // Only when every field has a reader: an unread field would stop the comparison below with a crash.
        guard TicketModel.readColumns.map(\.name).sorted() == TicketModel.keys.map(\.description).sorted() else { return }
        try await withApp { app, client in
            let created = try await client.createTicket(app.admin, ticketBody("My account was hacked"))
            let id = try #require((created["id"] as? String).flatMap(UUID.init(uuidString:)))
            let sql = try app.services.database.writer.sql()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            func compare() async throws {
                let row = try #require(try await sql.raw("SELECT t.* FROM tickets t WHERE t.id = \(bind: id)").first())
                let fluent = try row.decode(fluentModel: TicketModel.self), fast = try TicketModel.read(row)
                #expect(String(decoding: try encoder.encode(fast), as: UTF8.self) == String(decoding: try encoder.encode(fluent), as: UTF8.self))
                #expect(fast.$id.exists)
            }
            try await compare()
            // Every optional column given a value.
            let at = Date(timeIntervalSince1970: 1_800_000_000.25)
            try await sql.raw("""
                UPDATE tickets SET assignee_id = \(bind: app.admin.agent.id), offered_to = \(bind: app.admin.agent.id), offer_expires_at = \(bind: at),
                passed_by = '[]', sla_policy = 'Standard', sla_due_at = \(bind: at), sla_state = 'running', sla_check_at = \(bind: at),
                topic = 'account_access', suggested_topic = 'account_access', topic_confidence = 0.75, details = '{"category":"bug"}',
                priority_reasons = '["risk"]', routing_reason = 'default queue', queued_at = \(bind: at), language = 'pt-BR'
                WHERE id = \(bind: id)
                """).run()
            try await compare()
        }
    }

    /// A ticket read by `TicketModel.read` is saved with the columns that changed only (SQLite rewrites every index over
    /// a column an UPDATE sets); several tickets in one statement get the union, each its own values.
    @Test func aSaveWritesTheColumnsThatChangedAndKeepsTheRest() async throws {
        try await withApp { app, client in
            let first = try await client.createTicket(app.admin, ticketBody("My account was hacked"))
            let second = try await client.createTicket(app.admin, ticketBody("My LIVE keeps freezing"))
            let ids = try [first, second].map { try #require(($0["id"] as? String).flatMap(UUID.init(uuidString:))) }
            let sql = try app.services.database.writer.sql()
            func read(_ id: UUID) async throws -> TicketModel {
                try TicketModel.read(try #require(try await sql.raw("SELECT t.* FROM tickets t WHERE t.id = \(bind: id)").first()))
            }
            let names = { (indexes: [Int]) in indexes.map { SQLTicketRepository.savedColumns[$0].name } }

            let a = try await read(ids[0]), b = try await read(ids[1])
            #expect(SQLTicketRepository.changedColumns([a, b]).isEmpty)
            #expect(names(SQLTicketRepository.changedColumns([TicketModel()])) == SQLTicketRepository.savedColumns.map(\.name))
            let later = Date(timeIntervalSince1970: 1_900_000_000.5)
            a.status = TicketStatus.pending.rawValue
            b.tags = #"["live"]"#
            b.updatedAt = later
            #expect(names(SQLTicketRepository.changedColumns([a])) == ["status"])
            #expect(names(SQLTicketRepository.changedColumns([a, b])) == ["status", "tags", "updated_at"])

            let before = try await read(ids[0]).changeSeq
            try await app.services.database.write { tx in try await SQLTicketRepository.save([a, b], on: tx.sql()) }
            let savedA = try await read(ids[0]), savedB = try await read(ids[1])
            #expect(savedA.status == "pending" && savedA.tags == "[]" && savedA.changeSeq > before)
            #expect(savedB.status == "new" && savedB.tags == #"["live"]"# && savedB.updatedAt == later)
            #expect(savedA.priority == a.priority && savedB.queueID == b.queueID && savedB.riskLevel == b.riskLevel)

            // One ticket alone takes the single-row UPDATE.
            savedA.priority = TicketPriority.urgent.rawValue
            let seqBefore = savedA.changeSeq
            try await app.services.database.write { tx in try await SQLTicketRepository.save([savedA], on: tx.sql()) }
            let again = try await read(ids[0])
            #expect(again.priority == "urgent" && again.status == "pending" && again.changeSeq > seqBefore && again.changeSeq == savedA.changeSeq)

            // A saved ticket compares with what it saved: a column changed, saved, and set back is written back.
            savedA.priority = a.priority
            try await app.services.database.write { tx in try await SQLTicketRepository.save([savedA], on: tx.sql()) }
            #expect(try await read(ids[0]).priority == a.priority)
        }
    }
}
