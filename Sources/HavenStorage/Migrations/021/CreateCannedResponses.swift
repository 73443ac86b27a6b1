import FluentKit
import SQLKit

/// Canned responses: a name and the texts per language (JSON, read with the row, never queried into).
struct CreateCannedResponses: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("canned_responses")
            .id()
            .field("name", .string, .required)
            .field("texts", .string, .required)
            .field("updated_at", .datetime, .required)
            .field("updated_by", .uuid)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("canned_responses").delete()
    }
}
