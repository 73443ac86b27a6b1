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
    /// The first request with this key created this ticket (in the same transaction as the key).
    case createdTicket(UUID)
}

/// A key to write in the transaction that creates a ticket: the ticket and its key commit together, so a retry
/// can never create a second ticket, even if Haven dies right after the first one's commit.
public struct IdempotencyReservation: Sendable, Equatable {
    public var scope: String
    public var key: String
    public var requestHash: String

    public init(scope: String, key: String, requestHash: String) {
        self.scope = scope
        self.key = key
        self.requestHash = requestHash
    }
}

/// Another request with the same key was written first (the caller reads the key again and replays it).
public struct IdempotencyConflict: Error, Sendable, Equatable {}

public protocol IdempotencyRepository: Sendable {
    /// Claims `key` within `scope` (an app and user) for a request with this hash, in its own committed transaction.
    func claim(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim
    /// What holds `key` for a request with this hash, without claiming it; nil when the key is free.
    func lookup(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim?
    func finish(_ id: UUID, with response: StoredResponse) async throws
    /// Forgets a claim whose request failed before anything was written, so a retry can run.
    func release(_ id: UUID) async throws
    /// Deletes keys older than `age` (kept 24 hours by default).
    func prune(olderThan date: Date) async throws -> Int
}

/// A row of `idempotency_keys` as the outcome needs it.
private struct HeldKey {
    static let columns: SQLQueryString = "id, scope, key, request_hash, status_code, response_body, location, ticket_id, created_at"
    var id: UUID
    var scope: String
    var key: String
    var requestHash: String
    var statusCode: Int?
    var responseBody: String?
    var location: String?
    var ticketID: UUID?
    var createdAt: Date

    init(_ row: any SQLRow) throws {
        id = try row.decode(column: "id", as: UUID.self)
        scope = try row.decode(column: "scope", as: String.self)
        key = try row.decode(column: "key", as: String.self)
        requestHash = try row.decode(column: "request_hash", as: String.self)
        statusCode = try row.decode(column: "status_code", as: Int?.self)
        responseBody = try row.decode(column: "response_body", as: String?.self)
        location = try row.decode(column: "location", as: String?.self)
        ticketID = try row.decode(column: "ticket_id", as: UUID?.self)
        createdAt = try row.decode(column: "created_at", as: Date.self)
    }

    /// What this key means for a request with this hash.
    func outcome(for requestHash: String) -> IdempotencyClaim {
        if self.requestHash != requestHash { return .mismatch }
        if let ticketID { return .createdTicket(ticketID) }
        if let statusCode, let responseBody { return .replay(StoredResponse(status: statusCode, body: responseBody, location: location)) }
        return .inProgress(since: createdAt)
    }
}

/// Claims and finishes go through group commit: every in-app POST makes one of each, and written alone each
/// would be a commit (an fsync on SQLite) of its own beside the ticket's.
public struct SQLIdempotencyRepository: IdempotencyRepository {
    struct Claim: Sendable {
        var scope: String
        var key: String
        var requestHash: String
    }

    let database: HavenDatabase
    let now: @Sendable () -> Date
    private let claims: GroupCommit<Claim, IdempotencyClaim>
    private let finishes: GroupCommit<(UUID, StoredResponse), Void>

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
        claims = GroupCommit(maxBatch: 64, executor: database.writerExecutor) { batch in try await Self.claim(batch, at: now(), on: database) }
        finishes = GroupCommit(maxBatch: 64, executor: database.writerExecutor) { batch in try await Self.finish(batch, on: database) }
    }

    public func claim(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim {
        try await claims.submit(Claim(scope: scope, key: key, requestHash: requestHash))
    }

    public func finish(_ id: UUID, with response: StoredResponse) async throws {
        try await finishes.submit((id, response))
    }

    /// Insert-or-nothing for the batch; a key another request holds answers what that request left.
    private static func claim(_ batch: [Claim], at now: Date, on database: HavenDatabase) async throws -> [Result<IdempotencyClaim, any Error>] {
        try await database.write { tx in
            let sql = try tx.sql()
            let rows = batch.map { NewKey(id: UUID(), scope: $0.scope, key: $0.key, requestHash: $0.requestHash) }
            let written = try await insert(rows, at: now, on: sql)
            let lost = zip(rows, batch).filter { !written.contains($0.0.id) }.map(\.1)
            var holders: [String: HeldKey] = [:]
            if !lost.isEmpty {
                for row in try await sql.raw("""
                    SELECT \(HeldKey.columns) FROM idempotency_keys
                    WHERE scope IN (\(binds: Array(Set(lost.map(\.scope))))) AND key IN (\(binds: Array(Set(lost.map(\.key)))))
                    """).all() {
                    let held = try HeldKey(row)
                    holders["\(held.scope)\n\(held.key)"] = held
                }
            }
            return zip(rows, batch).map { row, claim in
                if written.contains(row.id) { return .success(.claimed(row.id)) }
                guard let held = holders["\(claim.scope)\n\(claim.key)"] else { return .failure(StorageError.conflict("idempotency key vanished")) }
                return .success(held.outcome(for: claim.requestHash))
            }
        }
    }

    /// Plain SQL: every in-app request with a key asks this once, and Fluent's model layer costs more than the query.
    public func lookup(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim? {
        try await database.reader.sql().raw("""
            SELECT \(HeldKey.columns) FROM idempotency_keys WHERE scope = \(bind: scope) AND key = \(bind: key)
            """).first().map { try HeldKey($0).outcome(for: requestHash) }
    }

    /// A key to write: a claim (answer stored later) or, with `ticketID`, a new ticket's key (complete at once).
    struct NewKey {
        var id: UUID
        var scope: String
        var key: String
        var requestHash: String
        var ticketID: UUID? = nil
    }

    /// Inserts the keys no one holds yet, in one statement; answers the ids written.
    static func insert(_ keys: [NewKey], at now: Date, on sql: any SQLDatabase) async throws -> Set<UUID> {
        guard !keys.isEmpty else { return [] }
        var insert = sql.insert(into: "idempotency_keys").columns("id", "scope", "key", "request_hash", "status_code", "ticket_id", "created_at")
        for key in keys {
            insert = insert.values(
                SQLBind(key.id), SQLBind(key.scope), SQLBind(key.key), SQLBind(key.requestHash), SQLBind(key.ticketID == nil ? nil : 201 as Int?),
                SQLBind(key.ticketID), SQLBind(now))
        }
        return Set(try await insert.ignoringConflicts(with: ["scope", "key"]).returning("id").all().map { try $0.decode(column: "id", as: UUID.self) })
    }

    /// Writes the keys of new tickets in their transaction; answers, per reservation, whether it was written (false:
    /// another request holds the key).
    static func reserve(_ reservations: [(IdempotencyReservation, ticketID: UUID)], at now: Date, on sql: any SQLDatabase) async throws -> [Bool] {
        let keys = reservations.map { NewKey(id: UUID(), scope: $0.0.scope, key: $0.0.key, requestHash: $0.0.requestHash, ticketID: $0.ticketID) }
        let written = try await insert(keys, at: now, on: sql)
        return keys.map { written.contains($0.id) }
    }

    private static func finish(_ batch: [(UUID, StoredResponse)], on database: HavenDatabase) async throws -> [Result<Void, any Error>] {
        try await database.write { tx in
            let sql = try tx.sql()
            for (id, response) in batch {
                try await sql.raw("""
                    UPDATE idempotency_keys SET status_code = \(bind: response.status), response_body = \(bind: response.body),
                    location = \(bind: response.location) WHERE id = \(bind: id)
                    """).run()
            }
            return batch.map { _ in .success(()) }
        }
    }

    public func release(_ id: UUID) async throws {
        try await database.write { tx in try await tx.sql().raw("DELETE FROM idempotency_keys WHERE id = \(bind: id)").run() }
    }

    public func prune(olderThan date: Date) async throws -> Int {
        try await database.write { tx in
            let rows = try await tx.sql().raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: date) RETURNING id").all()
            return rows.count
        }
    }
}
