import Algorithms
import Crypto
import FluentKit
import Foundation
import HavenCore
import SQLKit

/// A live chat as one side needs it: its ticket, who is in it, how far it has gone and been read.
public struct ChatConversationRecord: Sendable, Equatable {
    public var id: UUID
    public var ticketID: UUID
    public var ticketNumber: Int
    public var contactID: UUID
    public var language: String?
    /// The ticket's queue (the safety queue's chats are only for the safety-trained).
    public var queueSlug: String?
    public var assigneeID: UUID?
    public var assigneeName: String?
    /// The ticket's last event number: the conversation's last sequence number.
    public var lastSeq: Int
    public var startedAt: Date
    public var endedAt: Date?
    public var customerSeen: Int
    public var agentSeen: Int
    /// The customer's email, when they gave one (the transcript, and the conversation going on by email).
    public var customerEmail: String?

    public var state: ChatState { endedAt != nil ? .ended : assigneeID != nil ? .active : .waiting }
}

/// Entries after a sequence number, and how far the read went (entries the side does not see are skipped, so the
/// next read starts after `through`, not after the last entry).
public struct ChatEntriesPage: Sendable, Equatable {
    public var entries: [ChatEntry]
    public var through: Int
    public var more: Bool
}

public protocol ChatRepository: Sendable {
    func conversation(token: String) async throws -> ChatConversationRecord?
    func conversation(ticket: TicketRef) async throws -> ChatConversationRecord?
    /// What `side` sees after `seq`, in order, at most `limit` events scanned.
    func entries(ticket: UUID, after seq: Int, for side: ChatParty, limit: Int) async throws -> ChatEntriesPage
    /// Which of these tickets have entries either side sees after the given sequence number: the safety net's one
    /// look for connections a lost notice left behind.
    func ticketsWithEntries(after cursors: [UUID: Int]) async throws -> [UUID]
    /// Records how far a side has read (never backwards).
    func markSeen(ticket: UUID, by side: ChatParty, seq: Int) async throws
    /// Ends the chat (a `chat.ended` event); false when it had ended already.
    func end(ticket: UUID, by actor: Actor) async throws -> Bool
    /// How many agents could take a new chat in this language now: online, under their chat capacity, speaking it.
    func availableAgents(language: String?) async throws -> Int
    /// Queues the conversation's transcript to the customer's email, with a `chat.transcript_sent` event; false when
    /// Haven sends no mail.
    func emailTranscript(ticket: UUID, by actor: Actor) async throws -> Bool
}

/// The customer's conversation token: random, shown once, stored as its SHA-256.
public enum ChatToken {
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16).leftPadded(to: 16) }.joined()
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

enum ChatRows {
    static func insert(_ chats: [(ticket: UUID, contact: UUID, tokenHash: String)], at now: Date, on sql: any SQLDatabase) async throws {
        guard !chats.isEmpty else { return }
        var insert = sql.insert(into: "chats").columns("id", "ticket_id", "contact_id", "token_hash", "started_at", "customer_seen_seq", "agent_seen_seq")
        for chat in chats { insert = insert.values(SQLBind(UUID()), SQLBind(chat.ticket), SQLBind(chat.contact), SQLBind(chat.tokenHash), SQLBind(now), SQLBind(0), SQLBind(0)) }
        try await insert.run()
    }
}

public struct SQLChatRepository: ChatRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date
    /// nil: Haven sends no mail (no SMTP server configured).
    let outboundMail: OutboundMailSettings?

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }, outboundMail: OutboundMailSettings? = nil) {
        self.database = database
        self.now = now
        self.outboundMail = outboundMail
    }

    public func conversation(token: String) async throws -> ChatConversationRecord? {
        try await conversation(where: "c.token_hash = \(bind: ChatToken.hash(token))")
    }

    public func conversation(ticket: TicketRef) async throws -> ChatConversationRecord? {
        switch ticket {
        case .id(let id): try await conversation(where: "c.ticket_id = \(bind: id)")
        case .number(let number): try await conversation(where: "t.number = \(bind: number)")
        }
    }

    private func conversation(where condition: SQLQueryString) async throws -> ChatConversationRecord? {
        var query: SQLQueryString = """
            SELECT c.id, c.ticket_id, c.contact_id, c.started_at, c.ended_at, c.customer_seen_seq, c.agent_seen_seq, t.number, t.language,
                   t.assignee_id, t.last_event_seq, a.name AS agent_name, q.slug AS queue_slug, p.email AS customer_email
            FROM chats c JOIN tickets t ON t.id = c.ticket_id LEFT JOIN agents a ON a.id = t.assignee_id
            LEFT JOIN queues q ON q.id = t.queue_id JOIN contacts p ON p.id = c.contact_id
            WHERE
            """
        query += " " + condition
        guard let row = try await database.reader.sql().raw(query).first() else { return nil }
        return ChatConversationRecord(
            id: try row.decode(column: "id", as: UUID.self), ticketID: try row.decode(column: "ticket_id", as: UUID.self),
            ticketNumber: try row.decode(column: "number", as: Int.self), contactID: try row.decode(column: "contact_id", as: UUID.self),
            language: try row.decode(column: "language", as: String?.self), queueSlug: try row.decode(column: "queue_slug", as: String?.self),
            assigneeID: try row.decode(column: "assignee_id", as: UUID?.self), assigneeName: try row.decode(column: "agent_name", as: String?.self),
            lastSeq: try row.decode(column: "last_event_seq", as: Int.self), startedAt: try row.decode(column: "started_at", as: Date.self),
            endedAt: try row.decode(column: "ended_at", as: Date?.self), customerSeen: try row.decode(column: "customer_seen_seq", as: Int.self),
            agentSeen: try row.decode(column: "agent_seen_seq", as: Int.self), customerEmail: try row.decode(column: "customer_email", as: String?.self))
    }

    /// The event types a conversation shows; everything else in the log (routing, SLA, offers) is skipped.
    static let chatTypes = ["message.added", "assignee.changed", "chat.ended"]
    /// The same as SQL literals, written into the statements (fixed, so a prepared statement can carry them).
    static let chatTypesList = chatTypes.map { "'\($0)'" }.joined(separator: ", ")

    public func entries(ticket: UUID, after seq: Int, for side: ChatParty, limit: Int) async throws -> ChatEntriesPage {
        if let page = Self.recentPage(database.changes.recent.after(seq, ticket: ticket), after: seq, for: side, limit: limit) { return page }
        let sql = try database.reader.sql()
        let rows = try await database.rows(EntriesQuery(ticket: ticket, after: seq, limit: limit))
        struct Row {
            var seq: Int, change: TicketChange, at: Date
            var messageID: UUID?, body: String?, clientID: String?, files: Int, authorName: String?
        }
        var read: [Row] = [], assignees: Set<UUID> = [], withFiles: [UUID] = []
        for row in rows {
            let change = try TicketChange(type: try row.decode(column: "type", as: String.self), payloadJSON: try row.decode(column: "payload", as: String.self))
            if case .assigneeChanged(let from, let to) = change {
                for id in [from, to].compactMap({ $0.flatMap(UUID.init(uuidString:)) }) { assignees.insert(id) }
            }
            let entry = Row(
                seq: try row.decode(column: "seq", as: Int.self), change: change, at: try row.decode(column: "created_at", as: Date.self),
                messageID: try row.decode(column: "message_id", as: UUID?.self), body: try row.decode(column: "body", as: String?.self),
                clientID: try row.decode(column: "client_id", as: String?.self), files: try row.decode(column: "attachment_count", as: Int?.self) ?? 0,
                authorName: try row.decode(column: "author_name", as: String?.self))
            if entry.files > 0, let id = entry.messageID { withFiles.append(id) }
            read.append(entry)
        }
        let names = try await agentNames(Array(assignees), on: sql)
        var files: [UUID: [ChatAttachment]] = [:]
        if !withFiles.isEmpty {
            for file in try await sql.raw("SELECT * FROM attachments WHERE message_id IN (\(binds: withFiles)) ORDER BY created_at").all().map(AttachmentRows.decode) {
                if let message = file.messageID {
                    files[message, default: []].append(ChatAttachment(id: file.id, filename: file.filename, contentType: file.contentType, size: file.size))
                }
            }
        }
        let shown = { (name: String) in side == .customer ? ChatEntry.publicName(name) : name }
        var entries: [ChatEntry] = []
        for row in read {
            guard var entry = ChatEntry.from(row.change, seq: row.seq, at: row.at, for: side, agentName: { id in
                UUID(uuidString: id).flatMap { names[$0] }.map(shown)
            }) else { continue }
            if entry.kind == .message {
                guard row.messageID != nil else { continue }
                entry.text = row.body
                entry.clientID = row.clientID
                if entry.from == .agent { entry.name = row.authorName.map(shown) }
                entry.attachments = row.messageID.flatMap { files[$0] }
            }
            entries.append(entry)
        }
        return ChatEntriesPage(entries: entries, through: read.last?.seq ?? seq, more: rows.count == limit)
    }

    public func ticketsWithEntries(after cursors: [UUID: Int]) async throws -> [UUID] {
        let sql = try database.reader.sql()
        let postgres = database.isPostgres
        var behind: [UUID] = []
        // Each ticket probes the (ticket_id, seq) unique index from its cursor on: usually nothing is there.
        for chunk in Array(cursors).chunks(ofCount: 500) {
            let rows: [SQLQueryString] = chunk.map { ticket, cursor in
                postgres ? "(CAST(\(bind: ticket) AS uuid), CAST(\(bind: cursor) AS bigint))" : "(\(bind: ticket), \(bind: cursor))"
            }
            let query: SQLQueryString = "SELECT v.column1 AS ticket_id FROM (VALUES " + rows.joined(separator: ", ") + """
                ) AS v WHERE EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = v.column1 AND e.seq > v.column2 AND e.type IN (\(unsafeRaw: Self.chatTypesList)))
                """
            behind += try await sql.raw(query).all().map { try $0.decode(column: "ticket_id", as: UUID.self) }
        }
        return behind
    }

    /// Every woken connection runs this: one query for the events with their messages and authors' names (a message's
    /// row has the seq of its `message.added` event); files and the names of agents joining or leaving are read only
    /// when there are any.
    struct EntriesQuery: PreparedQuery {
        static let text = """
            SELECT e.seq, e.type, e.payload, e.created_at, m.id AS message_id, m.body, m.client_id, m.attachment_count, a.name AS author_name
            FROM ticket_events e
            LEFT JOIN messages m ON e.type = 'message.added' AND m.ticket_id = e.ticket_id AND m.seq = e.seq
            LEFT JOIN agents a ON a.id = m.author_id
            WHERE e.ticket_id = $1 AND e.seq > $2 AND e.type IN (\(chatTypesList))
            ORDER BY e.seq LIMIT $3
            """
        var ticket: UUID, after: Int, limit: Int
        var binds: [any Encodable & Sendable] { [ticket, after, limit] }
    }

    /// The page from what this node just committed (`RecentTicketEvents`), when that is all of it and needs nothing
    /// more from the database: customers' lines and notes without files, an ended chat. An agent's line (their
    /// name), an agent joining or leaving, or files: nil, and the page is read.
    static func recentPage(_ events: [RecentTicketEvents.Event]?, after seq: Int, for side: ChatParty, limit: Int) -> ChatEntriesPage? {
        guard let events, !events.isEmpty, events.count <= limit else { return nil }
        var entries: [ChatEntry] = []
        for event in events where chatTypes.contains(event.change.type) {
            if case .messageAdded(_, let author, _) = event.change, author.kind == .agent { return nil }
            guard var entry = ChatEntry.from(event.change, seq: event.seq, at: event.at, for: side, agentName: { _ in nil }) else { continue }
            if entry.kind == .joined || entry.kind == .left { return nil }
            if entry.kind == .message {
                guard let message = event.message, message.files == 0 else { return nil }
                entry.text = message.body
                entry.clientID = message.clientID
            }
            entries.append(entry)
        }
        return ChatEntriesPage(entries: entries, through: events.last!.seq, more: false)
    }

    private func agentNames(_ ids: [UUID], on sql: any SQLDatabase) async throws -> [UUID: String] {
        guard !ids.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        for row in try await sql.raw("SELECT id, name FROM agents WHERE id IN (\(binds: ids))").all() {
            names[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
        }
        return names
    }

    public func markSeen(ticket: UUID, by side: ChatParty, seq: Int) async throws {
        let column: SQLQueryString = side == .agent ? "agent_seen_seq" : "customer_seen_seq"
        try await database.write { tx in
            try await tx.sql().raw("""
                UPDATE chats SET \(column) = \(bind: seq) WHERE ticket_id = \(bind: ticket) AND \(column) < \(bind: seq)
                """).run()
        }
    }

    public func end(ticket: UUID, by actor: Actor) async throws -> Bool {
        let now = self.now()
        return try await database.write { tx in
            let ended = try await tx.sql().raw("""
                UPDATE chats SET ended_at = \(bind: now) WHERE ticket_id = \(bind: ticket) AND ended_at IS NULL RETURNING id
                """).all()
            guard !ended.isEmpty, let model = try await TicketModel.find(ticket, on: tx) else { return false }
            try await SQLTicketRepository.record([.chatEnded(by: actor.kind)], on: model, actor: actor, at: now, tx: tx)
            return true
        }
    }

    public func emailTranscript(ticket: UUID, by actor: Actor) async throws -> Bool {
        guard let settings = outboundMail else { return false }
        let now = self.now()
        return try await database.write { tx in
            guard let model = try await TicketModel.find(ticket, on: tx) else { return false }
            let (mail, job) = OutboundMailQueue.rows(.chatTranscript, ticketID: ticket, messageID: nil, settings: settings, at: now)
            try await [mail].insert(on: tx)
            try await [job].insert(on: tx)
            try await SQLTicketRepository.record([.transcriptSent(by: actor.kind)], on: model, actor: actor, at: now, tx: tx)
            return true
        }
    }

    public func availableAgents(language: String?) async throws -> Int {
        let agents = try await AgentModel.query(on: database.reader).filter(\.$presence == Presence.online.rawValue).filter(\.$active == true).all()
            .filter { agent in language.map { agent.skillSet.level(in: $0) != nil } ?? true }
        guard !agents.isEmpty else { return 0 }
        // Their live chats, in one query.
        var chats: [UUID: Int] = [:]
        for row in try await database.reader.sql().raw("""
            SELECT assignee_id, COUNT(*) AS n FROM tickets
            WHERE assignee_id IN (\(binds: agents.compactMap(\.id))) AND status IN (\(binds: AssignmentLoad.activeStatuses))
              AND \(AssignmentLoad.channelOfWork) = 'chat'
            GROUP BY assignee_id
            """).all() {
            chats[try row.decode(column: "assignee_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        return agents.filter { (chats[$0.id!] ?? 0) < $0.capacitySettings.chat }.count
    }
}
