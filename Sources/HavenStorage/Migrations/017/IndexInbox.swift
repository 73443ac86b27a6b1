import FluentKit
import SQLKit

/// The inbox reads unsolved tickets only: partial indexes over them let its counts scan an index (queue, assignee)
/// instead of the table, its lists walk tickets in urgency order (all, or one queue's) and stop at a page, and "breaching soon" find its
/// few tickets by SLA state. The status list is written out in the queries too (not bound), so that SQLite can
/// prove a query fits the partial index; on SQLite the inbox names the index it reads (`SQLInboxRepository.index`).
struct IndexInbox: AsyncMigration {
    static let unsolved = "status IN ('new', 'open', 'pending', 'on_hold')"

    func prepare(on database: any Database) async throws {
        let sql = try database.sql()
        try await sql.raw("CREATE INDEX tickets_unsolved_idx ON tickets (queue_id, assignee_id) WHERE \(unsafeRaw: Self.unsolved)").run()
        try await sql.raw("CREATE INDEX tickets_unsolved_urgency_idx ON tickets (priority_rank DESC, priority_score DESC, number) WHERE \(unsafeRaw: Self.unsolved)").run()
        try await sql.raw("CREATE INDEX tickets_unsolved_queue_idx ON tickets (queue_id, priority_rank DESC, priority_score DESC, number) WHERE \(unsafeRaw: Self.unsolved)").run()
        try await sql.raw("CREATE INDEX tickets_unsolved_sla_idx ON tickets (sla_state, sla_due_at) WHERE \(unsafeRaw: Self.unsolved)").run()
    }

    func revert(on database: any Database) async throws {
        for name in ["tickets_unsolved_idx", "tickets_unsolved_urgency_idx", "tickets_unsolved_queue_idx", "tickets_unsolved_sla_idx"] {
            try await database.sql().raw("DROP INDEX \(unsafeRaw: name)").run()
        }
    }
}
