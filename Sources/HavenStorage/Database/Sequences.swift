import SQLKit

/// Gap-tolerant increasing numbers (ticket numbers, the change sequence).
///
/// PostgreSQL has sequences, which hand out numbers without locking a row, so concurrent
/// writers on several nodes never queue on them. SQLite has one writer anyway, so a counter
/// row updated inside the writer's transaction is just as good and rolls back with it.
enum Sequences: String, CaseIterable {
    case ticketNumber = "ticket_number_seq"
    case ticketChange = "ticket_change_seq"

    static func create(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "postgresql" {
            for sequence in allCases {
                try await sql.raw("CREATE SEQUENCE \(unsafeRaw: sequence.rawValue) START 1").run()
            }
        } else {
            try await sql.raw("CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)").run()
            for sequence in allCases {
                try await sql.raw("INSERT INTO counters (name, value) VALUES (\(bind: sequence.rawValue), 0)").run()
            }
        }
    }

    static func drop(on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "postgresql" {
            for sequence in allCases { try await sql.raw("DROP SEQUENCE \(unsafeRaw: sequence.rawValue)").run() }
        } else {
            try await sql.raw("DROP TABLE counters").run()
        }
    }

    /// The next value. Call it inside the transaction that uses it.
    func next(on sql: any SQLDatabase) async throws -> Int {
        let row: (any SQLRow)?
        if sql.dialect.name == "postgresql" {
            row = try await sql.raw("SELECT nextval(\(bind: rawValue)) AS value").first()
        } else {
            row = try await sql.raw("UPDATE counters SET value = value + 1 WHERE name = \(bind: rawValue) RETURNING value").first()
        }
        guard let row else { throw StorageError.sequenceMissing(rawValue) }
        return try row.decode(column: "value", as: Int.self)
    }
}

public enum StorageError: Error, Sendable {
    case sequenceMissing(String)
    case notConfigured(String)
    case conflict(String)
}
