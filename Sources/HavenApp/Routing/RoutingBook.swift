import Foundation
import HavenCore
import HavenStorage
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
