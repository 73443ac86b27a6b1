import Foundation
import SQLKit

/// Numbers the changes a customer sees (new requests, public messages, statuses) per contact, in the transaction
/// that writes them: `UPDATE contacts SET feed_seq = feed_seq + n` takes the contact's row lock until commit, so a
/// later number is never visible before an earlier one, and an app polling "after my last number" misses nothing
/// (a global sequence would not promise that on PostgreSQL, where numbers are handed out before commit).
enum CustomerFeed {
    /// Gives each event with a `feedContactID` its contact's next number. Contacts are locked in id order, so two
    /// transactions that touch the same contacts cannot deadlock on them.
    static func number(_ events: [TicketEventModel], on sql: any SQLDatabase) async throws {
        let byContact = Dictionary(grouping: events.filter { $0.feedContactID != nil }, by: { $0.feedContactID! })
        guard !byContact.isEmpty else { return }
        // SQLite has one writer (no lock order to keep) and a statement costs a thread hop: one statement for all.
        if sql.dialect.name != "postgresql" {
            var amounts: SQLQueryString = "CASE id"
            for (contact, events) in byContact { amounts += " WHEN \(bind: contact) THEN \(bind: events.count)" }
            amounts += " END"
            let rows = try await sql.raw("""
                UPDATE contacts SET feed_seq = feed_seq + \(amounts) WHERE id IN (\(binds: Array(byContact.keys))) RETURNING id, feed_seq
                """).all()
            for row in rows { number(byContact[try row.decode(column: "id", as: UUID.self)] ?? [], endingAt: try row.decode(column: "feed_seq", as: Int.self)) }
            guard events.allSatisfy({ $0.feedContactID == nil || $0.feedSeq != nil }) else { throw StorageError.conflict("a contact is gone") }
            return
        }
        for contact in byContact.keys.sorted(by: { $0.uuidString < $1.uuidString }) {
            let events = byContact[contact]!
            let row = try await sql.raw("""
                UPDATE contacts SET feed_seq = feed_seq + \(bind: events.count) WHERE id = \(bind: contact) RETURNING feed_seq
                """).first()
            guard let last = try row?.decode(column: "feed_seq", as: Int.self) else { throw StorageError.conflict("contact \(contact) is gone") }
            number(events, endingAt: last)
        }
    }

    /// A contact's events get the numbers up to `last`, in order.
    private static func number(_ events: [TicketEventModel], endingAt last: Int) {
        for (offset, event) in events.enumerated() { event.feedSeq = last - events.count + 1 + offset }
    }
}
