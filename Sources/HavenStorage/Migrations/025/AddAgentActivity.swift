import FluentKit
import SQLKit

/// Presence that follows the agent (`PresencePolicy`): when an agent was last active in the workspace, and whether
/// their presence was set by Haven (idle) rather than by them, so that activity brings back only the former.
struct AddAgentActivity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            // One column per ALTER TABLE: SQLite adds them one at a time.
            try await database.schema("agents").field("active_at", .datetime).update()
            try await database.schema("agents").field("presence_by_haven", .bool, .required, .sql(.default(false))).update()
        }
    }

    func revert(on database: any Database) async throws {
        for field in ["active_at", "presence_by_haven"] { try await database.schema("agents").deleteField(.string(field)).update() }
    }
}
