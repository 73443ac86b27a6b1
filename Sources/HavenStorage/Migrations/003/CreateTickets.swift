import FluentKit
import SQLKit

/// Tickets, their messages and attachments, and the counters that number them.
struct CreateTickets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("tickets")
            .id()
            .field("number", .int64, .required)
            .field("subject", .string, .required)
            .field("status", .string, .required)
            .field("priority", .string, .required)
            .field("priority_rank", .int, .required)
            .field("channel", .string, .required)
            .field("language", .string)
            .field("queue_id", .uuid, .references("queues", "id", onDelete: .setNull))
            .field("assignee_id", .uuid, .references("agents", "id", onDelete: .setNull))
            .field("requester_id", .uuid, .required, .references("contacts", "id"))
            .field("tags", .string, .required)
            .field("change_seq", .int64, .required)
            .field("last_event_seq", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "number")
            .unique(on: "change_seq")
            .create()
        try await database.schema("messages")
            .id()
            .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
            .field("author_kind", .string, .required)
            .field("author_id", .uuid)
            .field("visibility", .string, .required)
            .field("body", .string, .required)
            .field("seq", .int, .required)
            .field("attachment_count", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "ticket_id", "seq")
            .create()
        try await database.schema("attachments")
            .id()
            .field("sha256", .string, .required)
            .field("size", .int64, .required)
            .field("content_type", .string, .required)
            .field("filename", .string, .required)
            .field("ticket_id", .uuid, .references("tickets", "id", onDelete: .setNull))
            .field("message_id", .uuid, .references("messages", "id", onDelete: .setNull))
            .field("uploaded_by", .uuid, .references("agents", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        for index in [
            ("tickets_status_idx", "tickets", "status"),
            ("tickets_queue_idx", "tickets", "queue_id"),
            ("tickets_assignee_idx", "tickets", "assignee_id"),
            ("tickets_requester_idx", "tickets", "requester_id"),
            ("tickets_priority_idx", "tickets", "priority_rank, number"),
                        ("attachments_ticket_idx", "attachments", "ticket_id"),
        ] {
            try await sql.raw("CREATE INDEX \(unsafeRaw: index.0) ON \(unsafeRaw: index.1) (\(unsafeRaw: index.2))").run()
        }
        try await Sequences.create(on: sql)
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await Sequences.drop(on: sql) }
        try await database.schema("attachments").delete()
        try await database.schema("messages").delete()
        try await database.schema("tickets").delete()
    }
}
