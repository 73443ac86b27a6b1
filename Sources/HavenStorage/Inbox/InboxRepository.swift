import FluentKit
import Foundation
import HavenCore
import SQLKit

/// The agent inbox's lists: unsolved tickets seen through one view, most urgent first.
public enum InboxView: Sendable, Hashable {
    case mine, unassigned, breaching, all
    /// Live chats: started and not ended, whoever holds them.
    case chats
    case queue(String)

    // Every view shows unsolved tickets (new, open, pending, on hold) unless a status filter says otherwise:
    // `IndexInbox.unsolved`, the partial indexes' condition.
    /// "Breaching soon": an SLA target warned or breached, or due within this long.
    public static let soon: TimeInterval = 3600
}

public struct InboxFilter: Sendable, Equatable {
    public var statuses: [TicketStatus] = []
    public var channel: Channel?
    public var language: String?
    public var priority: TicketPriority?
    /// Words of the subject, messages, notes and requester's name (`TicketSearch`), or the start of the requester's email.
    public var text: String?
    public var sort: Sort = .priority

    public enum Sort: String, Sendable, CaseIterable { case priority, updated, created }

    public init() {}
}

public struct InboxCounts: Sendable {
    public var mine = 0, unassigned = 0, breaching = 0, all = 0, chats = 0
    /// Every queue the viewer may see, with its unsolved tickets.
    public var queues: [(slug: String, name: String, count: Int)] = []
}

public protocol InboxRepository: Sendable {
    func counts(agentID: UUID, visibility: TicketVisibility) async throws -> InboxCounts
    /// One page of a view; `hasMore` says whether another page follows.
    func tickets(_ view: InboxView, filter: InboxFilter, agentID: UUID, visibility: TicketVisibility, limit: Int, offset: Int) async throws
        -> (tickets: [TicketRecord], hasMore: Bool)
    /// The requester's other tickets, newest first: the contact panel's history and the repeat-contact warning.
    func history(ofContact contactID: UUID, excluding ticketID: UUID, visibility: TicketVisibility, limit: Int) async throws -> [TicketRecord]
    /// The tickets offered to the agent now (push queues), the one that lapses first first.
    func offers(to agentID: UUID) async throws -> [OfferSummary]
    /// Agents who are online or away, or hold a live chat, with their live chats and chat capacity, by name.
    func chatLoad() async throws -> [ChatLoad]
}

/// One agent's share of the live chats, as the "Chats" view shows it.
public struct ChatLoad: Sendable, Equatable {
    public var name: String
    public var presence: Presence
    public var chats: Int
    public var capacity: Int
}

/// A ticket offered to an agent, as the workspace shows it above every page.
public struct OfferSummary: Sendable, Equatable {
    public var number: Int
    public var subject: String
    public var channel: Channel
    public var language: String?
    public var expiresAt: Date
}

public struct SQLInboxRepository: InboxRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func offers(to agentID: UUID) async throws -> [OfferSummary] {
        try await database.reader.sql().raw("""
            SELECT number, subject, channel, language, offer_expires_at FROM tickets
            WHERE offered_to = \(bind: agentID) AND offer_expires_at > \(bind: now()) ORDER BY offer_expires_at LIMIT 20
            """).all().map { row in
            OfferSummary(
                number: try row.decode(column: "number", as: Int.self), subject: try row.decode(column: "subject", as: String.self),
                channel: Channel(rawValue: try row.decode(column: "channel", as: String.self)) ?? .api,
                language: try row.decode(column: "language", as: String?.self), expiresAt: try row.decode(column: "offer_expires_at", as: Date.self))
        }
    }

    public func chatLoad() async throws -> [ChatLoad] {
        // A live chat held: assigned, new or open, not ended (`AssignmentLoad`'s definition of chat work).
        try await database.reader.sql().raw("""
            SELECT a.name, a.presence, a.capacity,
                   (SELECT COUNT(*) FROM chats c \(unsafeRaw: hint("chats_live_idx")) JOIN tickets t ON t.id = c.ticket_id
                    WHERE c.ended_at IS NULL AND t.assignee_id = a.id AND t.status IN (\(binds: AssignmentLoad.activeStatuses))) AS chats
            FROM agents a WHERE a.active = \(bind: true) ORDER BY a.name
            """).all().compactMap { row in
            let load = ChatLoad(
                name: try row.decode(column: "name", as: String.self),
                presence: Presence(rawValue: try row.decode(column: "presence", as: String.self)) ?? .offline,
                chats: try row.decode(column: "chats", as: Int.self),
                capacity: AgentModel.capacity(from: try row.decode(column: "capacity", as: String?.self)).chat)
            return load.presence != .offline || load.chats > 0 ? load : nil
        }
    }

    public func counts(agentID: UUID, visibility: TicketVisibility) async throws -> InboxCounts {
        let sql = try database.reader.sql()
        let allQueues = try await sql.raw("SELECT id, slug, name FROM queues ORDER BY name").all().map {
            (id: try $0.decode(column: "id", as: UUID.self), slug: try $0.decode(column: "slug", as: String.self), name: try $0.decode(column: "name", as: String.self))
        }
        let queues = allQueues.filter { visibility.allows(queueSlug: $0.slug) }
        let hiddenQueues = Set(allQueues.filter { !visibility.allows(queueSlug: $0.slug) }.map(\.id))
        // One scan of the unsolved tickets' (queue, assignee) index; every view's count is a sum over its groups.
        let groups = try await sql.raw("""
            SELECT queue_id, assignee_id, COUNT(*) AS n FROM tickets \(unsafeRaw: hint("tickets_unsolved_idx"))
            WHERE \(unsafeRaw: IndexInbox.unsolved) GROUP BY queue_id, assignee_id
            """).all()
        var counts = InboxCounts()
        var perQueue: [UUID: Int] = [:]
        for row in groups {
            let queue = try row.decode(column: "queue_id", as: UUID?.self)
            if let queue, hiddenQueues.contains(queue) { continue }
            let assignee = try row.decode(column: "assignee_id", as: UUID?.self)
            let n = try row.decode(column: "n", as: Int.self)
            counts.all += n
            if assignee == nil { counts.unassigned += n }
            if assignee == agentID { counts.mine += n }
            if let queue { perQueue[queue, default: 0] += n }
        }
        // Two seeks in the SLA index, warned or breached, and running but due soon, rather than one OR over all of it.
        let sla = hint("tickets_unsolved_sla_idx")
        counts.breaching = try await sql.raw("""
            SELECT (SELECT COUNT(*) FROM tickets t \(unsafeRaw: sla) LEFT JOIN queues q ON q.id = t.queue_id
                    WHERE t.\(unsafeRaw: IndexInbox.unsolved) AND t.sla_state IN ('warning', 'breached') AND \(Self.hidden(visibility)))
                 + (SELECT COUNT(*) FROM tickets t \(unsafeRaw: sla) LEFT JOIN queues q ON q.id = t.queue_id
                    WHERE t.\(unsafeRaw: IndexInbox.unsolved) AND t.sla_state = 'running' AND t.sla_due_at <= \(bind: now().addingTimeInterval(InboxView.soon))
                    AND \(Self.hidden(visibility))) AS n
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        // From the few live chats to their tickets: SQLite, without statistics, would otherwise walk every unsolved
        // ticket and look for a chat (30 ms of every inbox page with 83,000 of them). CROSS JOIN fixes its order.
        counts.chats = try await sql.raw("""
            SELECT COUNT(*) AS n FROM chats c \(unsafeRaw: hint("chats_live_idx")) \(unsafeRaw: database.isPostgres ? "JOIN" : "CROSS JOIN") tickets t ON t.id = c.ticket_id
            LEFT JOIN queues q ON q.id = t.queue_id
            WHERE c.ended_at IS NULL AND t.\(unsafeRaw: IndexInbox.unsolved) AND \(Self.hidden(visibility))
            """).first()?.decode(column: "n", as: Int.self) ?? 0
        counts.queues = queues.map { ($0.slug, $0.name, perQueue[$0.id] ?? 0) }
        return counts
    }

    public func tickets(_ view: InboxView, filter: InboxFilter, agentID: UUID, visibility: TicketVisibility, limit: Int, offset: Int) async throws
        -> (tickets: [TicketRecord], hasMore: Bool)
    {
        var conditions: [SQLQueryString] = [Self.hidden(visibility)]
        // Unsolved is written out, not bound: it is the partial indexes' own condition (`IndexInbox`).
        if filter.statuses.isEmpty { conditions.append("t.\(unsafeRaw: IndexInbox.unsolved)") }
        else { conditions.append("t.status IN (\(binds: filter.statuses.map(\.rawValue)))") }
        switch view {
        case .mine: conditions.append("t.assignee_id = \(bind: agentID)")
        case .unassigned: conditions.append("t.assignee_id IS NULL")
        case .breaching: conditions.append(Self.breaching(now()))
        case .all: break
        case .chats: conditions.append("t.id IN (SELECT ticket_id FROM chats \(unsafeRaw: hint("chats_live_idx")) WHERE ended_at IS NULL)")
        // By the ticket's own column: the tickets are read first, in urgency order, and the queue row is not the outer loop.
        case .queue(let slug): conditions.append("t.queue_id = (SELECT id FROM queues WHERE slug = \(bind: slug))")
        }
        if let channel = filter.channel { conditions.append("t.channel = \(bind: channel.rawValue)") }
        if let language = filter.language { conditions.append("(t.language = \(bind: language) OR t.language LIKE \(bind: language + "-%"))") }
        if let priority = filter.priority { conditions.append("t.priority = \(bind: priority.rawValue)") }
        if let text = filter.text, !text.isEmpty {
            if text.contains("@") {
                // An email address, or its start: the requester's.
                let pattern = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
                conditions.append("t.requester_id IN (SELECT id FROM contacts WHERE email LIKE \(bind: pattern) ESCAPE '\\')")
            } else {
                // Words of the subject, the messages and notes, or the requester's name (`TicketSearch`).
                conditions.append(try await TicketSearch.condition(text, postgres: database.isPostgres, on: database.reader.sql()) ?? "1 = 0")
            }
        }
        let order: SQLQueryString = switch filter.sort {
        case .priority: "t.priority_rank DESC, t.priority_score DESC, t.number"
        case .updated: "t.updated_at DESC, t.number DESC"
        case .created: "t.created_at DESC, t.number DESC"
        }
        var statement = TicketRows.select(indexedBy: database.isPostgres ? nil : Self.index(for: view, filter: filter))
        statement += " WHERE " + conditions.joined(separator: " AND ")
        statement += " ORDER BY \(order) LIMIT \(literal: limit + 1) OFFSET \(literal: offset)"
        let rows = try await database.reader.sql().raw(statement).all()
        return (try rows.prefix(limit).map(TicketRows.decode), rows.count > limit)
    }

    public func history(ofContact contactID: UUID, excluding ticketID: UUID, visibility: TicketVisibility, limit: Int) async throws -> [TicketRecord] {
        var statement = TicketRows.select
        statement += " WHERE t.requester_id = \(bind: contactID) AND t.id <> \(bind: ticketID) AND \(Self.hidden(visibility))"
        statement += " ORDER BY t.created_at DESC LIMIT \(literal: limit)"
        return try await database.reader.sql().raw(statement).all().map(TicketRows.decode)
    }

    /// `INDEXED BY` on SQLite, nothing on PostgreSQL (whose statistics choose well on their own).
    private func hint(_ index: String) -> String { database.isPostgres ? "" : "INDEXED BY \(index)" }

    /// The index a view reads on SQLite. SQLite has no statistics unless ANALYZE runs (a full one stalls the single
    /// writer on a large desk; a sampled one misleads), and without them it picks the status index and sorts every
    /// unsolved ticket for one page. Told which index fits, it walks tickets in urgency order and stops at a page
    /// ("all", a queue, "unassigned"), or reads the agent's own few ("mine"). Other orders are left to the planner.
    static func index(for view: InboxView, filter: InboxFilter) -> String? {
        // A search finds its few tickets first; the planner reads them by id.
        guard filter.text == nil else { return nil }
        switch view {
        case .mine: return "tickets_assignee_idx"
        case .breaching: return filter.statuses.isEmpty ? "tickets_unsolved_sla_idx" : nil
        case .unassigned: return filter.sort == .priority ? "tickets_waiting_idx" : nil
        case .all: return filter.sort == .priority && filter.statuses.isEmpty ? "tickets_unsolved_urgency_idx" : nil
        // The live chats' tickets by id (the primary key's index), not every unsolved ticket.
        case .chats: return "sqlite_autoindex_tickets_1"
        case .queue: return filter.sort == .priority && filter.statuses.isEmpty ? "tickets_unsolved_queue_idx" : nil
        }
    }

    /// The condition that leaves out what the viewer may not see (`q` is the ticket's queue, or the queue listed).
    static func hidden(_ visibility: TicketVisibility) -> SQLQueryString {
        visibility.seesSafetyQueue ? "1 = 1" : "(q.slug IS NULL OR q.slug <> \(bind: visibility.safetyQueue))"
    }

    static func breaching(_ now: Date) -> SQLQueryString {
        "(t.sla_state IN ('warning', 'breached') OR (t.sla_state = 'running' AND t.sla_due_at <= \(bind: now.addingTimeInterval(InboxView.soon))))"
    }
}
