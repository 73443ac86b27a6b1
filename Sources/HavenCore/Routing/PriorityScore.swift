import Foundation

/// A ticket's priority, computed from what matters to the people waiting, and explained: risk, a white-glove
/// creator, a creator whose LIVE is affected now (minutes, not hours), the SLA time left, how long they have waited.
/// An agent's explicit priority overrides the computation (and says so).
public struct PriorityScore: Sendable, Equatable {
    public var priority: TicketPriority
    /// Higher first; the inbox sorts by it.
    public var score: Int
    public var reasons: [String]

    public struct Inputs: Sendable, Equatable {
        public var riskLevel: RiskLevel
        public var tier: String?
        public var liveNow: Bool
        /// Business time left on the nearest SLA target; negative when breached; nil without one.
        public var slaRemaining: TimeInterval?
        public var waiting: TimeInterval
        /// Set by an agent.
        public var override: TicketPriority?

        public init(riskLevel: RiskLevel = .none, tier: String? = nil, liveNow: Bool = false, slaRemaining: TimeInterval? = nil,
                    waiting: TimeInterval = 0, override: TicketPriority? = nil) {
            self.riskLevel = riskLevel
            self.tier = tier
            self.liveNow = liveNow
            self.slaRemaining = slaRemaining
            self.waiting = waiting
            self.override = override
        }
    }

    /// Tiers served white-glove (configurable per installation).
    public static let defaultWhiteGloveTiers: Set<String> = ["gold", "platinum", "vip"]

    public static func compute(_ inputs: Inputs, whiteGloveTiers: Set<String> = defaultWhiteGloveTiers) -> PriorityScore {
        var score = 100
        var reasons: [String] = []
        switch inputs.riskLevel {
        case .critical:
            score += 1_000
            reasons.append("critical risk")
        case .high:
            score += 300
            reasons.append("high risk")
        case .medium:
            score += 100
            reasons.append("medium risk")
        case .none: break
        }
        if inputs.liveNow {
            score += 400
            reasons.append("creator is LIVE now")
        }
        if let tier = inputs.tier?.lowercased(), whiteGloveTiers.contains(tier) {
            score += 200
            reasons.append("white-glove tier \(tier)")
        }
        if let remaining = inputs.slaRemaining {
            if remaining <= 0 {
                score += 300
                reasons.append("SLA breached")
            } else if remaining <= 3_600 {
                // Closer to the deadline, more urgent: up to 250 in the last hour.
                score += Int(250 * (1 - remaining / 3_600))
                reasons.append("SLA due in \(Int(remaining / 60)) min")
            }
        }
        // Waiting counts a little and slowly (a point per 10 minutes, at most 100), so nothing starves.
        let waited = min(100, Int(inputs.waiting / 600))
        if waited > 0 {
            score += waited
            reasons.append("waiting \(Int(inputs.waiting / 3_600)) h \(Int(inputs.waiting.truncatingRemainder(dividingBy: 3_600) / 60)) min")
        }
        let computed: TicketPriority = inputs.riskLevel == .critical ? .urgent : score >= 500 ? .urgent : score >= 300 ? .high : score >= 100 ? .normal : .low
        if let override = inputs.override {
            return PriorityScore(priority: override, score: score, reasons: ["set by an agent (computed: \(computed.rawValue))"] + reasons)
        }
        return PriorityScore(priority: computed, score: score, reasons: reasons)
    }

    /// A ticket's priority after scoring it again: raised to what the score now reaches, never lowered, and left as
    /// it is once an agent has set it (their choice stands). Nil: no change.
    public func raise(from current: TicketPriority, setByAgent: Bool) -> TicketPriority? {
        !setByAgent && priority > current ? priority : nil
    }
}
