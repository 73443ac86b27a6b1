import FluentKit
import SQLKit

/// Each agent's own exposure record: shielded media revealed, risky tickets opened, breaks taken or put off.
/// Kept apart from the tickets' event log on purpose: it is about the person, not the ticket, and is shown to no one
/// else. Read by agent and time, so indexed that way.
struct CreateExposures: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            try await database.schema("exposures")
                .id()
                .field("agent_id", .uuid, .required, .references("agents", "id", onDelete: .cascade))
                .field("kind", .string, .required)
                .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .setNull))
                .field("attachment_id", .uuid)
                .field("level", .string)
                .field("created_at", .datetime, .required)
                .create()
            try await database.sql().raw("CREATE INDEX exposures_agent_idx ON exposures (agent_id, created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("exposures").delete()
    }
}
