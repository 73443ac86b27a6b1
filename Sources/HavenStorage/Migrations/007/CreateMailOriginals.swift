import FluentKit
import SQLKit

/// The original bytes of every received (and quarantined) mail, keyed by their SHA-256, written in the same
/// transaction as the message or quarantine row that names them.
///
/// Why a table and not a file per message: a new file costs an inode, a directory entry and its own fsync
/// before the row's commit (29% of LMTP ingest's CPU, measured); a row shares the commit's fsync with the
/// whole batch. Originals stored as files before this migration are still read from the attachment store.
struct CreateMailOriginals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("mail_originals")
            .field("sha256", .string, .identifier(auto: false))
            .field("raw", .data, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("mail_originals").delete()
    }
}
