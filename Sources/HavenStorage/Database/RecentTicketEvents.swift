import Foundation
import HavenCore
import NIOConcurrencyHelpers

/// The events this node committed lately, per ticket, with their messages' text.
///
/// Why: every chat line woke both sides' connections, and each read the line back from the database (two reads per
/// line; taking them from here halved p99 at a thousand chats, docs/benchmarks.md). A connection now takes the line
/// from here when this node committed everything after what the connection has sent; anything else (a gap, a name to
/// look up, files, another node's write) is read from the database as before. Entries are added after their commit
/// and before its wake-up, so a woken connection finds them. A run kept here is complete only as far as this node
/// knows: another node's notice makes it forget the ticket before the wake-up goes out, so that wake-up reads the
/// database.
public final class RecentTicketEvents: Sendable {
    public struct Event: Sendable, Equatable {
        public var seq: Int
        public var change: TicketChange
        public var at: Date
        /// For `message.added`: the message as stored.
        public var message: Message?
    }

    public struct Message: Sendable, Equatable {
        public var id: UUID
        public var body: String
        public var clientID: String?
        public var files: Int
    }

    /// Kept per ticket, and tickets kept (the oldest forgotten first): a chat line is asked for within milliseconds.
    static let perTicket = 32
    static let tickets = 4_096

    private struct State {
        var events: [UUID: [Event]] = [:]
        var order: [UUID] = []
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Committed events, each ticket's in `seq` order.
    func add(_ events: [UUID: [Event]]) {
        state.withLockedValue { state in
            for (ticket, new) in events where !new.isEmpty {
                if state.events[ticket] == nil { state.order.append(ticket) }
                var kept = (state.events[ticket] ?? []) + new
                kept.sort { $0.seq < $1.seq }
                state.events[ticket] = Array(kept.suffix(Self.perTicket))
            }
            if state.order.count > Self.tickets {
                let forgotten = state.order.count - Self.tickets
                for ticket in state.order.prefix(forgotten) { state.events[ticket] = nil }
                state.order.removeFirst(forgotten)
            }
        }
    }

    /// Another node changed these tickets: what is kept here may end before their logs do, so they are read from the
    /// database until this node writes them again (see `TicketChanges.deliverFromAnotherNode`).
    func forget(_ tickets: [UUID]) {
        state.withLockedValue { state in
            for ticket in tickets where state.events.removeValue(forKey: ticket) != nil { state.order.removeAll { $0 == ticket } }
        }
    }

    /// The ticket's events after `seq`, when the first of them is `seq + 1` (none missing); nil when not known here.
    public func after(_ seq: Int, ticket: UUID) -> [Event]? {
        state.withLockedValue { state in
            guard let events = state.events[ticket], let first = events.firstIndex(where: { $0.seq > seq }),
                  events[first].seq == seq + 1 else { return nil }
            let run = events[first...]
            // Contiguous only: a gap is something this node did not commit.
            for (earlier, later) in zip(run, run.dropFirst()) where later.seq != earlier.seq + 1 { return nil }
            return Array(run)
        }
    }
}
