import FluentKit
import SQLKit

/// Reading a ticket fetches its messages' attachments by `message_id`; without this index that was a scan of
/// every attachment Haven holds (found profiling mail ingest, where each reply reads its ticket).
struct IndexAttachmentsByMessage: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.sql().raw("CREATE INDEX attachments_message_idx ON attachments (message_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql().raw("DROP INDEX attachments_message_idx").run()
    }
}
