import FluentKit
import Foundation
import HavenCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PostgresKit
import SQLKit

/// Tells whoever listens which tickets a committed transaction changed, and passes short signals (a chat's
/// "typing") between nodes.
///
/// Every write that appends to a ticket's event log goes through `TicketEventLog.append`, which notes the ticket
/// on the transaction it runs in (`HavenDatabase.write` opens the note). After the commit, this node's listeners
/// are called; on PostgreSQL, `ChangedTicketsNotifier` then says `pg_notify` (many commits' tickets in one), which
/// PostgreSQL delivers to every node's `TicketChangeListener`; a rollback is never announced. Listeners read what
/// changed from the database: a notice carries ticket ids only, so one that arrives twice (or late) changes nothing.
public final class TicketChanges: Sendable {
    public typealias Listener = @Sendable (TicketNotice) -> Void

    /// This process's id: a node skips its own notices coming back from PostgreSQL (it told its listeners already).
    public let node = UUID()
    /// What this node committed lately (`RecentTicketEvents`): filled before the wake-ups go out.
    public let recent = RecentTicketEvents()
    private let listeners = NIOLockedValueBox<[Listener]>([])

    public init() {}

    public func listen(_ listener: @escaping Listener) {
        listeners.withLockedValue { $0.append(listener) }
    }

    /// Tells this node's listeners.
    public func deliver(_ notice: TicketNotice) {
        for listener in listeners.withLockedValue({ $0 }) { listener(notice) }
    }

    /// Tells this node's listeners what another node committed or signalled. Its tickets are first forgotten by
    /// `recent`: their logs now go on past what this node kept, and the wake-up must read them.
    public func deliverFromAnotherNode(_ notice: TicketNotice) {
        if case .changed(let tickets) = notice { recent.forget(tickets) }
        deliver(notice)
    }

    /// The PostgreSQL channel notices travel on.
    static let channel = "haven_tickets"
}

/// What a notice says.
public enum TicketNotice: Sendable, Equatable {
    /// These tickets' event logs grew (committed).
    case changed([UUID])
    /// A short-lived signal about one ticket that is not stored (a chat's typing, an agent viewing it), as the sender
    /// wrote it; its topic says who listens.
    case signal(ticket: UUID, topic: SignalTopic, body: String)

    /// `<node> c <id>,<id>` or `<node> s <id> <topic> <body>`: what travels in `pg_notify` (at most 8,000 bytes).
    func wire(node: UUID) -> String {
        switch self {
        case .changed(let ids): "\(node.uuidString) c \(ids.map(\.uuidString).joined(separator: ","))"
        case .signal(let ticket, let topic, let body): "\(node.uuidString) s \(ticket.uuidString) \(topic.rawValue) \(body)"
        }
    }

    static func read(_ payload: String) -> (node: UUID, notice: TicketNotice)? {
        let parts = payload.split(separator: " ", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count >= 3, let node = UUID(uuidString: String(parts[0])) else { return nil }
        switch parts[1] {
        case "c": return (node, .changed(parts[2].split(separator: ",").compactMap { UUID(uuidString: String($0)) }))
        case "s":
            guard parts.count == 5, let ticket = UUID(uuidString: String(parts[2])), let topic = SignalTopic(rawValue: String(parts[3])) else { return nil }
            return (node, .signal(ticket: ticket, topic: topic, body: String(parts[4])))
        default: return nil
        }
    }

    /// Ids per `pg_notify`: 100 × 37 bytes stays well under PostgreSQL's 8,000-byte payload limit.
    static let idsPerNotice = 100
}

/// Who a ticket signal is for.
public enum SignalTopic: String, Sendable {
    /// Between the sides of a live chat (typing, seen).
    case chat
    /// Between workspace pages on the ticket (who is viewing or writing).
    case presence
}

/// The tickets one transaction appended events to: opened by `HavenDatabase.write` around its body, in the task
/// that runs it.
final class TouchedTickets: @unchecked Sendable {
    @TaskLocal static var current: TouchedTickets?
    private let lock = NIOLock()
    private var ids: [UUID] = []
    private var events: [(ticket: UUID, seq: Int, type: String, payload: String, at: Date)] = []
    private var messages: [MessageKey: RecentTicketEvents.Message] = [:]

    private struct MessageKey: Hashable {
        var ticket: UUID
        var seq: Int
    }

    func add(_ appended: [TicketEventModel]) {
        lock.withLock {
            for event in appended {
                if !ids.contains(event.ticketID) { ids.append(event.ticketID) }
                events.append((event.ticketID, event.seq, event.type, event.payload, event.createdAt))
            }
        }
    }

    /// Messages written with their `message.added` events (same ticket and seq), for `RecentTicketEvents`.
    func add(_ written: [MessageModel]) {
        lock.withLock {
            for message in written {
                guard let id = message.id else { continue }
                messages[MessageKey(ticket: message.ticketID, seq: message.seq)] =
                    RecentTicketEvents.Message(id: id, body: message.body, clientID: message.clientID, files: message.attachmentCount)
            }
        }
    }

    var all: [UUID] { lock.withLock { ids } }

    /// The events as `RecentTicketEvents` keeps them (an event whose payload does not read is left out: a reader then
    /// finds a gap and reads the database).
    var recent: [UUID: [RecentTicketEvents.Event]] {
        lock.withLock {
            var recent: [UUID: [RecentTicketEvents.Event]] = [:]
            for event in events {
                guard let change = try? TicketChange(type: event.type, payloadJSON: event.payload) else { continue }
                recent[event.ticket, default: []].append(RecentTicketEvents.Event(
                    seq: event.seq, change: change, at: event.at, message: messages[MessageKey(ticket: event.ticket, seq: event.seq)]))
            }
            return recent
        }
    }
}

/// The one way events are appended to tickets' logs.
enum TicketEventLog {
    static func append(_ events: [TicketEventModel], on tx: any Database) async throws {
        try await events.insert(on: tx)
        TouchedTickets.current?.add(events)
    }
}

extension HavenDatabase {
    /// Announces a signal to every node's listeners (this one at once; others through PostgreSQL).
    public func signal(_ ticket: UUID, topic: SignalTopic, body: String) async {
        let notice = TicketNotice.signal(ticket: ticket, topic: topic, body: body)
        changes.deliver(notice)
        guard isPostgres else { return }
        do {
            try await writer.sql().raw("SELECT pg_notify(\(bind: TicketChanges.channel), \(bind: notice.wire(node: changes.node)))").run()
        } catch {
            // A signal is a courtesy (typing); losing one is harmless.
        }
    }
}

/// Receives other nodes' notices on one dedicated PostgreSQL connection (`LISTEN haven_tickets`) and hands them to
/// this node's listeners. Reconnects after a second when the connection drops; a node that was cut off misses
/// nothing that matters, because listeners catch up from the database (see `ChatHub`'s periodic check).
public struct TicketChangeListener: Sendable {
    let url: String
    let changes: TicketChanges
    let logger: Logger

    public init(url: String, changes: TicketChanges, logger: Logger) {
        self.url = url
        self.changes = changes
        self.logger = logger
    }

    /// Listens until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await listenOnce()
            } catch is CancellationError {
                return
            } catch {
                logger.warning("ticket notices: connection lost, reconnecting", metadata: ["error": "\(String(reflecting: error))"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func listenOnce() async throws {
        let configuration = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: configuration, id: 1, logger: logger)
        do {
            try await connection.listen(on: TicketChanges.channel) { notifications in
                logger.debug("ticket notices: listening")
                for try await notification in notifications {
                    guard let (node, notice) = TicketNotice.read(notification.payload), node != changes.node else { continue }
                    changes.deliverFromAnotherNode(notice)
                }
            }
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
    }
}
