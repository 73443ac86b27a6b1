import FluentKit
import SQLKit

/// SQLite: every word the full-text index holds, once (`TicketSearch`): a query's prefixes are expanded to whole
/// words through it, because FTS5 answers a prefix by merging the lists of every word that has it before it can stop
/// at the newest matches. Filled here from the index's own vocabulary; PostgreSQL needs none.
struct AddSearchTerms: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql()
        guard sql.dialect.name != "postgresql" else { return }
        try await database.transaction { database in
            let sql = try database.sql()
            try await sql.raw("CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID").run()
            try await sql.raw("CREATE VIRTUAL TABLE temp.search_vocabulary USING fts5vocab(main, ticket_search, row)").run()
            try await sql.raw("INSERT INTO search_terms (term) SELECT term FROM temp.search_vocabulary").run()
            try await sql.raw("DROP TABLE temp.search_vocabulary").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql()
        guard sql.dialect.name != "postgresql" else { return }
        try await sql.raw("DROP TABLE search_terms").run()
    }
}
