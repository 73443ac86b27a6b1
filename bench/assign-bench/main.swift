import Foundation
import HavenCore
import HavenStorage
import Logging

// "Get next" under contention on PostgreSQL: AGENTS agents pull at once from one queue until it is empty.
// Reports claims per second and checks that no ticket was assigned twice. Target: ≥ 1,000 claims/s with 200 agents.
// Usage: assign-bench <postgres-url> [agents=200] [tickets=20000] [pool=8]
let arguments = Array(CommandLine.arguments.dropFirst())
guard let url = arguments.first else {
    print("usage: assign-bench <postgres-url> [agents] [tickets] [pool-per-event-loop]")
    exit(2)
}
let agentCount = arguments.count > 1 ? Int(arguments[1])! : 200
let ticketCount = arguments.count > 2 ? Int(arguments[2])! : 20_000
let pool = arguments.count > 3 ? Int(arguments[3])! : 8
var logger = Logger(label: "assign-bench")
logger.logLevel = .warning

let name = "haven_bench_assign"
let admin = try HavenDatabase(location: .postgres(url: url), logger: logger, poolSize: 1)
try await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
try await admin.execute("CREATE DATABASE \(name)")
await admin.shutdown()
var components = URLComponents(string: url)!
components.path = "/\(name)"
let database = try HavenDatabase(location: .postgres(url: components.string!), logger: logger, poolSize: pool)
try await database.migrate()
let directory = SQLDirectoryRepository(database: database)
let routing = SQLRoutingRepository(database: database)
let assignments = SQLAssignmentRepository(database: database)
let tickets = SQLTicketRepository(database: database)
_ = try await directory.addQueue(slug: "support", name: "Support", team: nil, isDefault: true)
let boss = try await directory.addAgent(NewAgent(email: "boss@bench.test", name: "Boss", passwordHash: "x", roles: [.admin], languages: ["en"]))
var agents: [UUID] = []
for index in 0..<agentCount {
    let agent = try await directory.addAgent(NewAgent(email: "a\(index)@bench.test", name: "A\(index)", passwordHash: "x", roles: [.agent], languages: ["en"]))
    _ = try await routing.updateAgentRouting(agent.id.uuidString, skills: nil, capacity: AgentCapacity(chat: 3, ticket: 500), by: boss.id)
    _ = try await assignments.setPresence(.online, for: agent.id)
    agents.append(agent.id)
}
_ = try await routing.updateQueueRouting("support", assignment: nil, members: agents.map(\.uuidString), by: boss.id)
// Tickets go in through the repository's group commit, 64 writers at once.
try await withThrowingTaskGroup(of: Void.self) { group in
    for writer in 0..<64 {
        group.addTask {
            for index in stride(from: writer, to: ticketCount, by: 64) {
                _ = try await tickets.create(
                    NewTicketDraft(subject: "Help \(index)", body: "Please help \(index)", channel: .api, language: "en",
                                   requester: RequesterDraft(email: "c\(index % 5000)@example.com")), actor: .system)
            }
        }
    }
    try await group.waitForAll()
}
let started = Date()
let claims = try await withThrowingTaskGroup(of: [UUID].self) { group in
    for agent in agents {
        group.addTask {
            var mine: [UUID] = []
            while let claim = try await assignments.next(for: agent).claim { mine.append(claim.ticketID) }
            return mine
        }
    }
    var all: [UUID] = []
    for try await mine in group { all += mine }
    return all
}
let elapsed = Date().timeIntervalSince(started)
let unique = Set(claims).count
print(String(format: "get-next: %d agents, %d tickets, pool %d/loop: %d claims in %.2f s = %.0f claims/s; double assignments: %d",
             agentCount, ticketCount, pool, claims.count, elapsed, Double(claims.count) / elapsed, claims.count - unique))
await database.shutdown()
exit(claims.count == unique && unique == ticketCount ? 0 : 1)
