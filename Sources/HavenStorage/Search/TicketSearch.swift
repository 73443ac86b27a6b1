import Algorithms
import FluentKit
import Foundation
import HavenCore
import SQLKit

/// Full-text search over tickets' subjects, requesters' names and messages (internal notes included: agents search
/// their own notes).
///
/// Text is indexed in triage's canonical form (`TriageText`): lower case, no Latin accents, no Arabic diacritics or
/// tatweel, Arabic letter forms unified, repeated letters once. A query is read the same way, so "nao" finds "não"
/// and "مرحبا" finds "مَرْحَباً". Every word of a query must match, each as a prefix ("recup" finds "recuperar").
/// SQLite: an FTS5 table; PostgreSQL: a `tsvector` with a GIN index ('simple' configuration: the words are already
/// normalized, and no language's stemming is forced on four languages).
enum TicketSearch {
    /// The words a text is found by.
    static func words(_ text: String) -> [String] {
        TriageText(text).words.map(\.key)
    }

    /// A text as the index stores it. Worked out before the write transaction (`TicketCreation.search`,
    /// `MessageAppend.search`): reading words costs tens of microseconds, and the writer is single.
    static func document(_ text: String) -> String {
        words(text).joined(separator: " ")
    }

    /// Writes documents of tickets in the writing transaction: what was answered 2xx is also findable. On SQLite their
    /// words also go into `search_terms` (migration 023; `vocabulary: false` before it exists).
    static func index(_ entries: [(ticketID: UUID, document: String)], on sql: any SQLDatabase, vocabulary: Bool = true) async throws {
        let rows = entries.map { (ticketID: $0.ticketID, words: $0.document) }.filter { !$0.words.isEmpty }
        guard !rows.isEmpty else { return }
        let postgres = sql.dialect.name == "postgresql"
        // A few hundred rows per statement keep each under both engines' parameter limits.
        for chunk in rows.chunks(ofCount: 400) {
            let values: [SQLQueryString] = chunk.map { row in
                postgres ? "(\(bind: row.ticketID), to_tsvector('simple', \(bind: row.words)))" : "(\(bind: row.ticketID.uuidString), \(bind: row.words))"
            }
            let statement: SQLQueryString = "INSERT INTO ticket_search (ticket_id, words) VALUES " + values.joined(separator: ", ")
            try await sql.raw(statement).run()
        }
        guard !postgres && vocabulary else { return }
        let terms = Array(Set(rows.flatMap { $0.words.split(separator: " ").map(String.init) }))
        for chunk in terms.chunks(ofCount: 400) {
            let values: [SQLQueryString] = chunk.map { "(\(bind: $0))" }
            try await sql.raw("INSERT OR IGNORE INTO search_terms (term) VALUES " + values.joined(separator: ", ")).run()
        }
    }

    /// A prefix that stands for more whole words than this is left to FTS5 to expand (a one- or two-letter start).
    static let maxExpansion = 24

    /// How many of the newest matching entries a search looks at. A common word matches a large part of a desk's
    /// history; reading every match to sort a page by urgency costs seconds on a million messages, while the newest
    /// matches are found by walking the index backwards and stopping. Older tickets are found with more words.
    static let newestMatches = 2_000

    /// A condition on `t` (tickets) that holds when the ticket has every word of the query among the newest
    /// `newestMatches` entries that do; nil when the query has no words.
    /// On SQLite each word is first expanded to the whole words it starts (`search_terms`) and matched as their OR:
    /// FTS5 then walks the lists together from the newest entry and stops, where a prefix term would merge every
    /// list whole first (on a million entries, 50 ms for one common prefix). A word nothing starts matches nothing.
    static func condition(_ query: String, postgres: Bool, on sql: any SQLDatabase) async throws -> SQLQueryString? {
        let terms = words(query).prefix(8)
        guard !terms.isEmpty else { return nil }
        if postgres {
            // Canonical words are letters and digits only: nothing in them is tsquery syntax.
            let tsquery = terms.map { $0 + ":*" }.joined(separator: " & ")
            return """
                t.id IN (SELECT s.ticket_id FROM ticket_search s WHERE s.words @@ to_tsquery('simple', \(bind: tsquery))
                ORDER BY s.id DESC LIMIT \(literal: newestMatches))
                """
        }
        var groups: [String] = []
        for term in terms {
            // Canonical words are compared byte by byte: every word starting with `term` sorts below term + U+10FFFF.
            let words = try await sql.raw("""
                SELECT term FROM search_terms WHERE term >= \(bind: term) AND term < \(bind: term + "\u{10FFFF}") LIMIT \(literal: maxExpansion + 1)
                """).all().map { try $0.decode(column: "term", as: String.self) }
            if words.isEmpty { return "1 = 0" }
            // Canonical words are letters and digits only: nothing in them is FTS5 syntax.
            groups.append(words.count > maxExpansion ? "\"\(term)\"*" : "(" + words.map { "\"\($0)\"" }.joined(separator: " OR ") + ")")
        }
        let match = groups.joined(separator: " AND ")
        return "t.id IN (SELECT ticket_id FROM ticket_search WHERE ticket_search MATCH \(bind: match) ORDER BY rowid DESC LIMIT \(literal: newestMatches))"
    }
}
