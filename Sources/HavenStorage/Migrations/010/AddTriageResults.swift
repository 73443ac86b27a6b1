import FluentKit
import SQLKit

/// Triage's results: each customer message's risk (level, harms, the signals an agent reads) and the ticket's
/// risk (the highest of its messages'), so lists can sort and filter by it.
struct AddTriageResults: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            // One column per ALTER TABLE: SQLite adds only one at a time.
            try await database.schema("messages").field("risk_level", .string).update()
            try await database.schema("messages").field("harms", .string).update()
            try await database.schema("messages").field("risk_signals", .string).update()
            try await database.schema("tickets").field("risk_level", .string, .required, .sql(.default("none"))).update()
            try await database.schema("tickets").field("harms", .string, .required, .sql(.default("[]"))).update()
        }
    }

    func revert(on database: any Database) async throws {
        for column in ["risk_level", "harms", "risk_signals"] { try await database.schema("messages").deleteField(.string(column)).update() }
        for column in ["risk_level", "harms"] { try await database.schema("tickets").deleteField(.string(column)).update() }
    }
}
