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

    /// The next `count` values of each sequence, in one statement. Call it inside the transaction that uses them.
    static func next(_ sequences: [Sequences], count: Int, on sql: any SQLDatabase) async throws -> [Sequences: [Int]] {
        var values: [Sequences: [Int]] = [:]
        if sql.dialect.name == "postgresql" {
            let columns = sequences.map { "nextval('\($0.rawValue)') AS \($0.rawValue)" }.joined(separator: ", ")
            let rows = try await sql.raw("SELECT \(unsafeRaw: columns) FROM generate_series(1, \(bind: count))").all()
            for sequence in sequences {
                values[sequence] = try rows.map { try $0.decode(column: sequence.rawValue, as: Int.self) }
            }
        } else {
            let rows = try await sql.raw("""
                UPDATE counters SET value = value + \(bind: count) WHERE name IN (\(binds: sequences.map(\.rawValue))) RETURNING name, value
                """).all()
            for row in rows {
                guard let sequence = Sequences(rawValue: try row.decode(column: "name", as: String.self)) else { continue }
                let last = try row.decode(column: "value", as: Int.self)
                values[sequence] = Array((last - count + 1)...last)
            }
        }
        for sequence in sequences where values[sequence]?.count != count { throw StorageError.sequenceMissing(sequence.rawValue) }
        return values
    }

    /// The next value. Call it inside the transaction that uses it.
    func next(on sql: any SQLDatabase) async throws -> Int {
        try await Self.next([self], count: 1, on: sql)[self]![0]
    }
}

public enum StorageError: Error, Sendable {
    case sequenceMissing(String)
    case notConfigured(String)
    case conflict(String)
}
