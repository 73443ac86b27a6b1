import Foundation
import HavenCore
import SQLKit

/// The one query that reads tickets with their requester, queue and assignee, and its decoder.
enum TicketRows {
    static let select = select(indexedBy: nil)

    /// The query, optionally telling SQLite which index to read tickets by (`INDEXED BY`; SQLite only).
    static func select(indexedBy index: String?) -> SQLQueryString {
        let tickets = index.map { "FROM tickets t INDEXED BY \($0)" } ?? "FROM tickets t"
        return """
        SELECT t.id, t.number, t.subject, t.status, t.priority, t.priority_rank, t.channel, t.language, t.tags, t.risk_level, t.harms, t.topic, t.suggested_topic, t.topic_confidence, t.details,
               t.priority_score, t.priority_reasons, t.routing_reason, t.sla_policy, t.sla_due_at, t.sla_state, t.offered_to, t.offer_expires_at,
               t.change_seq, t.created_at, t.updated_at,
               c.id AS r_id, c.email AS r_email, c.external_id AS r_external_id, c.name AS r_name, c.locale AS r_locale,
               c.kind AS r_kind, c.tier AS r_tier, c.market AS r_market,
               q.id AS q_id, q.slug AS q_slug, q.name AS q_name,
               a.id AS a_id, a.name AS a_name, a.email AS a_email
        \(unsafeRaw: tickets)
        JOIN contacts c ON c.id = t.requester_id
        LEFT JOIN queues q ON q.id = t.queue_id
        LEFT JOIN agents a ON a.id = t.assignee_id
        """
    }

    static func decode(_ row: any SQLRow) throws -> TicketRecord {
        let requester = ContactRecord(
            id: try row.decode(column: "r_id", as: UUID.self),
            email: try row.decode(column: "r_email", as: String?.self),
            externalID: try row.decode(column: "r_external_id", as: String?.self),
            name: try row.decode(column: "r_name", as: String?.self),
            locale: try row.decode(column: "r_locale", as: String?.self),
            kind: ContactKind(rawValue: try row.decode(column: "r_kind", as: String.self)) ?? .user,
            tier: try row.decode(column: "r_tier", as: String?.self),
            market: try row.decode(column: "r_market", as: String?.self))
        var queue: QueueSummary?
        if let queueID = try row.decode(column: "q_id", as: UUID?.self) {
            queue = QueueSummary(
                id: queueID, slug: try row.decode(column: "q_slug", as: String.self), name: try row.decode(column: "q_name", as: String.self))
        }
        var assignee: AgentSummary?
        if let agentID = try row.decode(column: "a_id", as: UUID?.self) {
            assignee = AgentSummary(
                id: agentID, name: try row.decode(column: "a_name", as: String.self), email: try row.decode(column: "a_email", as: String.self))
        }
        var ticket = TicketRecord(
            id: try row.decode(column: "id", as: UUID.self),
            number: try row.decode(column: "number", as: Int.self),
            subject: try row.decode(column: "subject", as: String.self),
            status: try decodeEnum(row, "status"),
            priority: try decodeEnum(row, "priority"),
            channel: try decodeEnum(row, "channel"),
            language: try row.decode(column: "language", as: String?.self),
            queue: queue,
            assignee: assignee,
            requester: requester,
            tags: JSONList.decode(try row.decode(column: "tags", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            updatedAt: try row.decode(column: "updated_at", as: Date.self),
            messages: nil,
            riskLevel: RiskLevel(rawValue: try row.decode(column: "risk_level", as: String.self)) ?? .none,
            harms: JSONList.decode(try row.decode(column: "harms", as: String.self)).compactMap(Harm.init(rawValue:)),
            topic: try row.decode(column: "topic", as: String?.self).flatMap(Topic.init(rawValue:)),
            suggestedTopic: try suggestion(row, "suggested_topic"),
            details: try row.decode(column: "details", as: String?.self).flatMap { try? JSONDecoder().decode(RequestDetails.self, from: Data($0.utf8)) })
        ticket.priorityScore = try row.decode(column: "priority_score", as: Int.self)
        ticket.priorityReasons = JSONList.decode(try row.decode(column: "priority_reasons", as: String?.self) ?? "[]")
        ticket.routingReason = try row.decode(column: "routing_reason", as: String?.self)
        if let policy = try row.decode(column: "sla_policy", as: String?.self) {
            ticket.sla = TicketSLA(
                policy: policy, dueAt: try row.decode(column: "sla_due_at", as: Date?.self),
                state: try row.decode(column: "sla_state", as: String?.self).flatMap(SLAMeasure.State.init(rawValue:)))
        }
        if let agent = try row.decode(column: "offered_to", as: UUID?.self) {
            ticket.offer = TicketOffer(agentID: agent, expiresAt: try row.decode(column: "offer_expires_at", as: Date?.self))
        }
        return ticket
    }

    static func suggestion(_ row: any SQLRow, _ column: String) throws -> TopicSuggestion? {
        guard let topic = try row.decode(column: column, as: String?.self).flatMap(Topic.init(rawValue:)) else { return nil }
        return TopicSuggestion(topic: topic, confidence: try row.decode(column: "topic_confidence", as: Double?.self) ?? 0)
    }
}

enum MessageRows {
    static func decode(_ row: any SQLRow) throws -> MessageRecord {
        let authorID = try row.decode(column: "author_id", as: UUID?.self)
        return MessageRecord(
            id: try row.decode(column: "id", as: UUID.self),
            ticketID: try row.decode(column: "ticket_id", as: UUID.self),
            author: Actor(kind: try decodeEnum(row, "author_kind"), id: authorID?.uuidString.lowercased()),
            visibility: try decodeEnum(row, "visibility"),
            body: try row.decode(column: "body", as: String.self),
            language: try row.decode(column: "language", as: String?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self),
            attachments: [],
            email: try row.decode(column: "email_message_id", as: String?.self).map { id in
                MessageEmail(
                    messageID: id, status: try row.decode(column: "email_status", as: String?.self) ?? "queued",
                    detail: try row.decode(column: "email_detail", as: String?.self), recipient: try row.decode(column: "email_recipient", as: String?.self))
            },
            risk: risk(
                level: try row.decode(column: "risk_level", as: String?.self), harms: try row.decode(column: "harms", as: String?.self),
                signals: try row.decode(column: "risk_signals", as: String?.self)),
            topic: try TicketRows.suggestion(row, "topic"),
            seq: try row.decode(column: "seq", as: Int.self),
            clientID: try row.decode(column: "client_id", as: String?.self))
    }

    static func risk(level: String?, harms: String?, signals: String?) -> MessageRisk? {
        guard let level = level.flatMap(RiskLevel.init(rawValue:)), level != .none else { return nil }
        let decoded = signals.flatMap { try? JSONDecoder().decode([RiskSignal].self, from: Data($0.utf8)) } ?? []
        return MessageRisk(level: level, harms: JSONList.decode(harms ?? "[]").compactMap(Harm.init(rawValue:)), signals: decoded.map(\.description))
    }
}

enum AttachmentRows {
    static func decode(_ row: any SQLRow) throws -> AttachmentRecord {
        AttachmentRecord(
            id: try row.decode(column: "id", as: UUID.self),
            sha256: try row.decode(column: "sha256", as: String.self),
            size: try row.decode(column: "size", as: Int.self),
            contentType: try row.decode(column: "content_type", as: String.self),
            filename: try row.decode(column: "filename", as: String.self),
            ticketID: try row.decode(column: "ticket_id", as: UUID?.self),
            messageID: try row.decode(column: "message_id", as: UUID?.self))
    }
}

enum EventRows {
    static func decode(_ row: any SQLRow) throws -> TicketEventRecord {
        TicketEventRecord(
            id: try row.decode(column: "id", as: UUID.self),
            seq: try row.decode(column: "seq", as: Int.self),
            type: try row.decode(column: "type", as: String.self),
            actor: Actor(kind: try decodeEnum(row, "actor_kind"), id: try row.decode(column: "actor_id", as: String?.self)),
            payload: try JSONValue(jsonString: try row.decode(column: "payload", as: String.self)),
            createdAt: try row.decode(column: "created_at", as: Date.self))
    }
}

struct UnknownStoredValue: Error {
    var column: String
    var value: String
}

func decodeEnum<Value: RawRepresentable>(_ row: any SQLRow, _ column: String) throws -> Value where Value.RawValue == String {
    let raw = try row.decode(column: column, as: String.self)
    guard let value = Value(rawValue: raw) else { throw UnknownStoredValue(column: column, value: raw) }
    return value
}

/// Keyset pagination over tickets. Every sort ends on a unique integer, so pages never skip or repeat
/// a ticket, whatever changes between two requests.
struct TicketKeyset {
    var sort: TicketListQuery.Sort
    var order: TicketListQuery.Order

    private var columns: [String] {
        switch sort {
        case .updated: ["change_seq"]
        case .created: ["number"]
        case .priority: ["priority_rank", "number"]
        }
    }

    var orderBy: SQLQueryString {
        let direction = order == .asc ? "ASC" : "DESC"
        return SQLQueryString(columns.map { "t.\($0) \(direction)" }.joined(separator: ", "))
    }

    private struct Token: Codable {
        var s: String
        var o: String
        var k: [Int]
    }

    func cursor(after row: any SQLRow) throws -> String {
        let token = Token(s: sort.rawValue, o: order.rawValue, k: try columns.map { try row.decode(column: $0, as: Int.self) })
        return try JSONEncoder().encode(token).base64URLEncoded()
    }

    /// The condition selecting the rows after the cursor's row.
    func after(_ cursor: String) throws -> SQLQueryString {
        guard let data = Data(base64URLEncoded: cursor), let token = try? JSONDecoder().decode(Token.self, from: data) else {
            throw InvalidCursor(reason: "The cursor is not one this API produced. Pass next_cursor from the previous page unchanged.")
        }
        guard token.s == sort.rawValue, token.o == order.rawValue, token.k.count == columns.count else {
            throw InvalidCursor(reason: "The cursor belongs to a list sorted by \(token.s) \(token.o); keep the same sort and order while paging.")
        }
        let op = order == .asc ? ">" : "<"
        if columns.count == 1 {
            return "t.\(unsafeRaw: columns[0]) \(unsafeRaw: op) \(bind: token.k[0])"
        }
        return "(t.\(unsafeRaw: columns[0]) \(unsafeRaw: op) \(bind: token.k[0]) OR (t.\(unsafeRaw: columns[0]) = \(bind: token.k[0]) AND t.\(unsafeRaw: columns[1]) \(unsafeRaw: op) \(bind: token.k[1])))"
    }
}

extension Data {
    func base64URLEncoded() -> String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init?(base64URLEncoded text: String) {
        guard text.count <= 512 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        self.init(base64Encoded: base64)
    }
}
