import FluentKit
import Foundation
import HavenCore
import SQLKit

/// `TicketRepository` on SQLite or PostgreSQL: Fluent models for writes, one joined SQL query for reads.
/// New tickets and new messages are written in batches (`GroupCommit`); build one repository per process and share it.
public struct SQLTicketRepository: TicketRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date
    let writes: GroupCommit<TicketWrite, TicketWritten>
    let outboundMail: OutboundMailSettings?

    /// `outboundMail`: how to email customers (replies, acknowledgements, solved notices); nil sends nothing.
    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }, outboundMail: OutboundMailSettings? = nil) {
        self.database = database
        self.now = now
        self.outboundMail = outboundMail
        let writer = TicketWriter(database: database, now: now, outboundMail: outboundMail)
        writes = GroupCommit(maxBatch: TicketWriter.maxBatch, executor: database.writerExecutor) { try await writer.write($0) }
    }

    // MARK: - Create

    public func create(_ draft: NewTicketDraft, actor: Actor, origin: TicketOrigin) async throws -> TicketRecord {
        guard case .ticket(let ticket) = try await writes.submit(.create(TicketCreation(draft: draft, actor: actor, origin: origin))) else {
            preconditionFailure("a create is answered with a ticket")
        }
        return ticket
    }

    // MARK: - Read

    public func find(_ ref: TicketRef, includeInternal: Bool) async throws -> TicketRecord? {
        try await find(ref, includeInternal: includeInternal, on: database.reader)
    }

    func find(_ ref: TicketRef, includeInternal: Bool, on db: any Database) async throws -> TicketRecord? {
        let sql = try db.sql()
        guard var ticket = try await summary(ref, on: sql) else { return nil }
        ticket.messages = try await Self.messages(of: ticket.id, includeInternal: includeInternal, on: sql)
        return ticket
    }

    public func summary(_ ref: TicketRef) async throws -> TicketRecord? {
        try await summary(ref, on: database.reader.sql())
    }

    func summary(_ ref: TicketRef, on sql: any SQLDatabase) async throws -> TicketRecord? {
        let condition: SQLQueryString = switch ref {
        case .id(let id): "t.id = \(bind: id)"
        case .number(let number): "t.number = \(bind: number)"
        }
        return try await sql.raw(TicketRows.select + " WHERE " + condition).first().map(TicketRows.decode)
    }

    static func messages(of ticketID: UUID, includeInternal: Bool, on sql: any SQLDatabase) async throws -> [MessageRecord] {
        var condition: SQLQueryString = "m.ticket_id = \(bind: ticketID)"
        if !includeInternal { condition += " AND m.visibility = \(bind: MessageVisibility.public.rawValue)" }
        return try await messages(where: condition, on: sql)
    }

    /// Messages matching `condition` (on `m`), in conversation order, with their email's state and their files.
    static func messages(where condition: SQLQueryString, on sql: any SQLDatabase) async throws -> [MessageRecord] {
        var query: SQLQueryString = """
            SELECT m.*, mm.rfc_message_id AS email_message_id, mm.delivery_status AS email_status, mm.delivery_detail AS email_detail,
                   mm.recipient AS email_recipient
            FROM messages m LEFT JOIN mail_messages mm ON mm.message_id = m.id AND mm.direction = 'out'
            WHERE
            """
        query += " " + condition + " ORDER BY m.seq"
        let rows = try await sql.raw(query).all()
        var messages = try rows.map(MessageRows.decode)
        let withFiles = try rows.indices.filter { try rows[$0].decode(column: "attachment_count", as: Int.self) > 0 }
        if !withFiles.isEmpty {
            let ids = withFiles.map { messages[$0].id }
            let files = try await sql.raw("SELECT * FROM attachments WHERE message_id IN (\(binds: ids)) ORDER BY created_at").all()
                .map(AttachmentRows.decode)
            for index in withFiles {
                messages[index].attachments = files.filter { $0.messageID == messages[index].id }
            }
        }
        return messages
    }

    public func list(_ query: TicketListQuery) async throws -> Page<TicketRecord> {
        let db = database.reader
        let sql = try db.sql()
        var conditions: [SQLQueryString] = []
        if !query.statuses.isEmpty { conditions.append("t.status IN (\(binds: query.statuses.map(\.rawValue)))") }
        if let queue = query.queue {
            if let found = try await Self.queue(for: queue, field: "queue", on: db) {
                conditions.append("t.queue_id = \(bind: try found.requireID())")
            }
        }
        switch query.assignee {
        case .unassigned: conditions.append("t.assignee_id IS NULL")
        case .agent(let ref):
            guard let agent = try await AgentLookup.find(ref, on: db) else { return Page(items: [], nextCursor: nil) }
            conditions.append("t.assignee_id = \(bind: try agent.requireID())")
        case nil: break
        }
        if let channel = query.channel { conditions.append("t.channel = \(bind: channel.rawValue)") }
        if let language = query.language {
            // "pt" finds pt, pt-BR and pt-PT; "pt-BR" only pt-BR.
            if language.contains("-") { conditions.append("t.language = \(bind: language)") }
            else { conditions.append("(t.language = \(bind: language) OR t.language LIKE \(bind: language + "-%"))") }
        }
        if let priority = query.priority { conditions.append("t.priority = \(bind: priority.rawValue)") }
        if let visibility = query.visibility { conditions.append(SQLInboxRepository.hidden(visibility)) }
        if let requester = query.requester {
            guard let contact = try await ContactLookup.find(requester, on: db) else { return Page(items: [], nextCursor: nil) }
            conditions.append("t.requester_id = \(bind: try contact.requireID())")
        }
        let keyset = TicketKeyset(sort: query.sort, order: query.order)
        if let cursor = query.cursor { conditions.append(try keyset.after(cursor)) }

        var statement = TicketRows.select
        if !conditions.isEmpty { statement += " WHERE " + conditions.joined(separator: " AND ") }
        statement += " ORDER BY " + keyset.orderBy + " LIMIT \(literal: query.limit + 1)"
        let rows = try await sql.raw(statement).all()
        let items = try rows.prefix(query.limit).map(TicketRows.decode)
        let next = rows.count > query.limit ? rows[query.limit - 1] : nil
        return Page(items: items, nextCursor: try next.map(keyset.cursor(after:)))
    }

    public func events(of ref: TicketRef) async throws -> [TicketEventRecord]? {
        let db = database.reader
        guard let ticket = try await Self.ticket(ref, on: db) else { return nil }
        let rows = try await db.sql().raw("SELECT * FROM ticket_events WHERE ticket_id = \(bind: ticket.requireID()) ORDER BY seq").all()
        return try rows.map(EventRows.decode)
    }

    // MARK: - Change

    public func addMessage(to ref: TicketRef, _ message: NewMessage, actor: Actor) async throws -> MessageRecord {
        let body = TextNormalizer.body(message.body)
        // A file alone is a message (a chat's screenshot); nothing at all is not.
        guard !body.isEmpty || !message.attachmentIDs.isEmpty || !message.newAttachments.isEmpty else {
            throw DomainError.invalid([FieldProblem(field: "body", problem: "The message is empty.")])
        }
        guard body.count <= NewTicketDraft.maxBodyLength else {
            throw DomainError.invalid([FieldProblem(field: "body", problem: "The message is longer than \(NewTicketDraft.maxBodyLength) characters.")])
        }
        var message = message
        message.body = body
        guard case .message(let stored) = try await writes.submit(.append(MessageAppend(ticket: ref, message: message, actor: actor))) else {
            preconditionFailure("an append is answered with a message")
        }
        return stored
    }

    public func update(_ ref: TicketRef, with update: TicketUpdate, actor: Actor) async throws -> TicketRecord {
        let id = try await database.write { tx -> UUID in
            guard let ticket = try await Self.ticket(ref, on: tx) else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
            var patch = TicketPatch(status: update.status, priority: update.priority, tags: update.tags, topic: update.topic, language: update.language)
            var problems: [FieldProblem] = []
            if let queue = update.queue {
                if let queue { patch.queueID = .some(try await Self.queue(for: queue, field: "queue", on: tx)?.id?.uuidString) }
                else { patch.queueID = .some(nil) }
            }
            if let assignee = update.assignee {
                if let assignee {
                    if let agent = try await AgentLookup.find(assignee, on: tx), agent.active { patch.assigneeID = .some(agent.id?.uuidString) }
                    else { problems.append(FieldProblem(field: "assignee", problem: "There is no active agent '\(assignee)'.")) }
                } else { patch.assigneeID = .some(nil) }
            }
            guard problems.isEmpty else { throw DomainError.invalid(problems) }
            let state = Self.state(of: ticket)
            var changes = try state.changes(applying: patch)
            if let risk = update.risk {
                let current = (RiskLevel(rawValue: ticket.riskLevel) ?? .none, JSONList.decode(ticket.harms).compactMap(Harm.init(rawValue:)))
                let corrections = try risk.changes(from: current, state: state, settingPriority: patch.priority != nil)
                if !corrections.isEmpty {
                    // The row's risk columns are a cache like the others: written by `record` with the events.
                    ticket.riskLevel = risk.level.rawValue
                    ticket.harms = JSONList.encode(risk.harms.map(\.rawValue))
                }
                changes += corrections
            }
            let now = self.now()
            try await Self.record(changes, on: ticket, actor: actor, at: now, tx: tx)
            // Solving an email ticket tells the customer (a reply that solves it is that message already).
            let solves = changes.contains { if case .statusChanged(_, .solved) = $0 { true } else { false } }
            if solves, let topic = ticket.topic { try await TopicExamples.add(ticket: ticket, topic: topic, at: now, on: tx.sql()) }
            if let settings = outboundMail, solves, Channel(rawValue: ticket.channel)?.repliesByEmail == true {
                let (mail, job) = OutboundMailQueue.rows(.solved, ticketID: try ticket.requireID(), messageID: nil, settings: settings, at: now)
                try await [mail].insert(on: tx)
                try await [job].insert(on: tx)
            }
            return try ticket.requireID()
        }
        guard let record = try await find(.id(id), includeInternal: true, on: database.reader) else {
            throw RecordNotFound(kind: "ticket", reference: ref.description)
        }
        return record
    }

    // MARK: - Helpers

    /// Applies changes to the ticket row and appends them to its event log. Nothing to do for no changes.
    static func record(_ changes: [TicketChange], on ticket: TicketModel, actor: Actor, at now: Date, tx: any Database) async throws {
        guard !changes.isEmpty else { return }
        let events = try apply(changes, to: ticket, actor: actor, at: now)
        try await save(ticket, on: tx.sql())
        try await CustomerFeed.number(events, on: tx.sql())
        try await TicketEventLog.append(events, on: tx)
    }

    /// Folds changes into the ticket row, in memory, and returns their events, numbered after the ticket's last.
    static func apply(_ changes: [TicketChange], to ticket: TicketModel, actor: Actor, at now: Date) throws -> [TicketEventModel] {
        var state = state(of: ticket)
        for change in changes {
            state.apply(change)
            switch change {
            // A ticket that changes queue waits there afresh: its wait (for skill relaxation) and offers start over.
            case .queueChanged:
                ticket.queuedAt = now
                ticket.passedBy = "[]"
                ticket.offeredTo = nil
                ticket.offerExpiresAt = nil
            case .assigneeChanged:
                ticket.offeredTo = nil
                ticket.offerExpiresAt = nil
            default: break
            }
        }
        // Any event can move an SLA clock (a reply, pending, solved): the SLA watcher recomputes it from the log.
        if ticket.slaPolicy != nil { ticket.slaCheckAt = now }
        let events = try events(changes, of: ticket, firstSeq: ticket.lastEventSeq + 1, actor: actor, at: now)
        ticket.status = state.status.rawValue
        ticket.priority = state.priority.rawValue
        ticket.priorityRank = state.priority.rank
        ticket.queueID = state.queueID.flatMap(UUID.init(uuidString:))
        ticket.assigneeID = state.assigneeID.flatMap(UUID.init(uuidString:))
        ticket.tags = JSONList.encode(state.tags)
        ticket.language = state.language
        ticket.topic = state.topic?.rawValue
        ticket.lastEventSeq += changes.count
        ticket.updatedAt = now
        return events
    }

    /// A ticket row's changeable columns (the cache of its event log, beside `change_seq`), with their PostgreSQL types.
    static let savedColumns: [(name: String, type: String, value: @Sendable (TicketModel) -> any Encodable & Hashable & Sendable)] = [
        ("status", "text", { $0.status }), ("priority", "text", { $0.priority }), ("priority_rank", "bigint", { $0.priorityRank }),
        ("queue_id", "uuid", { $0.queueID }), ("assignee_id", "uuid", { $0.assigneeID }), ("tags", "text", { $0.tags }),
        ("last_event_seq", "bigint", { $0.lastEventSeq }), ("updated_at", "timestamptz", { $0.updatedAt }),
        ("risk_level", "text", { $0.riskLevel }), ("harms", "text", { $0.harms }), ("language", "text", { $0.language }),
        ("topic", "text", { $0.topic }), ("queued_at", "timestamptz", { $0.queuedAt }), ("offered_to", "uuid", { $0.offeredTo }),
        ("offer_expires_at", "timestamptz", { $0.offerExpiresAt }), ("passed_by", "text", { $0.passedBy }),
        ("sla_check_at", "timestamptz", { $0.slaCheckAt }), ("priority_score", "bigint", { $0.priorityScore }),
        ("sla_due_at", "timestamptz", { $0.slaDueAt }), ("sla_state", "text", { $0.slaState }),
    ]

    /// The saved columns' values, boxed to be compared with the row's (`TicketModel.valuesAsRead`).
    static func savedValues(of ticket: TicketModel) -> [AnyHashable] {
        savedColumns.map { $0.value(ticket).boxed }
    }

    /// The saved columns (by index) that differ from the row in any of these tickets; every column for a ticket whose
    /// row values are not known. Why: SQLite rewrites the entry of every index over a column an UPDATE sets, even to
    /// the same value, and `tickets` has seventeen, while a chat line changes two or three columns (only
    /// `sla_check_at` among them indexed).
    static func changedColumns(_ tickets: [TicketModel]) -> [Int] {
        var changed = Set<Int>()
        for ticket in tickets {
            guard let before = ticket.valuesAsRead else { return Array(savedColumns.indices) }
            for (index, value) in savedValues(of: ticket).enumerated() where value != before[index] { changed.insert(index) }
        }
        return changed.sorted()
    }

    /// Writes the ticket row's changed columns with the next change number. On PostgreSQL the number is drawn by
    /// the statement itself, a round trip less for every change.
    static func save(_ ticket: TicketModel, on sql: any SQLDatabase) async throws {
        let change: SQLQueryString = sql.dialect.name == "postgresql"
            ? "nextval('\(unsafeRaw: Sequences.ticketChange.rawValue)')" : "\(bind: try await Sequences.ticketChange.next(on: sql))"
        let columns = changedColumns([ticket]).map { index -> SQLQueryString in
            "\(unsafeRaw: savedColumns[index].name) = \(bind: savedColumns[index].value(ticket)), "
        }
        let row = try await sql.raw("UPDATE tickets SET " + columns.joined() + """
            change_seq = \(change) WHERE id = \(bind: ticket.requireID()) RETURNING change_seq
            """).first()
        guard let row else { throw RecordNotFound(kind: "ticket", reference: try ticket.requireID().uuidString.lowercased()) }
        ticket.changeSeq = try row.decode(column: "change_seq", as: Int.self)
        ticket.valuesAsRead = savedValues(of: ticket)
    }

    /// Writes several tickets' rows in one statement (`UPDATE … FROM (VALUES …)`), each with its next change number.
    /// A batch of chat lines touches a ticket per line: on SQLite every statement is a hop to the writer's thread,
    /// and sixty-four single-row UPDATEs held the writer 17 ms (docs/benchmarks.md). One ticket takes the plain UPDATE,
    /// which PostgreSQL plans faster (every single change, Get next's claim among them, goes that way).
    static func save(_ tickets: [TicketModel], on sql: any SQLDatabase) async throws {
        guard tickets.count > 1 else {
            if let ticket = tickets.first { try await save(ticket, on: sql) }
            return
        }
        let postgres = sql.dialect.name == "postgresql"
        let drawn = postgres ? [] : try await Sequences.next([.ticketChange], count: tickets.count, on: sql)[.ticketChange]!
        // A VALUES list's columns are column1, column2… on both engines; PostgreSQL is told their types (a NULL in
        // every row would otherwise be text).
        let columns = changedColumns(tickets).map { savedColumns[$0] }
        let set = columns.enumerated().map { position, column -> String in
            "\(column.name) = " + (postgres ? "CAST(v.column\(position + 3) AS \(column.type))" : "v.column\(position + 3)") + ", "
        }.joined()
        var rows: [SQLQueryString] = []
        for (index, ticket) in tickets.enumerated() {
            let change: SQLQueryString = postgres ? "nextval('\(unsafeRaw: Sequences.ticketChange.rawValue)')" : "\(bind: drawn[index])"
            let id: SQLQueryString = postgres ? "CAST(\(bind: try ticket.requireID()) AS uuid)" : "\(bind: try ticket.requireID())"
            rows.append("(" + ([id, change] + columns.map { column -> SQLQueryString in "\(bind: column.value(ticket))" }).joined(separator: ", ") + ")")
        }
        let statement: SQLQueryString = "UPDATE tickets SET \(unsafeRaw: set)change_seq = v.column2 FROM (VALUES " + rows.joined(separator: ", ")
            + ") AS v WHERE tickets.id = v.column1 RETURNING tickets.id, tickets.change_seq"
        var changeSeqs: [UUID: Int] = [:]
        for row in try await sql.raw(statement).all() {
            changeSeqs[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "change_seq", as: Int.self)
        }
        for ticket in tickets {
            guard let changeSeq = changeSeqs[try ticket.requireID()] else {
                throw RecordNotFound(kind: "ticket", reference: try ticket.requireID().uuidString.lowercased())
            }
            ticket.changeSeq = changeSeq
            ticket.valuesAsRead = savedValues(of: ticket)
        }
    }

    static func events(_ changes: [TicketChange], of ticket: TicketModel, firstSeq: Int, actor: Actor, at now: Date) throws -> [TicketEventModel] {
        let ticketID = try ticket.requireID()
        return changes.enumerated().map { offset, change in
            let event = TicketEventModel()
            event.id = UUID()
            event.ticketID = ticketID
            event.seq = firstSeq + offset
            event.actorKind = actor.kind.rawValue
            event.actorID = actor.id
            event.type = change.type
            event.payload = change.payloadJSON()
            event.createdAt = now
            if change.isVisibleToCustomer { event.feedContactID = ticket.requesterID }
            return event
        }
    }

    static func summary(_ queue: QueueModel) -> QueueSummary {
        QueueSummary(id: queue.id!, slug: queue.slug, name: queue.name)
    }

    static func record(_ contact: ContactModel) throws -> ContactRecord {
        ContactRecord(
            id: try contact.requireID(), email: contact.email, externalID: contact.externalID, name: contact.name, locale: contact.locale,
            kind: ContactKind(rawValue: contact.kind) ?? .user, tier: contact.tier, market: contact.market)
    }

    static func record(_ message: MessageModel) throws -> MessageRecord {
        MessageRecord(
            id: try message.requireID(), ticketID: message.ticketID,
            author: Actor(kind: ActorKind(rawValue: message.authorKind) ?? .system, id: message.authorID?.uuidString.lowercased()),
            visibility: MessageVisibility(rawValue: message.visibility) ?? .public, body: message.body, language: message.language,
            createdAt: message.createdAt, attachments: [],
            risk: MessageRows.risk(level: message.riskLevel, harms: message.harms, signals: message.riskSignals),
            topic: message.topic.flatMap(Topic.init(rawValue:)).map { TopicSuggestion(topic: $0, confidence: message.topicConfidence ?? 0) },
            seq: message.seq, clientID: message.clientID)
    }

    static func state(of ticket: TicketModel) -> TicketState {
        TicketState(
            subject: ticket.subject,
            channel: Channel(rawValue: ticket.channel) ?? .api,
            status: TicketStatus(rawValue: ticket.status) ?? .open,
            priority: TicketPriority(rawValue: ticket.priority) ?? .normal,
            language: ticket.language,
            queueID: ticket.queueID?.uuidString,
            assigneeID: ticket.assigneeID?.uuidString,
            requesterID: ticket.requesterID.uuidString,
            tags: JSONList.decode(ticket.tags),
            topic: ticket.topic.flatMap(Topic.init(rawValue:)))
    }

    static func ticket(_ ref: TicketRef, on db: any Database) async throws -> TicketModel? {
        switch ref {
        case .id(let id): try await TicketModel.find(id, on: db)
        case .number(let number): try await TicketModel.query(on: db).filter(\.$number == number).first()
        }
    }

    /// The queue a reference names (id, slug or name); the default queue when the reference is nil.
    static func queue(for ref: String?, field: String, on db: any Database) async throws -> QueueModel? {
        guard let ref else { return try await QueueModel.query(on: db).filter(\.$isDefault == true).first() }
        if let id = UUID(uuidString: ref), let byID = try await QueueModel.find(id, on: db) { return byID }
        if let bySlug = try await QueueModel.query(on: db).filter(\.$slug == ref.lowercased()).first() { return bySlug }
        if let byName = try await QueueModel.query(on: db).filter(\.$name == ref).first() { return byName }
        throw DomainError.invalid([FieldProblem(field: field, problem: "There is no queue '\(ref)'. Use a queue's id, slug or name.")])
    }

    /// A problem for each named attachment that does not exist or already belongs to a message.
    /// The unclaimed files a request may attach: an agent's (`uploader` nil) any of them, a customer's only their own.
    static func usableFiles(_ files: [UUID: AttachmentModel], uploader: UUID?) -> Set<UUID> {
        Set(files.values.filter { uploader == nil || $0.contactID == uploader }.compactMap(\.id))
    }

    static func attachmentProblems(_ ids: [UUID], usable: Set<UUID>) -> [FieldProblem] {
        ids.enumerated().compactMap { index, id in
            usable.contains(id) ? nil : FieldProblem(field: "attachment_ids[\(index)]", problem: "No unused attachment has the id \(id.uuidString.lowercased()); upload it first.")
        }
    }
}

extension MessageModel {
    convenience init(
        ticket: TicketModel, author: Actor, visibility: MessageVisibility, body: String, seq: Int, attachmentCount: Int, at now: Date
    ) throws {
        self.init()
        id = UUID()
        ticketID = try ticket.requireID()
        authorKind = author.kind.rawValue
        authorID = author.id.flatMap(UUID.init(uuidString:))
        self.visibility = visibility.rawValue
        self.body = body
        self.seq = seq
        self.attachmentCount = attachmentCount
        createdAt = now
    }
}

private extension Hashable {
    /// The value as `AnyHashable` (a column's value comes as an existential, which `AnyHashable.init` cannot take).
    var boxed: AnyHashable { AnyHashable(self) }
}
