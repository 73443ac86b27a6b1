import Foundation
import HavenCore

// Routing decision for one ticket among 500 agents and 50 queues: the routing rules pick the queue (the ticket
// matches the last of 50 rules, the worst case), then push assignment chooses among the queue's 500 candidate
// agents (skills, capacity, strategy). Target: ≤ 0.2 ms per ticket.
let seconds = Double(CommandLine.arguments.dropFirst().first ?? "3") ?? 3
let languages = ["en", "pt-BR", "ar", "fr"]
let markets = ["BR", "SA", "FR", "US", "EG"]
var generator = SystemRandomNumberGenerator()

let rules = (0..<50).map { index in
    RoutingRule(
        name: "Queue \(index)",
        conditions: [
            RoutingCondition(.market, .is, [markets[index % markets.count]]),
            RoutingCondition(.language, .is, [String(languages[index % languages.count].prefix(2))]),
            RoutingCondition(.topic, .is, [Topic.allCases[index % Topic.allCases.count].rawValue]),
            RoutingCondition(.tier, .isNot, ["blocked-\(index)"]),
        ],
        queue: "queue-\(index)")
}
let now = Date()
let agents = (0..<500).map { index in
    AssignableAgent(
        id: UUID(),
        skills: AgentSkills(languages: [AgentSkills.Language(languages[index % 4], .fluent), AgentSkills.Language("en", .working)], markets: [], topics: []),
        safetyTrained: index % 5 == 0, capacity: AgentCapacity(chat: 3, ticket: 10), presence: index % 7 == 0 ? .away : .online,
        chats: index % 3, tickets: index % 11, lastAssignedAt: now.addingTimeInterval(-Double(index)))
}
let queue = QueueAssignment(mode: .push, strategy: .leastLoaded, relaxAfter: 600)
// Matches only rule 50 (index 49): market EG, language fr, the topic at 49.
let ticket = RoutingTicket(channel: .inApp, language: "fr-FR", market: "EG", topic: Topic.allCases[49 % Topic.allCases.count], riskLevel: .medium, tier: "gold")
let assignable = AssignableTicket(id: UUID(), channel: .inApp, language: "fr-FR", market: "EG", riskLevel: .medium, queuedAt: now)

var count = 0
var checksum = 0
var samples: [Double] = []
let start = Date()
while Date().timeIntervalSince(start) < seconds {
    let began = DispatchTime.now().uptimeNanoseconds
    let decision = RoutingRules.decide(ticket, rules: rules, defaultQueue: "general")
    let chosen = Assignment.choose(for: assignable, among: agents, queue: queue, now: now)
    samples.append(Double(DispatchTime.now().uptimeNanoseconds - began) / 1_000)
    checksum &+= (decision.rule ?? 0) &+ (chosen == nil ? 0 : 1)
    count += 1
}
samples.sort()
let mean = samples.reduce(0, +) / Double(samples.count)
print(String(format: "routing decision (50 rules, 500 agents): %d decisions, mean %.1f µs, p50 %.1f µs, p99 %.1f µs (checksum %d)",
             count, mean, samples[samples.count / 2], samples[samples.count * 99 / 100], checksum))
