import Foundation

/// Where a new ticket goes, how urgent it is and which SLA covers it: the routing rules, SLA policies and priority
/// computation applied once, at intake, to what the channel and triage know. Pure: storage hands it the contact.
public struct IntakeRouting: Sendable, Equatable {
    public var rules: [RoutingRule]
    public var policies: [SLAPolicy]
    /// The default queue's slug; nil when there is none.
    public var defaultQueue: String?
    public var whiteGloveTiers: Set<String>
    /// Critical risk goes here before any rule, when the queue exists: safety does not depend on rule order.
    public var safetyQueue: String

    public init(
        rules: [RoutingRule] = [], policies: [SLAPolicy] = [], defaultQueue: String? = nil,
        whiteGloveTiers: Set<String> = PriorityScore.defaultWhiteGloveTiers, safetyQueue: String = "safety"
    ) {
        self.rules = rules
        self.policies = policies
        self.defaultQueue = defaultQueue
        self.whiteGloveTiers = whiteGloveTiers
        self.safetyQueue = safetyQueue
    }

    /// What intake does with one ticket.
    public struct Plan: Sendable, Equatable {
        /// The queue to use when it exists; nil: the one the request named, or the default.
        public var queue: String?
        public var priority: TicketPriority
        public var policy: SLAPolicy?
        /// The nearest SLA deadline from the ticket's creation.
        public var slaDueAt: Date?
        public var note: RoutingNote
    }

    /// `namedQueue`: a queue the request itself named (an API caller, an LMTP listener's queue) wins over the rules,
    /// and critical risk over both.
    public func plan(_ ticket: RoutingTicket, namedQueue: String?, requested: TicketPriority, now: Date) -> Plan {
        let queue: String?, rule: Int?, reason: String
        if ticket.riskLevel == .critical {
            (queue, rule, reason) = (safetyQueue, nil, "critical risk: the safety queue, before any rule")
        } else if let namedQueue {
            (queue, rule, reason) = (nil, nil, "the request named the queue '\(namedQueue)'")
        } else {
            let decision = RoutingRules.decide(ticket, rules: rules, defaultQueue: defaultQueue ?? "")
            (queue, rule, reason) = (decision.queue.isEmpty ? nil : decision.queue, decision.rule, decision.reason)
        }
        let policy = SLAPolicy.choose(for: ticket, among: policies)
        // The clocks of a log holding only its creation: only the time matters to them, so any first event will do.
        let due = policy.flatMap { policy in
            SLAEvaluation.measure([SLAEvaluation.Event(at: now, change: .statusChanged(from: .new, to: .new))], policy: policy, now: now)
                .compactMap(\.dueAt).min()
        }
        let score = PriorityScore.compute(
            PriorityScore.Inputs(riskLevel: ticket.riskLevel, tier: ticket.tier, liveNow: ticket.liveNow, slaRemaining: due?.timeIntervalSince(now)),
            whiteGloveTiers: whiteGloveTiers)
        // The computation only raises what the request asked for: an agent who files an urgent ticket means it.
        let priority = max(requested, score.priority)
        return Plan(
            queue: queue, priority: priority, policy: policy, slaDueAt: due,
            note: RoutingNote(
                queue: queue ?? namedQueue ?? defaultQueue, rule: rule, reason: reason, slaPolicy: policy?.name, priorityScore: score.score,
                priorityReasons: score.reasons))
    }
}
