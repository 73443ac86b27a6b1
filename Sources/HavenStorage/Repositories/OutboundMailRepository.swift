import Crypto
import FluentKit
import Foundation
import HavenCore
import SQLKit

/// Everything needed to write and send one outgoing mail, read when its job is delivered.
public struct OutboundMailContext: Sendable {
    public var mailID: UUID
    public var rfcMessageID: String
    public var kind: OutboundMailKind
    public var ticketID: UUID
    public var ticketNumber: Int
    public var ticketSubject: String
    public var ticketLanguage: String?
    public var requesterName: String?
    public var requesterEmail: String?
    public var requesterLocale: String?
    public var queueEmailAddress: String?
    public var queueEmailName: String?
    /// The reply (for `.reply`): its text, language, files and author.
    public var message: MessageRecord?
    public var authorName: String?
    public var assigneeID: UUID?
    /// The conversation's public messages (for `.chatTranscript`), oldest first.
    public var transcript: [TranscriptLine] = []
    /// Message-IDs of the ticket's earlier mail, oldest first (References), and the customer's latest (In-Reply-To).
    public var references: [String]
    public var inReplyTo: String?
    /// The subject of the customer's first email, which replies answer ("Re: …").
    public var originalSubject: String?
    /// Set once rendered: the original's SHA-256 and the recipient.
    public var renderedSHA256: String?
    public var recipient: String?
    public var sender: String?
}

/// One public message of a chat transcript.
public struct TranscriptLine: Sendable, Equatable {
    public var at: Date
    /// The agent's full name; nil for the customer's lines (and an agent since deleted).
    public var agentName: String?
    public var fromCustomer: Bool
    public var text: String
    public var files: [String]
}

/// Outgoing mail's rows: read for rendering, the rendering kept (so every retry sends the same bytes), and the
/// delivery's outcome recorded with the outbox job's, in one transaction.
public protocol OutboundMailRepository: Sendable {
    func context(mailID: UUID) async throws -> OutboundMailContext?
    /// Keeps the rendered message (original in `mail_originals`) before its first attempt.
    func saveRendered(mailID: UUID, at now: Date, raw: [UInt8], sender: String, recipient: String, subject: String, text: String, html: String?) async throws
    func original(sha256: String) async throws -> [UInt8]?
    /// Completes the job and records the delivery on the mail; a permanent failure also goes on the ticket's
    /// event log (`mail.failed`) and notifies the reply's author (else the assignee). False if the job was
    /// claimed again since (nothing recorded).
    @discardableResult
    func finish(_ job: OutboxJob, _ outcome: OutboxOutcome, mailID: UUID, detail: String?, now: Date) async throws -> Bool
}

public struct SQLOutboundMailRepository: OutboundMailRepository {
    let database: HavenDatabase

    public init(database: HavenDatabase) {
        self.database = database
    }

    public func context(mailID: UUID) async throws -> OutboundMailContext? {
        let sql = try database.reader.sql()
        guard let row = try await sql.raw("""
            SELECT mm.rfc_message_id, mm.kind, mm.ticket_id, mm.message_id, mm.raw_sha256, mm.recipient, mm.from_address, mm.created_at,
                   t.number, t.subject, t.language, t.assignee_id, c.name AS requester_name, c.email AS requester_email,
                   c.locale AS requester_locale, q.email_address, q.email_name
            FROM mail_messages mm JOIN tickets t ON t.id = mm.ticket_id JOIN contacts c ON c.id = t.requester_id
            LEFT JOIN queues q ON q.id = t.queue_id
            WHERE mm.id = \(bind: mailID) AND mm.direction = 'out'
            """).first() else { return nil }
        let ticketID = try row.decode(column: "ticket_id", as: UUID.self)
        let createdAt = try row.decode(column: "created_at", as: Date.self)
        var context = OutboundMailContext(
            mailID: mailID, rfcMessageID: try row.decode(column: "rfc_message_id", as: String.self),
            kind: OutboundMailKind(rawValue: try row.decode(column: "kind", as: String?.self) ?? "") ?? .reply, ticketID: ticketID,
            ticketNumber: try row.decode(column: "number", as: Int.self), ticketSubject: try row.decode(column: "subject", as: String.self),
            ticketLanguage: try row.decode(column: "language", as: String?.self), requesterName: try row.decode(column: "requester_name", as: String?.self),
            requesterEmail: try row.decode(column: "requester_email", as: String?.self),
            requesterLocale: try row.decode(column: "requester_locale", as: String?.self),
            queueEmailAddress: try row.decode(column: "email_address", as: String?.self), queueEmailName: try row.decode(column: "email_name", as: String?.self),
            assigneeID: try row.decode(column: "assignee_id", as: UUID?.self), references: [],
            renderedSHA256: try row.decode(column: "raw_sha256", as: String?.self), recipient: try row.decode(column: "recipient", as: String?.self),
            sender: try row.decode(column: "from_address", as: String?.self))
        if let messageID = try row.decode(column: "message_id", as: UUID?.self) {
            context.message = try await SQLTicketRepository.messages(of: ticketID, includeInternal: false, on: sql).first { $0.id == messageID }
            if let author = context.message?.author, author.kind == .agent, let id = author.id.flatMap(UUID.init(uuidString:)) {
                context.authorName = try await AgentModel.find(id, on: database.reader)?.name
            }
        }
        if context.kind == .chatTranscript {
            context.transcript = try await Self.transcript(of: ticketID, on: sql)
        }
        // The conversation so far: every mail on the ticket up to this one. Compared in Swift with a millisecond's
        // slack: a date read back from SQLite and bound again can come out a hair smaller than the stored one.
        let all = try await sql.raw("""
            SELECT id, rfc_message_id, direction, subject, created_at FROM mail_messages WHERE ticket_id = \(bind: ticketID) ORDER BY created_at
            """).all()
        let earlier = try all.filter {
            try $0.decode(column: "id", as: UUID.self) != mailID && $0.decode(column: "created_at", as: Date.self) <= createdAt.addingTimeInterval(0.001)
        }
        for mail in earlier {
            let id = try mail.decode(column: "rfc_message_id", as: String.self)
            guard !id.hasSuffix("@haven.invalid") else { continue }
            context.references.append(id)
            if try mail.decode(column: "direction", as: String.self) == MailMetadata.Direction.inbound.rawValue {
                context.inReplyTo = id
                if context.originalSubject == nil { context.originalSubject = try mail.decode(column: "subject", as: String.self) }
            }
        }
        // RFC 5322 §3.6.4: keep the first and the latest when a long conversation makes the list too long.
        if context.references.count > 20 { context.references = [context.references[0]] + context.references.suffix(19) }
        return context
    }

    /// The ticket's public messages with their authors' names, in two queries.
    static func transcript(of ticketID: UUID, on sql: any SQLDatabase) async throws -> [TranscriptLine] {
        let messages = try await SQLTicketRepository.messages(of: ticketID, includeInternal: false, on: sql)
        let agentIDs = Set(messages.filter { $0.author.kind == .agent }.compactMap { $0.author.id.flatMap(UUID.init(uuidString:)) })
        var names: [UUID: String] = [:]
        if !agentIDs.isEmpty {
            for row in try await sql.raw("SELECT id, name FROM agents WHERE id IN (\(binds: Array(agentIDs)))").all() {
                names[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        return messages.map { message in
            TranscriptLine(
                at: message.createdAt, agentName: message.author.id.flatMap(UUID.init(uuidString:)).flatMap { names[$0] },
                fromCustomer: message.author.kind == .contact, text: message.body, files: message.attachments.map(\.filename))
        }
    }

    public func saveRendered(mailID: UUID, at now: Date, raw: [UInt8], sender: String, recipient: String, subject: String, text: String, html: String?) async throws {
        let sha = Hex.lowercase(SHA256.hash(data: raw))
        try await database.write { tx in
            let sql = try tx.sql()
            try await MailOriginals.insert([(sha256: sha, raw: raw)], at: now, on: sql)
            try await sql.raw("""
                UPDATE mail_messages SET raw_sha256 = \(bind: sha), raw_size = \(bind: raw.count), from_address = \(bind: sender),
                recipient = \(bind: recipient), subject = \(bind: subject), full_text = \(bind: text), html = \(bind: html)
                WHERE id = \(bind: mailID)
                """).run()
        }
    }

    public func original(sha256: String) async throws -> [UInt8]? {
        try await MailOriginals.find(sha256, on: database.reader.sql())
    }

    public func finish(_ job: OutboxJob, _ outcome: OutboxOutcome, mailID: UUID, detail: String?, now: Date) async throws -> Bool {
        try await database.write { tx in
            let sql = try tx.sql()
            guard try await SQLOutboxRepository.complete(job, outcome, now: now, on: sql) else { return false }
            let (status, text): (String, String?) = switch outcome {
            case .delivered: ("sent", detail)
            case .retry(_, let error, _): ("queued", "Will retry: \(error)")
            case .failed(let error): ("failed", error)
            }
            try await sql.raw("""
                UPDATE mail_messages SET delivery_status = \(bind: status), delivery_detail = \(bind: text) WHERE id = \(bind: mailID)
                """).run()
            if case .failed(let reason) = outcome { try await recordFailure(mailID: mailID, reason: reason, now: now, on: tx) }
            return true
        }
    }

    /// The ticket says so (event `mail.failed`), and the agent who wrote the reply (else the assignee) is told.
    private func recordFailure(mailID: UUID, reason: String, now: Date, on tx: any Database) async throws {
        guard let mail = try await MailMessageModel.find(mailID, on: tx), let ticket = try await TicketModel.find(mail.ticketID, on: tx) else { return }
        let recipient = mail.recipient ?? "the customer"
        try await SQLTicketRepository.record(
            [.mailFailed(messageID: mail.messageID?.uuidString.lowercased(), recipient: recipient, reason: reason)],
            on: ticket, actor: Actor(kind: .system, id: nil), at: now, tx: tx)
        var agentID = ticket.assigneeID
        if let messageID = mail.messageID, let message = try await MessageModel.find(messageID, on: tx), message.authorKind == ActorKind.agent.rawValue {
            agentID = message.authorID ?? agentID
        }
        guard let agentID else { return }
        let notification = NotificationModel()
        notification.id = UUID()
        notification.agentID = agentID
        notification.kind = "mail.failed"
        notification.ticketID = ticket.id
        notification.text = "Email to \(recipient) on ticket #\(ticket.number) could not be delivered: \(reason)"
        notification.createdAt = now
        try await notification.create(on: tx)
    }
}
