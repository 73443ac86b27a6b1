import FluentKit
import Foundation
import SQLKit

/// A job in the outbox: something to deliver outside the database (an email, later a webhook), written in the
/// same transaction as the change that wants it, so a committed change always has its delivery ahead of it and
/// a rolled-back one never does.
public struct OutboxJob: Sendable, Equatable {
    public var id: UUID
    public var kind: String
    /// JSON, read by the handler of `kind`.
    public var payload: String
    /// Attempts so far, this one included (also the claim's token: a stale worker cannot complete a job re-claimed since).
    public var attempts: Int
    public var ticketID: UUID?
    public var createdAt: Date
}

public enum OutboxOutcome: Sendable, Equatable {
    case delivered
    /// Try again at `at`; `payload` replaces the job's (for example: only the recipients still to do).
    case retry(at: Date, error: String, payload: String? = nil)
    case failed(String)
}

/// The outbox table: jobs claimed by workers on any node, delivered at least once, completed with their claim token.
public protocol OutboxRepository: Sendable {
    /// Up to `limit` due jobs, each leased for `lease` seconds: a worker that dies mid-delivery hands its jobs
    /// back when the lease ends. On PostgreSQL several nodes claim at once without taking each other's jobs
    /// (`FOR UPDATE SKIP LOCKED`); SQLite has one writer anyway.
    func claim(limit: Int, lease: TimeInterval, now: Date) async throws -> [OutboxJob]
    /// Records an attempt's outcome; false if the job was claimed again since (its lease had run out).
    @discardableResult
    func complete(_ job: OutboxJob, _ outcome: OutboxOutcome, now: Date) async throws -> Bool
    /// Jobs by status, for admins and tests.
    func counts() async throws -> [String: Int]
}

public struct SQLOutboxRepository: OutboxRepository {
    let database: HavenDatabase

    public init(database: HavenDatabase) {
        self.database = database
    }

    public func claim(limit: Int, lease: TimeInterval, now: Date) async throws -> [OutboxJob] {
        let lock: SQLQueryString = database.isPostgres ? " FOR UPDATE SKIP LOCKED" : ""
        return try await database.write { tx in
            let rows = try await tx.sql().raw("""
                UPDATE outbox SET available_at = \(bind: now.addingTimeInterval(lease)), attempts = attempts + 1
                WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND available_at <= \(bind: now)
                             ORDER BY available_at LIMIT \(literal: limit)\(lock))
                RETURNING id, kind, payload, attempts, ticket_id, created_at
                """).all()
            return try rows.map { row in
                OutboxJob(
                    id: try row.decode(column: "id", as: UUID.self), kind: try row.decode(column: "kind", as: String.self),
                    payload: try row.decode(column: "payload", as: String.self), attempts: try row.decode(column: "attempts", as: Int.self),
                    ticketID: try row.decode(column: "ticket_id", as: UUID?.self), createdAt: try row.decode(column: "created_at", as: Date.self))
            }
        }
    }

    public func complete(_ job: OutboxJob, _ outcome: OutboxOutcome, now: Date) async throws -> Bool {
        try await database.write { tx in try await Self.complete(job, outcome, now: now, on: tx.sql()) }
    }

    /// The same, in the caller's transaction (a handler that records more with the outcome).
    static func complete(_ job: OutboxJob, _ outcome: OutboxOutcome, now: Date, on sql: any SQLDatabase) async throws -> Bool {
        let set: SQLQueryString = switch outcome {
        case .delivered: "status = 'sent', finished_at = \(bind: now), last_error = NULL"
        case .retry(let at, let error, let payload):
            "available_at = \(bind: at), last_error = \(bind: error), payload = \(bind: payload ?? job.payload)"
        case .failed(let error): "status = 'failed', finished_at = \(bind: now), last_error = \(bind: error)"
        }
        let rows = try await sql.raw("""
            UPDATE outbox SET \(set) WHERE id = \(bind: job.id) AND attempts = \(bind: job.attempts) AND status = 'pending' RETURNING id
            """).all()
        return !rows.isEmpty
    }

    public func counts() async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try await database.reader.sql().raw("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status").all() {
            counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }
}

extension OutboxModel {
    /// A new pending job, due at once.
    convenience init(kind: String, payload: String, ticketID: UUID?, at now: Date) {
        self.init()
        id = UUID()
        self.kind = kind
        self.payload = payload
        status = "pending"
        attempts = 0
        availableAt = now
        self.ticketID = ticketID
        createdAt = now
    }
}
