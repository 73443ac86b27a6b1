import FluentKit
import Foundation
import SQLKit

/// Email out: the general outbox (jobs written in the transaction that wants them, delivered by workers),
/// the delivery state of each sent mail, per-queue sender settings, editable system mail templates, and
/// agents' notifications (a permanent delivery failure is one).
struct CreateOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { try await prepareSchema(on: $0) }
    }

    private func prepareSchema(on database: any Database) async throws {
        try await database.schema("outbox")
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            // pending → sent | failed. A claimed job stays pending with `available_at` pushed past its lease, so a
            // worker that dies mid-delivery hands it back when the lease ends.
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("available_at", .datetime, .required)
            .field("last_error", .string)
            .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .create()
        try await database.sql().raw("CREATE INDEX outbox_due ON outbox (status, available_at)").run()

        // queued | sent | failed, for mail Haven sends (direction 'out').
        try await database.schema("mail_messages").field("delivery_status", .string).update()
        try await database.schema("mail_messages").field("delivery_detail", .string).update()
        try await database.schema("mail_messages").field("recipient", .string).update()
        try await database.schema("mail_messages").field("kind", .string).update()
        // A message's outgoing mail is read with the message (its delivery state shows on the ticket).
        try await database.sql().raw("CREATE INDEX mail_messages_by_message ON mail_messages (message_id)").run()

        try await database.schema("queues").field("email_address", .string).update()
        try await database.schema("queues").field("email_name", .string).update()
        try await database.schema("queues").field("acknowledge_email", .bool, .required, .sql(.default(true))).update()

        try await database.schema("mail_templates")
            .id()
            .field("key", .string, .required)
            .field("locale", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("updated_by", .uuid, .references("agents", "id", onDelete: .setNull))
            .field("updated_at", .datetime, .required)
            .unique(on: "key", "locale")
            .create()

        try await database.schema("notifications")
            .id()
            .field("agent_id", .uuid, .required, .references("agents", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()
        try await database.sql().raw("CREATE INDEX notifications_by_agent ON notifications (agent_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["notifications", "mail_templates", "outbox"] { try await database.schema(table).delete() }
    }
}
