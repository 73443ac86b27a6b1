/// What routing rules can test about a ticket.
public struct RoutingTicket: Sendable, Equatable {
    public var channel: Channel
    public var language: String?
    public var market: String?
    public var topic: Topic?
    public var riskLevel: RiskLevel
    public var harms: [Harm]
    public var contactKind: ContactKind
    public var tier: String?
    /// The contact is a creator whose LIVE stream is on now.
    public var liveNow: Bool
    public var tags: [String]

    public init(
        channel: Channel, language: String? = nil, market: String? = nil, topic: Topic? = nil, riskLevel: RiskLevel = .none, harms: [Harm] = [],
        contactKind: ContactKind = .user, tier: String? = nil, liveNow: Bool = false, tags: [String] = []
    ) {
        self.channel = channel
        self.language = language
        self.market = market
        self.topic = topic
        self.riskLevel = riskLevel
        self.harms = harms
        self.contactKind = contactKind
        self.tier = tier
        self.liveNow = liveNow
        self.tags = tags
    }
}

/// One test of a rule: a field, how to compare, and the values ("language is pt-BR or pt", "risk_level at_least high").
public struct RoutingCondition: Sendable, Equatable, Codable {
    public enum Field: String, Sendable, Codable, CaseIterable {
        case channel, language, market, topic, harm, tier, tag
        case riskLevel = "risk_level"
        case contactKind = "contact_kind"
        case liveNow = "live_now"
    }

    public enum Comparison: String, Sendable, Codable, CaseIterable {
        /// The ticket's value is one of `values` (for tags and harms: any of them is).
        case `is`
        case isNot = "is_not"
        /// Risk at this level or above.
        case atLeast = "at_least"
    }

    public var field: Field
    public var comparison: Comparison
    public var values: [String]

    public init(_ field: Field, _ comparison: Comparison = .is, _ values: [String]) {
        self.field = field
        self.comparison = comparison
        self.values = values
    }

    enum CodingKeys: String, CodingKey {
        case field, values
        case comparison = "op"
    }

    func matches(_ ticket: RoutingTicket) -> Bool {
        if comparison == .atLeast {
            guard let floor = values.first.flatMap(RiskLevel.init(rawValue:)) else { return false }
            return ticket.riskLevel >= floor
        }
        let found = ticketValues(ticket).contains { value in
            values.contains { wanted in
                // "pt" is any Portuguese, "pt-BR" only Brazil's (as in the ticket list's filter); case does not matter.
                field == .language ? value.lowercased() == wanted.lowercased() || value.lowercased().hasPrefix(wanted.lowercased() + "-")
                    : value.lowercased() == wanted.lowercased()
            }
        }
        return comparison == .is ? found : !found
    }

    func ticketValues(_ ticket: RoutingTicket) -> [String] {
        switch field {
        case .channel: [ticket.channel.rawValue]
        case .language: ticket.language.map { [$0] } ?? []
        case .market: ticket.market.map { [$0] } ?? []
        case .topic: ticket.topic.map { [$0.rawValue] } ?? []
        case .riskLevel: [ticket.riskLevel.rawValue]
        case .harm: ticket.harms.map(\.rawValue)
        case .contactKind: [ticket.contactKind.rawValue]
        case .tier: ticket.tier.map { [$0] } ?? []
        case .liveNow: [ticket.liveNow ? "true" : "false"]
        case .tag: ticket.tags
        }
    }

    /// Words for the explanation: "language is pt-BR".
    func describe(_ ticket: RoutingTicket) -> String {
        let actual = ticketValues(ticket).joined(separator: ", ")
        switch comparison {
        case .is: return "\(field.rawValue) is \(actual.isEmpty ? "-" : actual)"
        case .isNot: return "\(field.rawValue) is not \(values.joined(separator: " or "))"
        case .atLeast: return "risk_level \(ticket.riskLevel.rawValue) is at least \(values.first ?? "")"
        }
    }

    /// The values each field may take, where the domain knows them.
    func problems(at path: String) -> [FieldProblem] {
        if values.isEmpty { return [FieldProblem(field: "\(path).values", problem: "Give at least one value.")] }
        if comparison == .atLeast {
            guard field == .riskLevel else { return [FieldProblem(field: "\(path).op", problem: "at_least compares risk_level only.")] }
            guard values.count == 1 else { return [FieldProblem(field: "\(path).values", problem: "at_least takes one risk level.")] }
        }
        let allowed: [String]? = switch field {
        case .channel: Channel.allCases.map(\.rawValue)
        case .topic: Topic.allCases.map(\.rawValue)
        case .riskLevel: RiskLevel.allCases.map(\.rawValue)
        case .harm: Harm.allCases.map(\.rawValue)
        case .contactKind: ContactKind.allCases.map(\.rawValue)
        case .liveNow: ["true", "false"]
        case .language, .market, .tier, .tag: nil
        }
        if let allowed {
            return values.filter { !allowed.contains($0) }.map {
                FieldProblem(field: "\(path).values", problem: "'\($0)' is not a \(field.rawValue); use one of: \(allowed.joined(separator: ", ")).")
            }
        }
        if field == .language {
            return values.filter { LocaleTag.normalize($0) == nil }.map { FieldProblem(field: "\(path).values", problem: "'\($0)' is not a language tag such as pt, pt-BR or ar.") }
        }
        if field == .market {
            return values.filter { $0.count != 2 || !$0.allSatisfy { $0.isASCII && $0.isLetter } }.map {
                FieldProblem(field: "\(path).values", problem: "'\($0)' is not a two-letter market such as BR, SA or FR.")
            }
        }
        return []
    }
}

/// An ordered routing rule: when every condition holds, the ticket goes to `queue` (a rule without conditions
/// takes everything that reaches it).
public struct RoutingRule: Sendable, Equatable, Codable {
    public var name: String
    public var conditions: [RoutingCondition]
    /// The queue's slug.
    public var queue: String

    public init(name: String, conditions: [RoutingCondition], queue: String) {
        self.name = name
        self.conditions = conditions
        self.queue = queue
    }
}

/// Where a ticket goes, and why: "rule 3 'BR · Account access': language is pt-BR, topic is account_access".
public struct RoutingDecision: Sendable, Equatable {
    public var queue: String
    /// 1-based position of the rule that matched; nil when the default queue caught it.
    public var rule: Int?
    public var reason: String
}

public enum RoutingRules {
    /// First match wins; the default queue catches the rest.
    public static func decide(_ ticket: RoutingTicket, rules: [RoutingRule], defaultQueue: String) -> RoutingDecision {
        for (index, rule) in rules.enumerated() where rule.conditions.allSatisfy({ $0.matches(ticket) }) {
            let why = rule.conditions.isEmpty ? "no conditions" : rule.conditions.map { $0.describe(ticket) }.joined(separator: ", ")
            return RoutingDecision(queue: rule.queue, rule: index + 1, reason: "rule \(index + 1) '\(rule.name)': \(why)")
        }
        return RoutingDecision(queue: defaultQueue, rule: nil, reason: "no rule matched: the default queue")
    }

    /// Every problem with a rule list, checked on save: names, values, queues that exist, rules that can never match
    /// because an earlier rule without conditions takes everything.
    public static func problems(_ rules: [RoutingRule], queues: Set<String>) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for (index, rule) in rules.enumerated() {
            let path = "rules[\(index)]"
            if rule.name.trimmingCharacters(in: .whitespaces).isEmpty || rule.name.count > 200 {
                problems.append(FieldProblem(field: "\(path).name", problem: "A rule has a name of 1 to 200 characters."))
            }
            if !queues.contains(rule.queue) {
                problems.append(FieldProblem(field: "\(path).queue", problem: "There is no queue '\(rule.queue)'."))
            }
            for (position, condition) in rule.conditions.enumerated() { problems += condition.problems(at: "\(path).conditions[\(position)]") }
            if let catchAll = rules[..<index].firstIndex(where: { $0.conditions.isEmpty }) {
                problems.append(FieldProblem(field: path, problem: "Rule \(catchAll + 1) has no conditions and takes every ticket first; this rule never runs."))
            }
        }
        return problems
    }
}
