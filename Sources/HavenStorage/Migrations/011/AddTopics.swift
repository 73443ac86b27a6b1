import FluentKit
import SQLKit

/// Topics: triage's suggestion on the first message and the ticket, the topic agents set, and the solved tickets'
/// topics the topic model learns from (`topic_examples`, read in id order by every node).
struct AddTopics: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            try await database.schema("messages").field("topic", .string).update()
            try await database.schema("messages").field("topic_confidence", .double).update()
            try await database.schema("tickets").field("topic", .string).update()
            try await database.schema("tickets").field("suggested_topic", .string).update()
            try await database.schema("tickets").field("topic_confidence", .double).update()
            try await database.schema("topic_examples")
                .field("id", .int64, .identifier(auto: true))
                .field("ticket_id", .uuid, .required, .references("tickets", "id", onDelete: .cascade))
                .field("language", .string)
                .field("text", .string, .required)
                .field("topic", .string, .required)
                .field("created_at", .datetime, .required)
                .create()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema("topic_examples").delete()
        for column in ["topic", "topic_confidence"] { try await database.schema("messages").deleteField(.string(column)).update() }
        for column in ["topic", "suggested_topic", "topic_confidence"] { try await database.schema("tickets").deleteField(.string(column)).update() }
    }
}
