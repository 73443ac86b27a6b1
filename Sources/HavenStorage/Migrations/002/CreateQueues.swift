import FluentKit

struct CreateQueues: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("queues")
            .id()
            .field("slug", .string, .required)
            .field("name", .string, .required)
            .field("team_id", .uuid, .references("teams", "id", onDelete: .setNull))
            .field("is_default", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "slug")
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("queues").delete()
    }
}
