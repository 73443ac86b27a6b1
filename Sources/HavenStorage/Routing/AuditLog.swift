import FluentKit
import Foundation
import SQLKit

/// One administrative change: who, when, what, and the setting before and after (JSON).
public struct AuditEntry: Codable, Sendable, Equatable {
    public var id: UUID
    public var at: Date
    public var actorID: UUID?
    public var action: String
    public var subject: String
    public var before: JSONValue?
    public var after: JSONValue?
}

/// The append-only log of configuration changes (routing rules, SLA policies, queues' assignment, agents' skills):
/// written in the change's own transaction, so a change and its record commit together or not at all.
enum AuditLog {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func append(
        _ action: String, subject: String, before: some Encodable, after: some Encodable, by actor: UUID?, at now: Date, on sql: any SQLDatabase
    ) async throws {
        let before = String(decoding: try encoder.encode(before), as: UTF8.self)
        let after = String(decoding: try encoder.encode(after), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO audit_log (id, at, actor_id, action, subject, before, after)
            VALUES (\(bind: UUID()), \(bind: now), \(bind: actor), \(bind: action), \(bind: subject), \(bind: before), \(bind: after))
            """).run()
    }

    static func entries(limit: Int, before: Date?, on sql: any SQLDatabase) async throws -> [AuditEntry] {
        var query: SQLQueryString = "SELECT * FROM audit_log"
        if let before { query += " WHERE at < \(bind: before)" }
        query += " ORDER BY at DESC LIMIT \(literal: limit)"
        return try await sql.raw(query).all().map { row in
            AuditEntry(
                id: try row.decode(column: "id", as: UUID.self), at: try row.decode(column: "at", as: Date.self),
                actorID: try row.decode(column: "actor_id", as: UUID?.self), action: try row.decode(column: "action", as: String.self),
                subject: try row.decode(column: "subject", as: String.self),
                before: try row.decode(column: "before", as: String?.self).flatMap { try? JSONValue(jsonString: $0) },
                after: try row.decode(column: "after", as: String?.self).flatMap { try? JSONValue(jsonString: $0) })
        }
    }
}

/// Small documents kept in `settings` (routing rules, SLA policies), read and written whole.
enum SettingsDocument {
    static func read<T: Decodable>(_ key: String, as type: T.Type, on sql: any SQLDatabase) async throws -> T? {
        guard let row = try await sql.raw("SELECT value FROM settings WHERE key = \(bind: key)").first() else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(try row.decode(column: "value", as: String.self).utf8))
    }

    static func write(_ key: String, _ value: some Encodable, on sql: any SQLDatabase) async throws {
        let text = String(decoding: try AuditLog.encoder.encode(value), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO settings (id, key, value) VALUES (\(bind: UUID()), \(bind: key), \(bind: text))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """).run()
    }
}
