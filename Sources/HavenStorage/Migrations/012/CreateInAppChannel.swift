import FluentKit
import SQLKit

/// The in-app channel: registered apps, idempotency keys, a customer's updates feed (numbered per contact in the
/// event log), the details a channel keeps on a ticket, and which contact uploaded a file.
struct CreateInAppChannel: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            try await database.schema("apps")
                .id()
                .field("slug", .string, .required)
                .field("name", .string, .required)
                // The HMAC secret must be readable to check signatures; it is shown once and never listed.
                .field("secret", .string, .required)
                .field("public_key_pem", .string)
                .field("rate_per_minute", .int, .required)
                .field("user_rate_per_minute", .int, .required)
                .field("created_at", .datetime, .required)
                .field("disabled_at", .datetime)
                .unique(on: "slug")
                .create()
            try await database.schema("idempotency_keys")
                .id()
                .field("scope", .string, .required)
                .field("key", .string, .required)
                .field("request_hash", .string, .required)
                .field("status_code", .int)
                .field("response_body", .string)
                .field("location", .string)
                // A request that created a ticket stores the ticket (written in the ticket's own transaction), not an answer.
                .field("ticket_id", .uuid)
                .field("created_at", .datetime, .required)
                .unique(on: "scope", "key")
                .create()
            // One column per ALTER TABLE: SQLite adds them one at a time.
            try await database.schema("ticket_events").field("feed_contact_id", .uuid).update()
            try await database.schema("ticket_events").field("feed_seq", .int64).update()
            try await database.schema("contacts").field("feed_seq", .int64, .required, .sql(.default(0))).update()
            try await database.schema("tickets").field("details", .string).update()
            try await database.schema("attachments").field("contact_id", .uuid).update()
            let sql = try database.sql()
            try await sql.raw("CREATE INDEX ticket_events_feed_idx ON ticket_events (feed_contact_id, feed_seq)").run()
            try await sql.raw("CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("apps").delete()
        try await database.schema("idempotency_keys").delete()
        try await database.schema("ticket_events").deleteField("feed_contact_id").update()
        try await database.schema("ticket_events").deleteField("feed_seq").update()
        try await database.schema("contacts").deleteField("feed_seq").update()
        try await database.schema("tickets").deleteField("details").update()
        try await database.schema("attachments").deleteField("contact_id").update()
    }
}
