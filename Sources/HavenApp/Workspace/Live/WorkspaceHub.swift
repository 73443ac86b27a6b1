import Foundation
import HavenStorage
import NIOConcurrencyHelpers

/// This node's open workspace pages: told when tickets change (so an inbox can refresh itself and an offer can show
/// at once), and who else is on a ticket (collision detection).
///
/// Like the chat's wake-ups, a change carries only ticket ids: a page that hears of one reads what it shows again,
/// through the same visibility rules as any request, so nothing is learnt from the notice itself.
final class WorkspaceHub: Sendable {
    enum Event: Sendable {
        /// These tickets' logs grew (on this node or another).
        case changed([UUID])
        /// An agent's presence on a ticket (`WorkspacePresence`), from any node.
        case presence(WorkspacePresence)
    }

    typealias Subscriber = @Sendable (Event) -> Void
    private let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])
    private let heard = NIOLockedValueBox(0)
    private let node: UUID

    init(changes: TicketChanges) {
        node = changes.node
        changes.listen { [weak self] notice in self?.deliver(notice) }
    }

    /// How far this node's changes have gone: a page carries the mark it was rendered at, and its socket, once
    /// subscribed, compares it (`isStale`): a change between the page's reads and the subscription is otherwise missed
    /// (a chat started while the inbox loads would not show until the next change). Another node's mark never matches.
    var mark: String { "\(node.uuidString.lowercased()):\(heard.withLockedValue { $0 })" }

    func isStale(_ mark: String?) -> Bool { mark != self.mark }

    func subscribe(_ subscriber: @escaping Subscriber) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[id] = subscriber }
        return id
    }

    func unsubscribe(_ id: UUID) {
        _ = subscribers.withLockedValue { $0.removeValue(forKey: id) }
    }

    var connectionCount: Int { subscribers.withLockedValue { $0.count } }

    private func deliver(_ notice: TicketNotice) {
        let event: Event
        switch notice {
        case .changed(let tickets):
            heard.withLockedValue { $0 += 1 }
            event = .changed(tickets)
        case .signal(_, .presence, let body):
            guard let presence = WorkspacePresence.read(body) else { return }
            event = .presence(presence)
        case .signal: return
        }
        for subscriber in subscribers.withLockedValue({ Array($0.values) }) { subscriber(event) }
    }
}

/// "Ana is viewing / writing on ticket 1042", sent between nodes as a ticket signal of topic `presence`.
struct WorkspacePresence: Codable, Sendable, Equatable {
    var ticket: UUID
    var connection: UUID
    var agent: UUID
    var name: String
    var typing: Bool
    /// The agent left the page.
    var left: Bool

    var signal: String { String(decoding: try! JSONEncoder().encode(self), as: UTF8.self) }

    static func read(_ body: String) -> WorkspacePresence? {
        try? JSONDecoder().decode(Self.self, from: Data(body.utf8))
    }
}
