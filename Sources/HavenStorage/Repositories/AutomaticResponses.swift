import Foundation
import SQLKit

/// One automatic response (an acknowledgement) Haven would like to send to `address` on `day` (UTC, yyyy-mm-dd),
/// allowed only while the address has had at most `limit` that day: two autoresponders answering each other
/// stop after `limit` rounds (RFC 3834's loop protection; Znuny's default is 40).
public struct AutomaticResponse: Sendable, Hashable {
    public var address: String
    public var day: String
    public var limit: Int

    public init(address: String, day: String, limit: Int) {
        self.address = address.lowercased()
        self.day = day
        self.limit = limit
    }
}

/// The per-address daily counters (`auto_responses`).
enum AutomaticResponses {
    /// Counts each request in the caller's transaction (one statement for the batch) and says, in order,
    /// whether each was within its limit.
    static func count(_ requests: [AutomaticResponse], on sql: any SQLDatabase) async throws -> [Bool] {
        struct Key: Hashable { var address: String, day: String }
        var asked: [Key: Int] = [:]
        for request in requests { asked[Key(address: request.address, day: request.day), default: 0] += 1 }
        guard !asked.isEmpty else { return [] }
        // One upsert for the whole batch (both engines take multi-row ON CONFLICT … RETURNING).
        let keys = Array(asked.keys)
        var statement: SQLQueryString = "INSERT INTO auto_responses (id, address, day, count) VALUES "
        for (position, key) in keys.enumerated() {
            if position > 0 { statement += ", " }
            statement += "(\(bind: UUID()), \(bind: key.address), \(bind: key.day), \(bind: asked[key]!))"
        }
        statement += " ON CONFLICT (address, day) DO UPDATE SET count = auto_responses.count + excluded.count RETURNING address, day, count"
        var next: [Key: Int] = [:]
        for row in try await sql.raw(statement).all() {
            let key = Key(address: try row.decode(column: "address", as: String.self), day: try row.decode(column: "day", as: String.self))
            // This batch's requests for one address took the last `asked` numbers up to the total, in order.
            next[key] = try row.decode(column: "count", as: Int.self) - (asked[key] ?? 0) + 1
        }
        return requests.map { request in
            let key = Key(address: request.address, day: request.day)
            guard let number = next[key] else { return false }  // not counted: not allowed
            next[key] = number + 1
            return number <= request.limit
        }
    }
}
