/// Which tickets an agent may see. Safety-queue tickets (self-harm, child safety, threats to life) are shown only to
/// safety-trained agents and to leads: others neither list nor open them, so nobody untrained reads them by chance.
public struct TicketVisibility: Sendable, Equatable {
    /// The safety queue's slug (`IntakeRouting.safetyQueue`).
    public var safetyQueue: String
    public var seesSafetyQueue: Bool

    public init(roles: [AgentRole], safetyQueue: String = "safety") {
        self.safetyQueue = safetyQueue
        seesSafetyQueue = roles.contains(.safety) || roles.contains(.lead)
    }

    public func allows(queueSlug: String?) -> Bool { seesSafetyQueue || queueSlug != safetyQueue }
}
