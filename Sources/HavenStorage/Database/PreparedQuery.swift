import FluentKit
import Foundation
import PostgresKit
import SQLKit

/// A hot read with one SQL text for both engines, prepared once per connection on PostgreSQL.
///
/// Why: PostgreSQL plans every statement sent through SQLKit again, and for a short indexed read the planning costs
/// more than the execution (the chat's entries read at 1,000 chats on two nodes: 4.5 s planning against 1.1 s
/// executing, over 22,000 calls). A prepared statement is planned for its first executions only, then runs its
/// generic plan. The text numbers its parameters (`$1`, `$2`…); on SQLite they are written `?1`, `?2`…, which SQLite
/// binds by the same positions.
protocol PreparedQuery: Sendable {
    /// The statement, with `$1`, `$2`… for its values in `binds`' order, and no other `$` (SQLite's text swaps them all).
    static var text: String { get }
    var binds: [any Encodable & Sendable] { get }
}

extension HavenDatabase {
    /// The rows of `query` on a reader.
    func rows<Query: PreparedQuery>(_ query: Query) async throws -> [any SQLRow] {
        if let postgres = reader as? any PostgresDatabase {
            let statement = PreparedStatement<Query>(query: query)
            return try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.execute(statement, logger: connection.logger).reduce(into: []) { $0.append($1) }
                }
            }.get()
        }
        return try await reader.sql().raw("\(NumberedText(query: query))").all()
    }
}

/// PostgreSQL's side: PostgresNIO prepares the statement on a connection the first time it runs there.
private struct PreparedStatement<Query: PreparedQuery>: PostgresPreparedStatement {
    static var name: String { "haven_\(Query.self)" }
    static var sql: String { Query.text }
    let query: Query

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: query.binds.count)
        for value in query.binds {
            switch value {
            case let value as UUID: bindings.append(value)
            case let value as Int: bindings.append(value)
            case let value as String: bindings.append(value)
            case let value as Date: bindings.append(value)
            default: throw StorageError.notConfigured("a prepared statement's value of type \(type(of: value))")
            }
        }
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> any SQLRow { row.sql() }
}

/// SQLite's side: the same text with `?1`, `?2`… and the values bound in order.
private struct NumberedText<Query: PreparedQuery>: SQLExpression {
    let query: Query

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write(Query.text.replacingOccurrences(of: "$", with: "?"))
        serializer.binds += query.binds
    }
}
