import Foundation
import HavenStorage
import NIOConcurrencyHelpers

/// Remembers which agent a bearer token belongs to for a few seconds, so an agent's stream of requests
/// costs no token lookups. Revoking through this node takes effect at once (`forget`); a revocation made
/// on another node takes effect here within `ttl`.
final class TokenCache: Sendable {
    private struct Entry {
        var agent: AgentRecord
        var tokenID: UUID
        var expires: Date
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])
    private let ttl: TimeInterval
    private let capacity: Int

    init(ttl: TimeInterval = 5, capacity: Int = 10_000) {
        self.ttl = ttl
        self.capacity = capacity
    }

    func lookup(_ token: String, now: Date = Date()) -> (agent: AgentRecord, tokenID: UUID)? {
        entries.withLockedValue { entries in
            guard let entry = entries[token] else { return nil }
            guard entry.expires > now else {
                entries[token] = nil
                return nil
            }
            return (entry.agent, entry.tokenID)
        }
    }

    func remember(_ token: String, agent: AgentRecord, tokenID: UUID, now: Date = Date()) {
        entries.withLockedValue { entries in
            // Bounded: when full, drop everything expired, and if that frees nothing, start over.
            if entries.count >= capacity {
                entries = entries.filter { $0.value.expires > now }
                if entries.count >= capacity { entries.removeAll() }
            }
            entries[token] = Entry(agent: agent, tokenID: tokenID, expires: now.addingTimeInterval(ttl))
        }
    }

    func forget(tokenID: UUID) {
        entries.withLockedValue { entries in entries = entries.filter { $0.value.tokenID != tokenID } }
    }
}
