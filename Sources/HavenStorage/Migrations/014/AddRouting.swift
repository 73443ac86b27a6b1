import FluentKit
import SQLKit

/// Routing and SLAs: queues' assignment settings and members, agents' skills, capacity and presence, what a
/// ticket's routing, priority, offers and SLA clocks say (caches of its event log), and the admin audit log.
/// Routing rules and SLA policies are ordered documents kept in `settings`.
struct AddRouting: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            // One column per ALTER TABLE: SQLite adds them one at a time.
            try await database.schema("queues").field("assignment", .string).update()
            for field in ["skills", "capacity"] { try await database.schema("agents").field(.string(field), .string).update() }
            try await database.schema("agents").field("presence", .string, .required, .sql(.default("offline"))).update()
            try await database.schema("agents").field("presence_at", .datetime).update()
            try await database.schema("agents").field("last_assigned_at", .datetime).update()
            try await database.schema("agent_queues")
                .field("agent_id", .uuid, .required, .references("agents", "id", onDelete: .cascade))
                .field("queue_id", .uuid, .required, .references("queues", "id", onDelete: .cascade))
                .unique(on: "agent_id", "queue_id")
                .create()
            let tickets: [(String, DatabaseSchema.DataType)] = [
                ("priority_reasons", .string), ("routing_reason", .string), ("queued_at", .datetime), ("offered_to", .uuid),
                ("offer_expires_at", .datetime), ("passed_by", .string), ("sla_policy", .string), ("sla_due_at", .datetime),
                ("sla_state", .string), ("sla_check_at", .datetime),
            ]
            try await database.schema("tickets").field("priority_score", .int, .required, .sql(.default(0))).update()
            for (name, type) in tickets { try await database.schema("tickets").field(.string(name), type).update() }
            try await database.schema("audit_log")
                .id()
                .field("at", .datetime, .required)
                .field("actor_id", .uuid)
                .field("action", .string, .required)
                .field("subject", .string, .required)
                .field("before", .string)
                .field("after", .string)
                .create()
            let sql = try database.sql()
            // "Get next" and offers walk the unassigned tickets most urgent first and stop at the first that fits: the
            // index is in that order, and holds only unassigned tickets. The SLA watcher reads what is due.
            try await sql.raw("""
                CREATE INDEX tickets_waiting_idx ON tickets (priority_rank DESC, priority_score DESC, number) WHERE assignee_id IS NULL
                """).run()
            try await sql.raw("CREATE INDEX tickets_sla_check_idx ON tickets (sla_check_at)").run()
            try await sql.raw("CREATE INDEX tickets_offer_idx ON tickets (offer_expires_at)").run()
            try await sql.raw("CREATE INDEX audit_log_at_idx ON audit_log (at)").run()
            try await sql.raw("UPDATE tickets SET queued_at = created_at, passed_by = '[]'").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_log").delete()
        try await database.schema("agent_queues").delete()
        for field in ["priority_score", "priority_reasons", "routing_reason", "queued_at", "offered_to", "offer_expires_at", "passed_by",
                      "sla_policy", "sla_due_at", "sla_state", "sla_check_at"] {
            try await database.schema("tickets").deleteField(.string(field)).update()
        }
        for field in ["skills", "capacity", "presence", "presence_at", "last_assigned_at"] { try await database.schema("agents").deleteField(.string(field)).update() }
        try await database.schema("queues").deleteField("assignment").update()
    }
}
