import FluentKit
import SQLKit

/// Live chat: a conversation is a ticket with channel `chat`; `chats` holds what only a chat has (the customer's
/// resume token, whether it has ended, how far each side has read). Messages get the sending client's own id,
/// unique per ticket, so a message sent again after a reconnect is stored once.
struct CreateChats: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            try await database.schema("chats")
                .id()
                .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
                .field("contact_id", .uuid, .required, .references("contacts", "id"))
                // SHA-256 of the customer's conversation token; the token is given to the widget once.
                .field("token_hash", .string, .required)
                .field("started_at", .datetime, .required)
                .field("ended_at", .datetime)
                .field("customer_seen_seq", .int, .required, .sql(.default(0)))
                .field("agent_seen_seq", .int, .required, .sql(.default(0)))
                .unique(on: "ticket_id")
                .unique(on: "token_hash")
                .create()
            try await database.schema("messages").field("client_id", .string).update()
            try await database.sql().raw("CREATE UNIQUE INDEX messages_client_id_idx ON messages (ticket_id, client_id) WHERE client_id IS NOT NULL").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.sql().raw("DROP INDEX messages_client_id_idx").run()
        try await database.schema("messages").deleteField("client_id").update()
        try await database.schema("chats").delete()
    }
}
