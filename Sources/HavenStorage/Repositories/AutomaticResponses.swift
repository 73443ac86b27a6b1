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
    /// Counts each request in the caller's transaction (one upsert per address and day) and says, in order,
    /// whether each was within its limit.
    static func count(_ requests: [AutomaticResponse], at now: Date, on sql: any SQLDatabase) async throws -> [Bool] {
        struct Key: Hashable { var address: String, day: String }
        var asked: [Key: Int] = [:]
        for request in requests { asked[Key(address: request.address, day: request.day), default: 0] += 1 }
        var next: [Key: Int] = [:]
        for (key, count) in asked {
            let row = try await sql.raw("""
                INSERT INTO auto_responses (id, address, day, count) VALUES (\(bind: UUID()), \(bind: key.address), \(bind: key.day), \(bind: count))
                ON CONFLICT (address, day) DO UPDATE SET count = auto_responses.count + \(bind: count) RETURNING count
                """).first()
            // This batch's requests for one address took the last `count` numbers up to the total, in order.
            next[key] = (try row?.decode(column: "count", as: Int.self) ?? Int.max) - count + 1
        }
        return requests.map { request in
            let key = Key(address: request.address, day: request.day)
            let number = next[key]!
            next[key] = number + 1
            return number <= request.limit
        }
    }
}
