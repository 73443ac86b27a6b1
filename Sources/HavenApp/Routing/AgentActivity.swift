import Foundation
import HavenCore
import HavenStorage
import Logging
import NIOConcurrencyHelpers

/// Notes that agents are at work, for presence that follows them (`PresencePolicy`): a page they open, a form they
/// send, or a key pressed or a click on an open page (the page's socket says so at most once a minute). Refreshes a
/// page makes on its own do not count (an open tab is not an agent at the desk), nor API calls (a script may use an
/// agent's token).
///
/// Noting is a write, so each agent's activity is written at most once a minute per node. An agent Haven had set
/// away or offline is online again at once.
final class AgentActivity: Sendable {
    let assignments: any AssignmentRepository
    let policy: PresencePolicy
    let logger: Logger
    let now: @Sendable () -> Date
    private let lastWritten = NIOLockedValueBox<[UUID: Date]>([:])
    static let writeInterval: TimeInterval = 60

    init(assignments: any AssignmentRepository, policy: PresencePolicy, logger: Logger, now: @escaping @Sendable () -> Date) {
        self.assignments = assignments
        self.policy = policy
        self.logger = logger
        self.now = now
    }

    /// Notes the agent active; returns their new presence when this brought them back online.
    @discardableResult
    func note(_ agentID: UUID) async -> Presence? {
        // Without automatic presence nothing reads the activity.
        guard policy.firstThreshold != nil else { return nil }
        let now = now()
        let due = lastWritten.withLockedValue { written in
            if let last = written[agentID], now.timeIntervalSince(last) < Self.writeInterval { return false }
            written[agentID] = now
            return true
        }
        guard due else { return nil }
        do {
            return try await assignments.recordActivity(of: agentID)?.presence
        } catch {
            // Presence is a convenience: a failed note must not fail the agent's request.
            logger.warning("agent activity not recorded", metadata: ["agent": "\(agentID)", "error": "\(error)"])
            return nil
        }
    }
}
