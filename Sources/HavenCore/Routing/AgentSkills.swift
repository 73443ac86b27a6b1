import Foundation

/// What an agent can handle: languages (with how well), markets and topics. Empty markets or topics: any.
/// Safety training is the agent's `safety` role, so one switch decides both what they see and what they are offered.
public struct AgentSkills: Codable, Sendable, Equatable {
    public struct Language: Codable, Sendable, Equatable {
        public enum Level: String, Codable, Sendable, CaseIterable, Comparable {
            case basic, working, fluent, native
            var rank: Int { Self.allCases.firstIndex(of: self)! }
            public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
        }
        public var tag: String
        public var level: Level
        public init(_ tag: String, _ level: Level = .fluent) {
            self.tag = tag
            self.level = level
        }
    }

    public var languages: [Language]
    public var markets: [String]
    public var topics: [Topic]

    public init(languages: [Language] = [], markets: [String] = [], topics: [Topic] = []) {
        self.languages = languages
        self.markets = markets
        self.topics = topics
    }

    /// The agent's level in a ticket's language: "pt" speakers take pt-BR and pt-PT; nil when they do not speak it.
    public func level(in language: String) -> Language.Level? {
        var best: Language.Level?
        for skill in languages where LanguageMatch.samePrimary(skill.tag, language) { best = max(best ?? skill.level, skill.level) }
        return best
    }

    /// Normalized (language tags canonical, markets upper case), or every problem at once.
    public func validated() throws(DomainError) -> AgentSkills {
        var problems: [FieldProblem] = []
        var out = self
        out.languages = languages.enumerated().compactMap { index, skill in
            guard let tag = LocaleTag.normalize(skill.tag) else {
                problems.append(FieldProblem(field: "skills.languages[\(index)].tag", problem: "'\(skill.tag)' is not a language tag such as en, pt-BR or ar."))
                return nil
            }
            return Language(tag, skill.level)
        }
        out.markets = markets.map { $0.uppercased() }
        for (index, market) in out.markets.enumerated() where market.count != 2 || !market.allSatisfy({ $0.isASCII && $0.isLetter }) {
            problems.append(FieldProblem(field: "skills.markets[\(index)]", problem: "'\(market)' is not a two-letter market such as BR, SA or FR."))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return out
    }
}

public enum LanguageMatch {
    /// "pt-BR" → "pt".
    public static func primary(_ tag: String) -> String {
        String(tag.lowercased().prefix { $0 != "-" && $0 != "_" })
    }

    /// "pt" and "pt-BR" share "pt"; compared by ASCII bytes, case-insensitively, without allocating.
    static func samePrimary(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator(), right = b.utf8.makeIterator()
        while true {
            let x = left.next().flatMap { $0 == 45 || $0 == 95 ? nil : $0 | 0x20 }
            let y = right.next().flatMap { $0 == 45 || $0 == 95 ? nil : $0 | 0x20 }
            if x != y { return false }
            if x == nil { return true }
        }
    }
}

/// How much work an agent holds at once, per kind of work: chats are live and few, tickets many.
public struct AgentCapacity: Codable, Sendable, Equatable {
    public var chat: Int
    public var ticket: Int

    public init(chat: Int = 3, ticket: Int = 10) {
        self.chat = chat
        self.ticket = ticket
    }

    public func limit(for channel: Channel) -> Int { channel == .chat ? chat : ticket }

    public func problems() -> [FieldProblem] {
        [("capacity.chat", chat, 50), ("capacity.ticket", ticket, 500)].compactMap { field, value, max in
            (0...max).contains(value) ? nil : FieldProblem(field: field, problem: "Between 0 and \(max).")
        }
    }
}

/// An agent's presence: only online agents are offered work or can pull it.
public enum Presence: String, Codable, Sendable, CaseIterable {
    case online, away, offline
}

/// How a queue hands out its tickets.
public struct QueueAssignment: Codable, Sendable, Equatable {
    public enum Mode: String, Codable, Sendable, CaseIterable {
        /// Agents pull ("Get next") or are assigned by hand.
        case pull
        /// Haven offers each ticket to the best available agent; they accept or decline.
        case push
    }

    public enum Strategy: String, Codable, Sendable, CaseIterable {
        /// The agent holding the fewest tickets (for their capacity) gets the next one.
        case leastLoaded = "least_loaded"
        /// The agent who has waited longest since their last assignment gets the next one.
        case longestIdle = "longest_idle"
    }

    /// What happens to an agent's open tickets when they go offline.
    public enum OfflinePolicy: String, Codable, Sendable, CaseIterable {
        /// They stay the agent's.
        case keep
        /// They go back to the queue, unassigned.
        case requeue
    }

    public var mode: Mode
    public var strategy: Strategy
    /// How long an agent has to accept an offer before it moves on.
    public var offerTimeout: Int
    /// After this wait (seconds) in the queue, a ticket is also offered to agents who speak `relaxTo`; nil: never.
    public var relaxAfter: Int?
    public var relaxTo: [String]
    public var offline: OfflinePolicy

    public init(
        mode: Mode = .pull, strategy: Strategy = .leastLoaded, offerTimeout: Int = 120, relaxAfter: Int? = nil, relaxTo: [String] = ["en"],
        offline: OfflinePolicy = .keep
    ) {
        self.mode = mode
        self.strategy = strategy
        self.offerTimeout = offerTimeout
        self.relaxAfter = relaxAfter
        self.relaxTo = relaxTo
        self.offline = offline
    }

    enum CodingKeys: String, CodingKey {
        case mode, strategy, offline
        case offerTimeout = "offer_timeout_seconds"
        case relaxAfter = "relax_after_seconds"
        case relaxTo = "relax_to_languages"
    }

    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if !(10...3_600).contains(offerTimeout) { problems.append(FieldProblem(field: "assignment.offer_timeout_seconds", problem: "Between 10 and 3600 seconds.")) }
        if let relaxAfter, !(0...7 * 86_400).contains(relaxAfter) {
            problems.append(FieldProblem(field: "assignment.relax_after_seconds", problem: "Between 0 and 604800 seconds (a week), or null for never."))
        }
        for (index, tag) in relaxTo.enumerated() where LocaleTag.normalize(tag) == nil {
            problems.append(FieldProblem(field: "assignment.relax_to_languages[\(index)]", problem: "'\(tag)' is not a language tag such as en."))
        }
        return problems
    }
}

/// What assignment needs to know about a waiting ticket.
public struct AssignableTicket: Sendable, Equatable {
    public var id: UUID
    public var channel: Channel
    public var language: String?
    public var market: String?
    public var topic: Topic?
    public var riskLevel: RiskLevel
    /// When it entered its queue: skills relax after the queue's wait.
    public var queuedAt: Date
    /// Agents who declined it or let an offer lapse: not offered it again.
    public var passedBy: Set<UUID>

    public init(
        id: UUID, channel: Channel, language: String? = nil, market: String? = nil, topic: Topic? = nil, riskLevel: RiskLevel = .none,
        queuedAt: Date, passedBy: Set<UUID> = []
    ) {
        self.id = id
        self.channel = channel
        self.language = language
        self.market = market
        self.topic = topic
        self.riskLevel = riskLevel
        self.queuedAt = queuedAt
        self.passedBy = passedBy
    }
}

/// An agent as assignment sees them: skills, capacity, what they hold now, when they last got work.
public struct AssignableAgent: Sendable, Equatable {
    public var id: UUID
    public var skills: AgentSkills
    public var safetyTrained: Bool
    public var capacity: AgentCapacity
    public var presence: Presence
    /// Open tickets held, by kind of work.
    public var chats: Int
    public var tickets: Int
    public var lastAssignedAt: Date?

    public init(
        id: UUID, skills: AgentSkills, safetyTrained: Bool = false, capacity: AgentCapacity = AgentCapacity(), presence: Presence = .online,
        chats: Int = 0, tickets: Int = 0, lastAssignedAt: Date? = nil
    ) {
        self.id = id
        self.skills = skills
        self.safetyTrained = safetyTrained
        self.capacity = capacity
        self.presence = presence
        self.chats = chats
        self.tickets = tickets
        self.lastAssignedAt = lastAssignedAt
    }

    func load(for channel: Channel) -> Int { channel == .chat ? chats : tickets }

    public func hasRoom(for channel: Channel) -> Bool { load(for: channel) < capacity.limit(for: channel) }
}

public enum Assignment {
    /// Why an agent may take a ticket.
    public enum Qualification: Sendable, Equatable {
        case anyLanguage
        case speaks(String, AgentSkills.Language.Level)
        /// The queue's wait passed: offered in a fallback language.
        case relaxed(after: Int, fallback: String, customer: String)

        public var description: String {
            switch self {
            case .anyLanguage: "any language"
            case .speaks(let language, let level): "speaks \(language) (\(level.rawValue))"
            case .relaxed(let after, let fallback, let customer): "waited over \(after / 60) min: offered in \(fallback); the customer writes \(customer)"
            }
        }
    }

    /// Whether an agent may take a ticket, and why: the ticket's language (or, once the queue's wait has passed, one of
    /// its fallback languages), its market and topic where the agent is limited to some, and safety training for high
    /// and critical risk. nil when they may not.
    public static func qualification(of agent: AssignableAgent, for ticket: AssignableTicket, queue: QueueAssignment, now: Date) -> Qualification? {
        if ticket.riskLevel >= .high, !agent.safetyTrained { return nil }
        if !agent.skills.markets.isEmpty, let market = ticket.market, !agent.skills.markets.contains(market.uppercased()) { return nil }
        if !agent.skills.topics.isEmpty, let topic = ticket.topic, !agent.skills.topics.contains(topic) { return nil }
        guard let language = ticket.language else { return .anyLanguage }
        if let level = agent.skills.level(in: language) { return .speaks(language, level) }
        if let after = queue.relaxAfter, now.timeIntervalSince(ticket.queuedAt) >= Double(after),
           let fallback = queue.relaxTo.first(where: { agent.skills.level(in: $0) != nil }) {
            return .relaxed(after: after, fallback: fallback, customer: language)
        }
        return nil
    }

    /// The agent to offer a ticket to: online, qualified, with room, not passed on it; then by the queue's strategy,
    /// with the better speaker of the language winning a tie. nil when nobody can take it now.
    public static func choose(
        for ticket: AssignableTicket, among agents: [AssignableAgent], queue: QueueAssignment, now: Date
    ) -> (agent: AssignableAgent, why: Qualification)? {
        var best: (agent: AssignableAgent, why: Qualification, key: (Double, Int))?
        for agent in agents where agent.presence == .online && agent.hasRoom(for: ticket.channel) && !ticket.passedBy.contains(agent.id) {
            guard let why = qualification(of: agent, for: ticket, queue: queue, now: now) else { continue }
            let primary: Double = switch queue.strategy {
            case .leastLoaded: Double(agent.load(for: ticket.channel)) / Double(max(1, agent.capacity.limit(for: ticket.channel)))
            case .longestIdle: agent.lastAssignedAt?.timeIntervalSinceReferenceDate ?? -.infinity
            }
            let fluency: Int = if case .speaks(_, let level) = why { -level.rank } else { 1 }
            let key = (primary, fluency)
            if best == nil || key < best!.key { best = (agent, why, key) }
        }
        return best.map { ($0.agent, $0.why) }
    }
}
