import FluentKit
import SQLKit

/// Every workspace page shows the agent the tickets offered to them: found by this index, not by reading every ticket.
struct IndexOffers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql().raw("CREATE INDEX tickets_offered_to_idx ON tickets (offered_to) WHERE offered_to IS NOT NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql().raw("DROP INDEX tickets_offered_to_idx").run()
    }
}
