import FluentKit
import Foundation
import SQLKit

/// Email in: every mail Haven received or sent (for threading and dedupe), the quarantine, per-installation
/// settings (the key that signs reply addresses), automatic-response counters, bounce flags on contacts, and
/// each message's detected language.
struct CreateMail: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // In one transaction (both engines have transactional DDL): a failure leaves no half-applied schema.
        try await database.transaction { try await prepareSchema(on: $0) }
    }

    private func prepareSchema(on database: any Database) async throws {
        // One column per ALTER TABLE: SQLite adds only one at a time.
        try await database.schema("messages").field("language", .string).update()
        try await database.schema("contacts").field("email_bounced_at", .datetime).update()
        try await database.schema("contacts").field("email_bounce_status", .string).update()
        try await database.schema("mail_messages")
            .id()
            // Unique: the same Message-ID is ingested once (a message without one is keyed by its SHA-256).
            .field("rfc_message_id", .string, .required)
            .field("direction", .string, .required)
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("message_id", .uuid, .references("messages", "id", onDelete: .setNull))
            .field("from_address", .string)
            .field("subject", .string, .required)
            .field("full_text", .string, .required)
            .field("html", .string)
            .field("raw_sha256", .string)
            .field("raw_size", .int64, .required)
            .field("automatic", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "rfc_message_id")
            .create()
        try await database.schema("mail_quarantine")
            .id()
            .field("raw_sha256", .string, .required)
            .field("raw_size", .int64, .required)
            .field("reason", .string, .required)
            .field("source", .string, .required)
            .field("queue", .string)
            .field("status", .string, .required)
            .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        try await database.schema("settings")
            .id()
            .field("key", .string, .required)
            .field("value", .string, .required)
            .unique(on: "key")
            .create()
        try await database.schema("auto_responses")
            .id()
            .field("address", .string, .required)
            .field("day", .string, .required)
            .field("count", .int, .required)
            .unique(on: "address", "day")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX mail_messages_ticket_idx ON mail_messages (ticket_id)").run()
        try await sql.raw("CREATE INDEX mail_quarantine_status_idx ON mail_quarantine (status, created_at)").run()
        // The key that signs reply addresses (support+t<number>.<signature>@…): random per installation, shared by all nodes.
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try await sql.raw("INSERT INTO settings (id, key, value) VALUES (\(bind: UUID()), 'reply_address_key', \(bind: key))").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["auto_responses", "settings", "mail_quarantine", "mail_messages"] { try await database.schema(table).delete() }
        try await database.schema("contacts").deleteField("email_bounce_status").update()
        try await database.schema("contacts").deleteField("email_bounced_at").update()
        try await database.schema("messages").deleteField("language").update()
    }
}
