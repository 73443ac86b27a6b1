import Foundation
import HavenCore
import Testing

/// Routing rules as pure domain: first match wins, the default catches the rest, each decision says why, and a
/// rule list is checked before it is saved.
@Suite struct RoutingRulesTests {
    static let rules = [
        RoutingRule(name: "Safety · Critical", conditions: [RoutingCondition(.riskLevel, .atLeast, ["critical"])], queue: "safety"),
        RoutingRule(name: "Creators · White-glove", conditions: [RoutingCondition(.contactKind, .is, ["creator"]), RoutingCondition(.tier, .is, ["gold", "platinum"])], queue: "creators-vip"),
        RoutingRule(name: "BR · Account access", conditions: [
            RoutingCondition(.language, .is, ["pt"]), RoutingCondition(.topic, .is, ["account_access", "hacked_account"]),
        ], queue: "br-account-access"),
        RoutingRule(name: "MENA · LIVE", conditions: [RoutingCondition(.market, .is, ["SA", "AE", "EG", "MA"]), RoutingCondition(.liveNow, .is, ["true"])], queue: "mena-live"),
        RoutingRule(name: "Not chat", conditions: [RoutingCondition(.channel, .isNot, ["chat"]), RoutingCondition(.tag, .is, ["press"])], queue: "press"),
    ]

    func decide(_ ticket: RoutingTicket) -> RoutingDecision { RoutingRules.decide(ticket, rules: Self.rules, defaultQueue: "general") }

    @Test func theFirstMatchingRuleWinsAndSaysWhy() {
        let hacked = decide(RoutingTicket(channel: .inApp, language: "pt-BR", topic: .hackedAccount))
        #expect(hacked.queue == "br-account-access" && hacked.rule == 3)
        #expect(hacked.reason == "rule 3 'BR · Account access': language is pt-BR, topic is hacked_account")
        // Critical risk comes first, whatever else matches.
        let critical = decide(RoutingTicket(channel: .inApp, language: "pt-BR", topic: .hackedAccount, riskLevel: .critical, harms: [.selfHarm]))
        #expect(critical.queue == "safety" && critical.reason == "rule 1 'Safety · Critical': risk_level critical is at least critical")
        #expect(decide(RoutingTicket(channel: .email, riskLevel: .high)).queue == "general")
        // Every condition of a rule must hold.
        #expect(decide(RoutingTicket(channel: .chat, contactKind: .creator, tier: "GOLD")).queue == "creators-vip")
        #expect(decide(RoutingTicket(channel: .chat, contactKind: .creator, tier: "silver")).queue == "general")
        #expect(decide(RoutingTicket(channel: .chat, market: "SA", liveNow: true)).queue == "mena-live")
        #expect(decide(RoutingTicket(channel: .chat, market: "SA", liveNow: false)).queue == "general")
        #expect(decide(RoutingTicket(channel: .web, tags: ["vip", "press"])).queue == "press")
        #expect(decide(RoutingTicket(channel: .chat, tags: ["press"])).queue == "general")
        // "pt" is any Portuguese; a ticket with no language matches no language rule.
        #expect(decide(RoutingTicket(channel: .email, language: "pt-PT", topic: .accountAccess)).queue == "br-account-access")
        #expect(decide(RoutingTicket(channel: .email, language: "ptx", topic: .accountAccess)).queue == "general")
        let fallback = decide(RoutingTicket(channel: .email, topic: .accountAccess))
        #expect(fallback.queue == "general" && fallback.rule == nil && fallback.reason == "no rule matched: the default queue")
    }

    @Test func rulesAreCheckedBeforeTheyAreSaved() throws {
        let queues: Set<String> = ["safety", "creators-vip", "br-account-access", "mena-live", "press", "general"]
        #expect(RoutingRules.problems(Self.rules, queues: queues).isEmpty)
        let bad = [
            RoutingRule(name: "", conditions: [RoutingCondition(.topic, .is, ["billing"])], queue: "nowhere"),
            RoutingRule(name: "Everything", conditions: [], queue: "general"),
            RoutingRule(name: "Late", conditions: [RoutingCondition(.language, .atLeast, ["pt"]), RoutingCondition(.market, .is, ["Brazil"]),
                                                   RoutingCondition(.riskLevel, .is, [])], queue: "general"),
        ]
        let problems = RoutingRules.problems(bad, queues: queues)
        #expect(Set(problems.map(\.field)) == [
            "rules[0].name", "rules[0].queue", "rules[0].conditions[0].values", "rules[2]", "rules[2].conditions[0].op",
            "rules[2].conditions[1].values", "rules[2].conditions[2].values",
        ], "\(problems)")
        #expect(problems.contains { $0.problem.contains("'billing' is not a topic") })
        // Rules are data: JSON in and out, with the comparison as "op".
        let json = #"{"name":"Arabic","queue":"mena-live","conditions":[{"field":"language","op":"is","values":["ar"]}]}"#
        let rule = try JSONDecoder().decode(RoutingRule.self, from: Data(json.utf8))
        #expect(rule.conditions == [RoutingCondition(.language, .is, ["ar"])])
        #expect(try JSONDecoder().decode(RoutingRule.self, from: JSONEncoder().encode(rule)) == rule)
    }
}
