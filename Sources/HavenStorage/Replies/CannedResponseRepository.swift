import FluentKit
import Foundation
import HavenCore
import SQLKit

/// Canned responses, edited by admins (each change in the audit log) and read by every agent's reply box.
public protocol CannedResponseRepository: Sendable {
    /// Every response, by name.
    func all() async throws -> [CannedResponse]
    func find(_ id: UUID) async throws -> CannedResponse?
    /// Creates a response, or replaces one's name and texts when `id` names it; the name must be free.
    /// Throws `DomainError.invalid` with what to fix, or `RecordNotFound`.
    func save(id: UUID?, name: String, texts: [String: String], by actor: UUID?) async throws -> CannedResponse
    /// Returns false when there was no such response.
    func delete(_ id: UUID, by actor: UUID?) async throws -> Bool
}

public struct SQLCannedResponseRepository: CannedResponseRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func all() async throws -> [CannedResponse] {
        try await database.reader.sql().raw("SELECT * FROM canned_responses ORDER BY name").all().map(Self.response)
    }

    public func find(_ id: UUID) async throws -> CannedResponse? {
        try await Self.find(id, on: database.reader.sql())
    }

    public func save(id: UUID?, name: String, texts: [String: String], by actor: UUID?) async throws -> CannedResponse {
        let (name, texts) = try CannedResponse.validated(name: name, texts: texts)
        let now = now()
        return try await database.write { tx in
            let sql = try tx.sql()
            var before: CannedResponse?
            if let id { before = try await Self.find(id, on: sql) }
            if let id, before == nil { throw RecordNotFound(kind: "canned response", reference: id.uuidString) }
            let taken = try await sql.raw("SELECT id FROM canned_responses WHERE name = \(bind: name)").all()
                .contains { (try? $0.decode(column: "id", as: UUID.self)) != id }
            if taken { throw DomainError.invalid([FieldProblem(field: "name", problem: "A canned response is already named '\(name)'; choose another name.")]) }
            let response = CannedResponse(id: id ?? UUID(), name: name, texts: texts, updatedAt: now)
            let json = String(decoding: try AuditLog.encoder.encode(texts), as: UTF8.self)
            if before == nil {
                try await sql.raw("""
                    INSERT INTO canned_responses (id, name, texts, updated_at, updated_by)
                    VALUES (\(bind: response.id), \(bind: name), \(bind: json), \(bind: now), \(bind: actor))
                    """).run()
            } else {
                try await sql.raw("""
                    UPDATE canned_responses SET name = \(bind: name), texts = \(bind: json), updated_at = \(bind: now), updated_by = \(bind: actor)
                    WHERE id = \(bind: response.id)
                    """).run()
            }
            try await AuditLog.append(
                before == nil ? "canned_response.created" : "canned_response.updated", subject: response.id.uuidString.lowercased(),
                before: before, after: response, by: actor, at: now, on: sql)
            return response
        }
    }

    public func delete(_ id: UUID, by actor: UUID?) async throws -> Bool {
        let now = now()
        return try await database.write { tx in
            let sql = try tx.sql()
            guard let before = try await Self.find(id, on: sql) else { return false }
            try await sql.raw("DELETE FROM canned_responses WHERE id = \(bind: id)").run()
            try await AuditLog.append(
                "canned_response.deleted", subject: id.uuidString.lowercased(), before: before, after: CannedResponse?.none, by: actor, at: now, on: sql)
            return true
        }
    }

    static func find(_ id: UUID, on sql: any SQLDatabase) async throws -> CannedResponse? {
        try await sql.raw("SELECT * FROM canned_responses WHERE id = \(bind: id)").first().map(response)
    }

    static func response(_ row: any SQLRow) throws -> CannedResponse {
        let texts = try row.decode(column: "texts", as: String.self)
        return CannedResponse(
            id: try row.decode(column: "id", as: UUID.self), name: try row.decode(column: "name", as: String.self),
            texts: (try? JSONDecoder().decode([String: String].self, from: Data(texts.utf8))) ?? [:],
            updatedAt: try row.decode(column: "updated_at", as: Date.self))
    }
}
