import FluentKit
import SQLKit

/// The append-only audit log. Nothing in Haven updates or deletes a row here.
struct CreateTicketEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("ticket_events")
            .id()
            .field("ticket_id", .uuid, .required, .references("tickets", "id"))
            .field("seq", .int, .required)
            .field("actor_kind", .string, .required)
            .field("actor_id", .string)
            .field("type", .string, .required)
            .field("payload", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "ticket_id", "seq")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX ticket_events_type_idx ON ticket_events (type, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("ticket_events").delete()
    }
}
