import FluentKit
import Foundation
import SQLKit

extension HavenDatabase {
    /// Runs `body` in one transaction on the writer.
    ///
    /// On PostgreSQL, two nodes writing the same ticket at once both try to append the same event
    /// `seq`; the loser's transaction fails on the unique index and is simply run again on fresh
    /// data. SQLite has a single writer, so there such a conflict is a real error.
    public func write<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            do {
                // The tickets the body appends events to are noted as it runs, and announced once committed (to other nodes
                // by `ChangedTicketsNotifier`).
                let touched = TouchedTickets()
                let result = try await writer.transaction { tx in
                    try await TouchedTickets.$current.withValue(touched) { try await body(tx) }
                }
                let ids = touched.all
                if !ids.isEmpty {
                    changes.recent.add(touched.recent)
                    changes.deliver(.changed(ids))
                    await notifier?.add(ids)
                }
                return result
            } catch let error as any DatabaseError where isPostgres && error.isConstraintFailure && attempt < 5 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...(5 * attempt))))
            }
        }
    }
}

extension Database {
    func sql() throws -> any SQLDatabase {
        guard let sql = self as? any SQLDatabase else { throw StorageError.notConfigured("the database driver has no SQL interface") }
        return sql
    }
}

/// Lists (tags, roles, languages) are kept as JSON arrays in text columns: they are read with their row and never queried into.
enum JSONList {
    static func encode(_ list: [String]) -> String {
        (try? JSONEncoder().encode(list)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func decode(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
