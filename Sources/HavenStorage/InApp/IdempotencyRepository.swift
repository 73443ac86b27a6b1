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

final class IdempotencyKeyModel: Model, @unchecked Sendable {
    static let schema = "idempotency_keys"
    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "key") var key: String
    @Field(key: "request_hash") var requestHash: String
    @OptionalField(key: "status_code") var statusCode: Int?
    @OptionalField(key: "response_body") var responseBody: String?
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "created_at") var createdAt: Date
    init() {}
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
        claims = GroupCommit(maxBatch: 64) { batch in try await Self.claim(batch, at: now(), on: database) }
        finishes = GroupCommit(maxBatch: 64) { batch in try await Self.finish(batch, on: database) }
    }

    public func claim(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim {
        try await claims.submit(Claim(scope: scope, key: key, requestHash: requestHash))
    }

    public func finish(_ id: UUID, with response: StoredResponse) async throws {
        try await finishes.submit((id, response))
    }

    /// Insert-or-nothing for the batch, then read what holds each key: two requests (or nodes) racing on one key
    /// both see the same winner.
    private static func claim(_ batch: [Claim], at now: Date, on database: HavenDatabase) async throws -> [Result<IdempotencyClaim, any Error>] {
        let ids = batch.map { _ in UUID() }
        return try await database.write { tx in
            let sql = try tx.sql()
            var insert = sql.insert(into: "idempotency_keys").columns("id", "scope", "key", "request_hash", "created_at")
            for (id, claim) in zip(ids, batch) { insert = insert.values(SQLBind(id), SQLBind(claim.scope), SQLBind(claim.key), SQLBind(claim.requestHash), SQLBind(now)) }
            try await insert.ignoringConflicts(with: ["scope", "key"]).run()
            let rows = try await IdempotencyKeyModel.query(on: tx)
                .filter(\.$scope ~~ Array(Set(batch.map(\.scope)))).filter(\.$key ~~ Array(Set(batch.map(\.key)))).all()
            let holders = Dictionary(rows.map { ("\($0.scope)\n\($0.key)", $0) }, uniquingKeysWith: { first, _ in first })
            return zip(ids, batch).map { id, claim in
                guard let row = holders["\(claim.scope)\n\(claim.key)"] else { return .failure(StorageError.conflict("idempotency key vanished")) }
                if row.id == id { return .success(.claimed(id)) }
                return .success(Self.outcome(row, requestHash: claim.requestHash))
            }
        }
    }

    /// Plain SQL: every in-app request with a key asks this once, and Fluent's model layer costs more than the query.
    public func lookup(scope: String, key: String, requestHash: String) async throws -> IdempotencyClaim? {
        guard let row = try await database.reader.sql().raw("""
            SELECT id, request_hash, status_code, response_body, location, ticket_id, created_at FROM idempotency_keys
            WHERE scope = \(bind: scope) AND key = \(bind: key)
            """).first() else { return nil }
        let model = IdempotencyKeyModel()
        model.id = try row.decode(column: "id", as: UUID.self)
        model.requestHash = try row.decode(column: "request_hash", as: String.self)
        model.statusCode = try row.decode(column: "status_code", as: Int?.self)
        model.responseBody = try row.decode(column: "response_body", as: String?.self)
        model.location = try row.decode(column: "location", as: String?.self)
        model.ticketID = try row.decode(column: "ticket_id", as: UUID?.self)
        model.createdAt = try row.decode(column: "created_at", as: Date.self)
        return Self.outcome(model, requestHash: requestHash)
    }

    /// What a key already held means for a request with this hash.
    static func outcome(_ row: IdempotencyKeyModel, requestHash: String) -> IdempotencyClaim {
        if row.requestHash != requestHash { return .mismatch }
        if let ticket = row.ticketID { return .createdTicket(ticket) }
        if let status = row.statusCode, let body = row.responseBody { return .replay(StoredResponse(status: status, body: body, location: row.location)) }
        return .inProgress(since: row.createdAt)
    }

    /// Writes the keys of new tickets in their transaction; answers, per reservation, whether it was written (false:
    /// another request holds the key).
    static func reserve(_ reservations: [(IdempotencyReservation, ticketID: UUID)], at now: Date, on sql: any SQLDatabase) async throws -> [Bool] {
        guard !reservations.isEmpty else { return [] }
        let ids = reservations.map { _ in UUID() }
        var insert = sql.insert(into: "idempotency_keys").columns("id", "scope", "key", "request_hash", "status_code", "ticket_id", "created_at")
        for (id, (reservation, ticket)) in zip(ids, reservations) {
            insert = insert.values(
                SQLBind(id), SQLBind(reservation.scope), SQLBind(reservation.key), SQLBind(reservation.requestHash), SQLBind(201), SQLBind(ticket), SQLBind(now))
        }
        let written = Set(try await insert.ignoringConflicts(with: ["scope", "key"]).returning("id").all().map { try $0.decode(column: "id", as: UUID.self) })
        return ids.map(written.contains)
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
        try await database.write { tx in try await IdempotencyKeyModel.query(on: tx).filter(\.$id == id).delete() }
    }

    public func prune(olderThan date: Date) async throws -> Int {
        try await database.write { tx in
            let rows = try await tx.sql().raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: date) RETURNING id").all()
            return rows.count
        }
    }
}
