import FluentKit

/// Teams, agents and contacts.
struct CreatePeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("teams")
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "name")
            .create()
        try await database.schema("agents")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("roles", .string, .required)
            .field("languages", .string, .required)
            .field("team_id", .uuid, .references("teams", "id", onDelete: .setNull))
            .field("active", .bool, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema("contacts")
            .id()
            .field("email", .string)
            .field("external_id", .string)
            .field("name", .string)
            .field("locale", .string)
            .field("kind", .string, .required)
            .field("tier", .string)
            .field("market", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .unique(on: "email")
            .unique(on: "external_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("contacts").delete()
        try await database.schema("agents").delete()
        try await database.schema("teams").delete()
    }
}
