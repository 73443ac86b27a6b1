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
    private let subscribers = NIOLockedValueBox<[UUID: [UUID: Subscriber]]>([:])

    init(changes: TicketChanges) {
        changes.listen { [weak self] notice in self?.deliver(notice) }
    }

    /// Wakes `subscriber` for the ticket until `unsubscribe` with the returned id.
    func subscribe(ticket: UUID, _ subscriber: @escaping Subscriber) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[ticket, default: [:]][id] = subscriber }
        return id
    }

    func unsubscribe(ticket: UUID, id: UUID) {
        subscribers.withLockedValue { all in
            all[ticket]?[id] = nil
            if all[ticket]?.isEmpty == true { all[ticket] = nil }
        }
    }

    var connectionCount: Int { subscribers.withLockedValue { $0.values.reduce(0) { $0 + $1.count } } }

    /// Every connection looks at the database once: the safety net for a notice lost between nodes.
    func wakeAll() {
        for subscriber in subscribers.withLockedValue({ $0.values.flatMap(\.values) }) { subscriber(.changed) }
    }

    private func deliver(_ notice: TicketNotice) {
        switch notice {
        case .changed(let tickets):
            let woken = subscribers.withLockedValue { all in tickets.flatMap { all[$0].map { Array($0.values) } ?? [] } }
            for subscriber in woken { subscriber(.changed) }
        case .signal(let ticket, .chat, let body):
            for subscriber in subscribers.withLockedValue({ $0[ticket].map { Array($0.values) } ?? [] }) { subscriber(.signal(body)) }
        case .signal:
            // Workspace pages' presence on the ticket is not the chat's business (nor its customer's).
            return
        }
    }
}
