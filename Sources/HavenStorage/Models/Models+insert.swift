import FluentKit
import Foundation
import SQLKit

/// A model written with one plain multi-row INSERT instead of Fluent's `create`.
///
/// Why: Fluent finds a model's fields by reflection (`Mirror`) for every row it writes, which was ~15% of
/// the CPU of mail ingest (measured with perf). The hot write paths (new tickets, messages, events, mail rows,
/// attachments) name their columns here once; everything else still uses Fluent.
protocol SQLInsertable: Model {
    static var columns: [String] { get }
    /// The row's values, in `columns` order.
    var values: [any Encodable & Sendable] { get }
}

extension Array where Element: SQLInsertable {
    /// Inserts every row in one statement; nothing for an empty array.
    func insert(on database: any Database) async throws {
        guard !isEmpty else { return }
        var insert = try database.sql().insert(into: Element.schema).columns(Element.columns)
        for model in self { insert = insert.values(model.values.map { SQLBind($0) }) }
        try await insert.run()
    }
}

extension TicketModel: SQLInsertable {
    static let columns = [
        "id", "number", "subject", "status", "priority", "priority_rank", "channel", "language", "queue_id", "assignee_id", "requester_id",
        "tags", "change_seq", "last_event_seq", "created_at", "updated_at", "risk_level", "harms", "topic", "suggested_topic", "topic_confidence",
        "details", "priority_score", "priority_reasons", "routing_reason", "queued_at", "passed_by", "sla_policy", "sla_check_at",
        "sla_due_at", "sla_state",
    ]
    var values: [any Encodable & Sendable] {
        [id, number, subject, status, priority, priorityRank, channel, language, queueID, assigneeID, requesterID, tags, changeSeq,
         lastEventSeq, createdAt, updatedAt, riskLevel, harms, topic, suggestedTopic, topicConfidence, details, priorityScore, priorityReasons,
         routingReason, queuedAt, passedBy, slaPolicy, slaCheckAt, slaDueAt, slaState]
    }
}

extension MessageModel: SQLInsertable {
    static let columns = [
        "id", "ticket_id", "author_kind", "author_id", "visibility", "body", "seq", "attachment_count", "language", "created_at", "risk_level",
        "harms", "risk_signals", "topic", "topic_confidence", "client_id",
    ]
    var values: [any Encodable & Sendable] {
        [id, ticketID, authorKind, authorID, visibility, body, seq, attachmentCount, language, createdAt, riskLevel, harms, riskSignals, topic,
         topicConfidence, clientID]
    }
}

extension TicketEventModel: SQLInsertable {
    static let columns = ["id", "ticket_id", "seq", "actor_kind", "actor_id", "type", "payload", "created_at", "feed_contact_id", "feed_seq"]
    var values: [any Encodable & Sendable] { [id, ticketID, seq, actorKind, actorID, type, payload, createdAt, feedContactID, feedSeq] }
}

extension MailMessageModel: SQLInsertable {
    static let columns = [
        "id", "rfc_message_id", "direction", "ticket_id", "message_id", "from_address", "subject", "full_text", "html", "raw_sha256",
        "raw_size", "automatic", "created_at", "kind", "delivery_status", "recipient",
    ]
    var values: [any Encodable & Sendable] {
        [id, rfcMessageID, direction, ticketID, messageID, fromAddress, subject, fullText, html, rawSHA256, rawSize, automatic, createdAt,
         kind, deliveryStatus, recipient]
    }
}

extension AttachmentModel: SQLInsertable {
    static let columns = ["id", "sha256", "size", "content_type", "filename", "ticket_id", "message_id", "uploaded_by", "created_at", "contact_id"]
    var values: [any Encodable & Sendable] { [id, sha256, size, contentType, filename, ticketID, messageID, uploadedBy, createdAt, contactID] }
}

extension ContactModel: SQLInsertable {
    static let columns = ["id", "email", "external_id", "name", "locale", "kind", "tier", "market", "created_at", "updated_at"]
    var values: [any Encodable & Sendable] { [id, email, externalID, name, locale, kind, tier, market, createdAt, updatedAt] }
}

extension OutboxModel: SQLInsertable {
    static let columns = ["id", "kind", "payload", "status", "attempts", "available_at", "ticket_id", "created_at"]
    var values: [any Encodable & Sendable] { [id, kind, payload, status, attempts, availableAt, ticketID, createdAt] }
}
