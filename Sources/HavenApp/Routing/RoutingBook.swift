import Foundation
import HavenCore
import HavenStorage
import Logging
import ServiceLifecycle
import Synchronization

/// The node's copy of the routing rules and SLA policies intake applies, read again after `ttl`: a change saved on
/// any node is applied by every node within that time, without a read per new ticket.
public final class RoutingBook: Sendable {
    private let repository: any RoutingRepository
    private let ttl: TimeInterval
    private let cached: Mutex<(routing: IntakeRouting, readAt: Date)?> = Mutex(nil)

    public init(repository: any RoutingRepository, ttl: TimeInterval = 2) {
        self.repository = repository
        self.ttl = ttl
    }

    public func current() async throws -> IntakeRouting {
        let now = Date()
        if let hit = cached.withLock({ $0 }), now.timeIntervalSince(hit.readAt) < ttl { return hit.routing }
        let routing = try await repository.intakeRouting()
        cached.withLock { $0 = (routing, now) }
        return routing
    }

    /// After a change on this node: the next ticket reads the new configuration.
    public func invalidate() {
        cached.withLock { $0 = nil }
    }
}

/// Push assignment on this node: offers waiting tickets of push queues, and takes back offers left unanswered.
/// On PostgreSQL every node runs it; an advisory lock lets one node make a round's offers at a time.
struct AssignmentService: Service {
    let assignments: any AssignmentRepository
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let expired = try await assignments.expireOffers()
                    let offered = try await assignments.offerWaiting()
                    if expired + offered > 0 { logger.debug("assignment round", metadata: ["offered": "\(offered)", "expired": "\(expired)"]) }
                } catch {
                    logger.warning("assignment round failed; trying again shortly", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}

/// Watches SLA clocks on this node: warnings, breaches and breach actions, as tickets come due.
struct SLAWatchService: Service {
    let watch: any SLAWatchRepository
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    // Drain what is due, a batch at a time, then wait.
                    while try await watch.checkDue(limit: 100) == 100 {}
                } catch {
                    logger.warning("SLA watch failed; trying again shortly", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: interval)
            }
        }
    }
}
