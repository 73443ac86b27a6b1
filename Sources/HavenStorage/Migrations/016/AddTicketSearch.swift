import FluentKit
import Foundation
import SQLKit

/// Full-text search over tickets (`TicketSearch`): one row per subject (with the requester's name) and per message,
/// in triage's canonical words.
/// Tickets already stored are indexed here.
struct AddTicketSearch: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.transaction { database in
            let sql = try database.sql()
            if sql.dialect.name == "postgresql" {
                try await sql.raw("CREATE TABLE ticket_search (id BIGSERIAL PRIMARY KEY, ticket_id UUID NOT NULL REFERENCES tickets(id) ON DELETE CASCADE, words TSVECTOR NOT NULL)").run()
                try await sql.raw("CREATE INDEX ticket_search_words_idx ON ticket_search USING GIN (words)").run()
                try await sql.raw("CREATE INDEX ticket_search_ticket_idx ON ticket_search (ticket_id)").run()
            } else {
                // The words are already canonical: the tokenizer only splits on spaces.
                try await sql.raw("CREATE VIRTUAL TABLE ticket_search USING fts5(ticket_id UNINDEXED, words, tokenize = 'unicode61 remove_diacritics 0')").run()
            }
            var entries: [(ticketID: UUID, text: String)] = []
            for row in try await sql.raw("SELECT t.id, t.subject, c.name FROM tickets t JOIN contacts c ON c.id = t.requester_id").all() {
                let name = try row.decode(column: "name", as: String?.self) ?? ""
                entries.append((try row.decode(column: "id", as: UUID.self), try row.decode(column: "subject", as: String.self) + " " + name))
            }
            for row in try await sql.raw("SELECT ticket_id, body FROM messages").all() {
                entries.append((try row.decode(column: "ticket_id", as: UUID.self), try row.decode(column: "body", as: String.self)))
            }
            // The vocabulary table comes later (023), filled from this index.
            try await TicketSearch.index(entries.map { ($0.ticketID, TicketSearch.document($0.text)) }, on: sql, vocabulary: false)
        }
    }

    func revert(on database: any Database) async throws {
        try await database.sql().raw("DROP TABLE ticket_search").run()
    }
}
