import FluentKit
import Foundation
import SQLKit

/// A ticket read from a plain row without Fluent's reflection.
///
/// Why: Fluent finds a model's fields by `Mirror` for every row it reads; decoding the tickets of a batch of chat
/// lines that way was ~10% of Haven's CPU at a thousand chats (perf), on the SQLite writer's event loop, where every
/// batch waits for it. The hot reads (the tickets a batch of messages goes to, the ticket "Get next" claims) name the
/// columns here once; a test checks the list against the model's fields.
extension TicketModel {
    static let readColumns: [(name: String, read: @Sendable (TicketModel, any SQLRow) throws -> Void)] = [
        ("id", { $0.id = try $1.decode(column: "id", as: UUID.self); $0.$id.exists = true }),
        ("number", { $0.number = try $1.decode(column: "number", as: Int.self) }),
        ("subject", { $0.subject = try $1.decode(column: "subject", as: String.self) }),
        ("status", { $0.status = try $1.decode(column: "status", as: String.self) }),
        ("priority", { $0.priority = try $1.decode(column: "priority", as: String.self) }),
        ("priority_rank", { $0.priorityRank = try $1.decode(column: "priority_rank", as: Int.self) }),
        ("channel", { $0.channel = try $1.decode(column: "channel", as: String.self) }),
        ("language", { $0.language = try $1.decode(column: "language", as: String?.self) }),
        ("queue_id", { $0.queueID = try $1.decode(column: "queue_id", as: UUID?.self) }),
        ("assignee_id", { $0.assigneeID = try $1.decode(column: "assignee_id", as: UUID?.self) }),
        ("requester_id", { $0.requesterID = try $1.decode(column: "requester_id", as: UUID.self) }),
        ("tags", { $0.tags = try $1.decode(column: "tags", as: String.self) }),
        ("change_seq", { $0.changeSeq = try $1.decode(column: "change_seq", as: Int.self) }),
        ("last_event_seq", { $0.lastEventSeq = try $1.decode(column: "last_event_seq", as: Int.self) }),
        ("risk_level", { $0.riskLevel = try $1.decode(column: "risk_level", as: String.self) }),
        ("harms", { $0.harms = try $1.decode(column: "harms", as: String.self) }),
        ("topic", { $0.topic = try $1.decode(column: "topic", as: String?.self) }),
        ("suggested_topic", { $0.suggestedTopic = try $1.decode(column: "suggested_topic", as: String?.self) }),
        ("topic_confidence", { $0.topicConfidence = try $1.decode(column: "topic_confidence", as: Double?.self) }),
        ("details", { $0.details = try $1.decode(column: "details", as: String?.self) }),
        ("priority_score", { $0.priorityScore = try $1.decode(column: "priority_score", as: Int.self) }),
        ("priority_reasons", { $0.priorityReasons = try $1.decode(column: "priority_reasons", as: String?.self) }),
        ("routing_reason", { $0.routingReason = try $1.decode(column: "routing_reason", as: String?.self) }),
        ("queued_at", { $0.queuedAt = try $1.decode(column: "queued_at", as: Date?.self) }),
        ("offered_to", { $0.offeredTo = try $1.decode(column: "offered_to", as: UUID?.self) }),
        ("offer_expires_at", { $0.offerExpiresAt = try $1.decode(column: "offer_expires_at", as: Date?.self) }),
        ("passed_by", { $0.passedBy = try $1.decode(column: "passed_by", as: String?.self) }),
        ("sla_policy", { $0.slaPolicy = try $1.decode(column: "sla_policy", as: String?.self) }),
        ("sla_due_at", { $0.slaDueAt = try $1.decode(column: "sla_due_at", as: Date?.self) }),
        ("sla_state", { $0.slaState = try $1.decode(column: "sla_state", as: String?.self) }),
        ("sla_check_at", { $0.slaCheckAt = try $1.decode(column: "sla_check_at", as: Date?.self) }),
        ("created_at", { $0.createdAt = try $1.decode(column: "created_at", as: Date.self) }),
        ("updated_at", { $0.updatedAt = try $1.decode(column: "updated_at", as: Date.self) }),
    ]

    /// The ticket in a row holding all of its columns (`SELECT t.*`).
    static func read(_ row: any SQLRow) throws -> TicketModel {
        let ticket = TicketModel()
        for column in readColumns { try column.read(ticket, row) }
        ticket.valuesAsRead = SQLTicketRepository.savedValues(of: ticket)
        return ticket
    }
}
