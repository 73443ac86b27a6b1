import FluentKit
import Foundation
import SQLKit

/// The first answer to a request made with an `Idempotency-Key`, kept so a retry gets the same answer.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String
    public var location: String?

    public init(status: Int, body: String, location: String? = nil) {
        self.status = status
        self.body = body
        self.location = location
    }
}

public enum IdempotencyClaim: Sendable, Equatable {
    /// First time: go ahead, then `finish` (or `release` when it failed in a way a retry might not).
    case claimed(UUID)
    /// Done before with the same request: answer this again.
    case replay(StoredResponse)
    /// The key was used for a different request.
    case mismatch
    /// The first request with this key is still running (or was cut off; `since` says when it started).
    case inProgress(since: Date)
}

public protocol IdempotencyRepository: Sendable {
    /// Claims `key` within `scope` (an app and user) for a request with this hash, in its own committed transaction.
    func claim(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim
    func finish(_ id: UUID, with response: StoredResponse) async throws
    /// Forgets a claim whose request failed before anything was written, so a retry can run.
    func release(_ id: UUID) async throws
    /// Deletes keys older than `age` (kept 24 hours by default).
    func prune(olderThan date: Date) async throws -> Int
}

final class IdempotencyKeyModel: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "key") var key: String
    @Field(key: "request_hash") var requestHash: String
    @OptionalField(key: "status_code") var statusCode: Int?
    @OptionalField(key: "response_body") var responseBody: String?
    @OptionalField(key: "location") var location: String?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

public struct SQLIdempotencyRepository: IdempotencyRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func claim(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim {
        let now = self.now()
        let id = UUID()
        // Insert-or-nothing, then read what holds the key: two nodes racing on one key both see the same winner.
        return try await database.write { tx in
            let sql = try tx.sql()
            try await sql.raw("""
                INSERT INTO idempotency_keys (id, scope, key, request_hash, created_at)
                VALUES (\(bind: id), \(bind: scope), \(bind: key), \(bind: requestHash), \(bind: now))
                ON CONFLICT (scope, key) DO NOTHING
                """).run()
            guard let row = try await IdempotencyKeyModel.query(on: tx).filter(\.$scope == scope).filter(\.$key == key).first() else {
                throw StorageError.conflict("idempotency key vanished")
            }
            if row.id == id { return .claimed(id) }
            if row.requestHash != requestHash { return .mismatch }
            if let status = row.statusCode, let body = row.responseBody { return .replay(StoredResponse(status: status, body: body, location: row.location)) }
            return .inProgress(since: row.createdAt)
        }
    }

    public func finish(_ id: UUID, with response: StoredResponse) async throws {
        try await database.write { tx in
            try await tx.sql().raw("""
                UPDATE idempotency_keys SET status_code = \(bind: response.status), response_body = \(bind: response.body),
                location = \(bind: response.location) WHERE id = \(bind: id)
                """).run()
        }
    }

    public func release(_ id: UUID) async throws {
        try await database.write { tx in try await IdempotencyKeyModel.query(on: tx).filter(\.$id == id).delete() }
    }

    public func prune(olderThan date: Date) async throws -> Int {
        try await database.write { tx in
            let rows = try await tx.sql().raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: date) RETURNING id").all()
            return rows.count
        }
    }
}
