import Foundation
import HavenStorage
import NIOConcurrencyHelpers

/// This node's open conversations: who to wake when a ticket changes or a signal arrives.
///
/// A wake-up carries no content. Each connection reads what it has not yet sent from the database, after its own
/// last sequence number, so a wake-up that arrives twice, late, or from a write on another node is the same as one
/// that arrives once: nothing is sent twice, skipped, or out of order.
final class ChatHub: Sendable {
    enum Wake: Sendable {
        /// The ticket's log grew (or it is time for the periodic look).
        case changed
        /// A signal someone sent about the ticket (`HavenDatabase.signal`): `<connection> <frame JSON>`.
        case signal(String)
    }

    typealias Subscriber = @Sendable (Wake) -> Void

    /// A connection's wake-up, and how far it has read (for the safety net's look, `cursors`).
    private struct Subscription {
        var wake: Subscriber
        var cursor: Int
    }

    private let subscribers = NIOLockedValueBox<[UUID: [UUID: Subscription]]>([:])

    init(changes: TicketChanges) {
        changes.listen { [weak self] notice in self?.deliver(notice) }
    }

    /// Wakes `subscriber` for the ticket until `unsubscribe` with the returned id.
    func subscribe(ticket: UUID, cursor: Int, _ subscriber: @escaping Subscriber) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[ticket, default: [:]][id] = Subscription(wake: subscriber, cursor: cursor) }
        return id
    }

    func unsubscribe(ticket: UUID, id: UUID) {
        subscribers.withLockedValue { all in
            all[ticket]?[id] = nil
            if all[ticket]?.isEmpty == true { all[ticket] = nil }
        }
    }

    /// A connection has sent its side everything up to `cursor`.
    func advance(ticket: UUID, id: UUID, to cursor: Int) {
        subscribers.withLockedValue { $0[ticket]?[id]?.cursor = cursor }
    }

    var connectionCount: Int { subscribers.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }

    /// Each ticket with a connection here, and the lowest of its connections' cursors: what the safety net asks the
    /// database about (`ChatRepository.ticketsWithEntries`).
    var cursors: [UUID: Int] {
        subscribers.withLockedValue { all in all.compactMapValues { $0.values.map(\.cursor).min() } }
    }

    /// Wakes every connection on these tickets (the safety net found entries after their cursors).
    func wake(_ tickets: [UUID]) {
        deliver(.changed(tickets))
    }

    private func deliver(_ notice: TicketNotice) {
        switch notice {
        case .changed(let tickets):
            let woken = subscribers.withLockedValue { all in tickets.flatMap { all[$0].map { $0.values.map(\.wake) } ?? [] } }
            for subscriber in woken { subscriber(.changed) }
        case .signal(let ticket, .chat, let body):
            for subscriber in subscribers.withLockedValue({ $0[ticket].map { $0.values.map(\.wake) } ?? [] }) { subscriber(.signal(body)) }
        case .signal:
            // Workspace pages' presence on the ticket is not the chat's business (nor its customer's).
            return
        }
    }
}
