import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Logging
import SQLKit

// Seeds a SQLite data folder for the inbox and search benchmark (bench/run-inbox): 20 agents, 6 queues, N tickets
// through the ticket repository (every row, event and search entry a real ticket has), a tenth of them assigned to
// the benchmark agent, and M extra messages' worth of search entries, so that search runs over M words lists.
//
// Usage: inbox-seed DATA_DIR [tickets] [search-rows]
let arguments = CommandLine.arguments
let directory = arguments[1]
let ticketCount = arguments.count > 2 ? Int(arguments[2])! : 100_000
let searchRows = arguments.count > 3 ? Int(arguments[3])! : 1_000_000
var logger = Logger(label: "inbox-seed")
logger.logLevel = .warning

let database = try HavenDatabase(location: .sqlite(directory: directory), logger: logger)
try await database.migrate()
let directoryRepository = SQLDirectoryRepository(database: database)
let tickets = SQLTicketRepository(database: database)
let queues = ["br-account", "mena-live", "fr-creators", "general", "white-glove", "safety"]
for (index, slug) in queues.enumerated() {
    _ = try await directoryRepository.addQueue(slug: slug, name: slug, team: nil, isDefault: index == 3)
}
let hash = try await Passwords.hash("bench-password-1")
var agents: [AgentRecord] = []
for index in 0..<20 {
    agents.append(try await directoryRepository.addAgent(NewAgent(
        email: "agent\(index)@bench.test", name: "Agent \(index)", passwordHash: hash, roles: index == 0 ? [.agent, .lead, .safety] : [.agent],
        languages: ["en"])))
}

let vocabulary: [String: [String]] = [
    "pt-BR": "conta acesso senha codigo verificacao celular video live moedas carteira banimento recurso perfil seguidores mensagem erro aplicativo atualizacao pagamento criador".split(separator: " ").map(String.init),
    "en": "account access password code verification phone video live coins wallet ban appeal profile followers message error app update payment creator".split(separator: " ").map(String.init),
    "fr": "compte acces mot passe code verification telephone video direct pieces portefeuille suspension appel profil abonnes message erreur application paiement createur".split(separator: " ").map(String.init),
    "ar": "حساب دخول كلمة مرور رمز تحقق هاتف فيديو بث مباشر عملات محفظة حظر استئناف ملف متابعين رسالة خطأ تطبيق تحديث".split(separator: " ").map(String.init),
]
let languages = Array(vocabulary.keys).sorted()
func sentence(_ language: String, words: Int) -> String {
    (0..<words).map { _ in vocabulary[language]!.randomElement()! }.joined(separator: " ")
}

let started = Date()
var created: [UUID] = []
let batch = 64
for start in stride(from: 0, to: ticketCount, by: batch) {
    let made = try await withThrowingTaskGroup(of: UUID.self) { group in
        for index in start..<min(start + batch, ticketCount) {
            let language = languages[index % languages.count]
            let draft = NewTicketDraft(
                subject: sentence(language, words: 4), body: sentence(language, words: 30), channel: Channel.allCases[index % Channel.allCases.count],
                priority: [.low, .normal, .normal, .normal, .high, .urgent][index % 6], language: language, queue: queues[index % queues.count],
                requester: RequesterDraft(email: "customer\(index % 20_000)@example.com", name: "Customer \(index % 20_000)", locale: language))
            group.addTask { try await tickets.create(draft, actor: .system).id }
        }
        var ids: [UUID] = []
        for try await id in group { ids.append(id) }
        return ids
    }
    created += made
    if created.count % 10_000 < batch { print("tickets: \(created.count) (\(Int(Date().timeIntervalSince(started))) s)") }
}
// A tenth is the benchmark agent's own.
for id in created.prefix(ticketCount / 10) {
    _ = try await tickets.update(.id(id), with: TicketUpdate(status: .open, assignee: .some(agents[0].id.uuidString)), actor: .system)
}
print("tickets: \(ticketCount) in \(Int(Date().timeIntervalSince(started))) s")

// Extra search entries, as messages would write them (canonical words, see TicketSearch).
let searchStarted = Date()
var written = 0
let ticketIDs = created
while written < searchRows {
    let count = min(5_000, searchRows - written)
    try await database.write { tx in
        let sql = tx as! any SQLDatabase
        for chunk in stride(from: 0, to: count, by: 250) {
            let values: [SQLQueryString] = (chunk..<min(chunk + 250, count)).map { _ in
                let language = languages.randomElement()!
                let words = sentence(language, words: 25)
                return "(\(bind: ticketIDs.randomElement()!.uuidString), \(bind: words))"
            }
            try await sql.raw("INSERT INTO ticket_search (ticket_id, words) VALUES " + values.joined(separator: ", ")).run()
        }
    }
    written += count
    if written % 100_000 == 0 { print("search entries: \(written) (\(Int(Date().timeIntervalSince(searchStarted))) s)") }
}
try await (database.writer as! any SQLDatabase).raw("INSERT INTO ticket_search(ticket_search) VALUES ('optimize')").run()
print("seeded \(ticketCount) tickets and \(searchRows) extra search entries in \(Int(Date().timeIntervalSince(started))) s")
await database.shutdown()
