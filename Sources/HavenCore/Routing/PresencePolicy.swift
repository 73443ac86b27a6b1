import Foundation

/// Presence that follows the agent: after a while without activity an online agent is set away, and after longer
/// any agent still online or away is set offline (their tickets then go where each queue's offline policy says).
/// An agent Haven set away or offline is online again at their next activity; one who chose away or offline
/// themselves stays so until they say otherwise.
public struct PresencePolicy: Sendable, Equatable {
    /// Idle this long, an online agent is away; nil: never.
    public var awayAfter: TimeInterval?
    /// Idle this long, an online or away agent is offline; nil: never.
    public var offlineAfter: TimeInterval?

    public init(awayAfter: TimeInterval? = 600, offlineAfter: TimeInterval? = 3_600) {
        self.awayAfter = awayAfter
        self.offlineAfter = offlineAfter
    }

    /// Neither: presence changes only when the agent says so.
    public static let manual = PresencePolicy(awayAfter: nil, offlineAfter: nil)

    /// The presence an agent last active at `activeAt` should have now, or nil to leave it as it is. An agent whose
    /// activity was never seen (one who only uses the API with a script, say) is left alone.
    public func idle(_ presence: Presence, activeAt: Date?, now: Date) -> Presence? {
        guard let activeAt, presence != .offline else { return nil }
        let idle = now.timeIntervalSince(activeAt)
        if let offlineAfter, idle >= offlineAfter { return .offline }
        if presence == .online, let awayAfter, idle >= awayAfter { return .away }
        return nil
    }

    /// The presence of an agent who is active again: online if Haven had set them away or offline.
    public static func returning(_ presence: Presence, setByHaven: Bool) -> Presence? {
        setByHaven && presence != .online ? .online : nil
    }

    /// The soonest idle time at which anything can change.
    public var firstThreshold: TimeInterval? { [awayAfter, offlineAfter].compactMap { $0 }.min() }
}
