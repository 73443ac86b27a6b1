import Foundation
import SQLKit

/// Numbers the changes a customer sees (new requests, public messages, statuses) per contact, in the transaction
/// that writes them: `UPDATE contacts SET feed_seq = feed_seq + n` takes the contact's row lock until commit, so a
/// later number is never visible before an earlier one, and an app polling "after my last number" misses nothing
/// (a global sequence would not promise that on PostgreSQL, where numbers are handed out before commit).
enum CustomerFeed {
    /// Gives each event with a `feedContactID` its contact's next number, for every contact in one statement (a batch
    /// of chat lines touches a contact per line). On PostgreSQL the contacts are first locked in id order, so two
    /// transactions that touch the same contacts cannot deadlock on them; SQLite has one writer.
    static func number(_ events: [TicketEventModel], on sql: any SQLDatabase) async throws {
        let byContact = Dictionary(grouping: events.filter { $0.feedContactID != nil }, by: { $0.feedContactID! })
        guard !byContact.isEmpty else { return }
        let postgres = sql.dialect.name == "postgresql"
        let contacts = byContact.keys.sorted { $0.uuidString < $1.uuidString }
        if postgres {
            try await sql.raw("SELECT id FROM contacts WHERE id IN (\(binds: contacts)) ORDER BY id FOR UPDATE").run()
        }
        let values: [SQLQueryString] = contacts.map { contact in
            postgres ? "(CAST(\(bind: contact) AS uuid), CAST(\(bind: byContact[contact]!.count) AS bigint))" : "(\(bind: contact), \(bind: byContact[contact]!.count))"
        }
        let rows = try await sql.raw("UPDATE contacts SET feed_seq = feed_seq + v.column2 FROM (VALUES " + values.joined(separator: ", ")
            + ") AS v WHERE contacts.id = v.column1 RETURNING contacts.id, contacts.feed_seq").all()
        for row in rows { number(byContact[try row.decode(column: "id", as: UUID.self)] ?? [], endingAt: try row.decode(column: "feed_seq", as: Int.self)) }
        guard events.allSatisfy({ $0.feedContactID == nil || $0.feedSeq != nil }) else { throw StorageError.conflict("a contact is gone") }
    }

    /// A contact's events get the numbers up to `last`, in order.
    private static func number(_ events: [TicketEventModel], endingAt last: Int) {
        for (offset, event) in events.enumerated() { event.feedSeq = last - events.count + 1 + offset }
    }
}
