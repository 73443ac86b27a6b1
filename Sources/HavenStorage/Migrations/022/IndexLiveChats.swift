import FluentKit
import SQLKit

/// The inbox's "Chats" view and its count read the chats still going: found by this index, not by reading every
/// chat a desk has ever had.
struct IndexLiveChats: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql().raw("CREATE INDEX chats_live_idx ON chats (ticket_id) WHERE ended_at IS NULL").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql().raw("DROP INDEX chats_live_idx").run()
    }
}
