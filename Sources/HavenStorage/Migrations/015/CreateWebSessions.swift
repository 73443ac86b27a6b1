import FluentKit
import SQLKit

/// Agents' web sign-in: sessions (only the hash of the cookie is stored, with the session's anti-forgery token),
/// failed sign-ins and the lockout they lead to, and the language the agent's workspace is shown in.
struct CreateWebSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            try await database.schema("web_sessions")
                .id()
                .field("token_hash", .string, .required)
                .field("agent_id", .uuid, .required, .references("agents", "id", onDelete: .cascade))
                .field("csrf_token", .string, .required)
                .field("created_at", .datetime, .required)
                .field("last_seen_at", .datetime, .required)
                .field("expires_at", .datetime, .required)
                .field("user_agent", .string)
                .unique(on: "token_hash")
                .create()
            try await database.sql().raw("CREATE INDEX web_sessions_agent_idx ON web_sessions (agent_id)").run()
            // One column per ALTER TABLE: SQLite adds them one at a time.
            try await database.schema("agents").field("failed_sign_ins", .int, .required, .sql(.default(0))).update()
            try await database.schema("agents").field("locked_until", .datetime).update()
            try await database.schema("agents").field("locale", .string).update()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("web_sessions").delete()
        for field in ["failed_sign_ins", "locked_until", "locale"] { try await database.schema("agents").deleteField(.string(field)).update() }
    }
}
