import Foundation
import SQLKit

/// The original bytes of received mail (`mail_originals`), keyed by SHA-256: the same bytes are kept once.
enum MailOriginals {
    /// Writes the originals carried by these mails; bytes already kept are left as they are.
    static func insert(_ mails: [MailMetadata], at now: Date, on sql: any SQLDatabase) async throws {
        var seen = Set<String>()
        let rows = mails.compactMap { mail -> (String, [UInt8])? in
            guard let sha = mail.rawSHA256, let raw = mail.raw, seen.insert(sha).inserted else { return nil }
            return (sha, raw)
        }
        try await insert(rows, at: now, on: sql)
    }

    static func insert(_ rows: [(sha256: String, raw: [UInt8])], at now: Date, on sql: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        var insert = sql.insert(into: "mail_originals").columns("sha256", "raw", "created_at")
        for row in rows { insert = insert.values(SQLBind(row.sha256), SQLBind(Data(row.raw)), SQLBind(now)) }
        try await insert.ignoringConflicts(with: "sha256").run()
    }

    /// The bytes, if kept in the database (originals from before migration 007 are files in the attachment store).
    static func find(_ sha256: String, on sql: any SQLDatabase) async throws -> [UInt8]? {
        guard let row = try await sql.raw("SELECT raw FROM mail_originals WHERE sha256 = \(bind: sha256)").first() else { return nil }
        return [UInt8](try row.decode(column: "raw", as: Data.self))
    }
}
