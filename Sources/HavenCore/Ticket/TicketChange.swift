import Foundation

public enum MessageVisibility: String, Codable, Sendable, CaseIterable {
    /// Seen by the customer.
    case `public`
    /// An internal note, seen by agents only.
    case `internal`
}

/// One entry of a ticket's append-only event log: what changed, from what, to what.
public enum TicketChange: Sendable, Equatable {
    case created(TicketState)
    case messageAdded(messageID: String, author: Actor, visibility: MessageVisibility)
    case statusChanged(from: TicketStatus, to: TicketStatus)
    case priorityChanged(from: TicketPriority, to: TicketPriority)
    case queueChanged(from: String?, to: String?)
    case assigneeChanged(from: String?, to: String?)
    case tagsChanged(from: [String], to: [String])
    /// This ticket follows up an earlier one (a reply to a long-closed ticket opens a new, linked ticket).
    case linked(ticketID: String, number: Int, reason: String)
    /// An email to the customer could not be delivered, for good (the server said 5xx, or retries ran out).
    case mailFailed(messageID: String?, recipient: String, reason: String)
    /// Triage found risk in a customer's message (the ticket's risk is the highest of its messages').
    case riskDetected(messageID: String, level: RiskLevel, harms: [Harm])
    /// An agent set the ticket's topic (triage's suggestion stays on the ticket, for the triage quality report).
    case topicChanged(from: Topic?, to: Topic?)
    /// An agent corrected the ticket's language.
    case languageChanged(from: String?, to: String?)
    /// An agent corrected triage's risk: a false alarm taken down, or a harm it missed.
    case riskCorrected(from: RiskLevel, to: RiskLevel, harmsFrom: [Harm], harmsTo: [Harm])
    /// Intake's routing: the queue and the rule that chose it, the SLA policy, and the computed priority, each explained.
    case routed(RoutingNote)
    /// Haven offered the ticket to an agent (push assignment), until `expiresAt`, saying why them.
    case offered(agentID: String, expiresAt: String, why: String)
    /// An offer ended: accepted, declined, expired unanswered, or withdrawn (the agent went offline, someone took it).
    case offerEnded(agentID: String, outcome: OfferOutcome)
    /// An SLA target is about to fall due, or has.
    case slaWarning(metric: SLAMeasure.Metric, dueAt: String)
    case slaBreached(metric: SLAMeasure.Metric, dueAt: String)
    /// A live chat ended (the customer left or the agent closed it); the ticket stays, and can go on by email.
    case chatEnded(by: ActorKind)
    /// The chat's transcript was queued to be emailed to the customer (they asked, or an agent sent it).
    case transcriptSent(by: ActorKind)

    /// Every `type` an event can have (the API document lists the same; a test holds them together).
    public static let types = [
        "ticket.created", "message.added", "status.changed", "priority.changed", "queue.changed", "assignee.changed", "tags.changed",
        "ticket.linked", "mail.failed", "risk.detected", "topic.changed", "language.changed", "risk.corrected", "ticket.routed", "offer.made",
        "offer.ended", "sla.warning", "sla.breached", "chat.ended",
        "chat.transcript_sent",
    ]

    /// The stable name stored in `ticket_events.type`.
    public var type: String {
        switch self {
        case .created: "ticket.created"
        case .messageAdded: "message.added"
        case .statusChanged: "status.changed"
        case .priorityChanged: "priority.changed"
        case .queueChanged: "queue.changed"
        case .assigneeChanged: "assignee.changed"
        case .tagsChanged: "tags.changed"
        case .linked: "ticket.linked"
        case .mailFailed: "mail.failed"
        case .riskDetected: "risk.detected"
        case .topicChanged: "topic.changed"
        case .languageChanged: "language.changed"
        case .riskCorrected: "risk.corrected"
        case .routed: "ticket.routed"
        case .offered: "offer.made"
        case .offerEnded: "offer.ended"
        case .slaWarning: "sla.warning"
        case .slaBreached: "sla.breached"
        case .chatEnded: "chat.ended"
        case .transcriptSent: "chat.transcript_sent"
        }
    }
}

extension TicketChange {
    /// Whether the customer sees this change in their app (a new request, a public message, a status, the end of
    /// their chat): what the in-app updates feed carries. Internal notes, queues, assignees and triage stay inside.
    public var isVisibleToCustomer: Bool {
        switch self {
        case .created, .statusChanged, .chatEnded: true
        case .messageAdded(_, _, let visibility): visibility == .public
        default: false
        }
    }
}

// MARK: - Payload encoding: each change is stored as its type name plus a small JSON object.

private struct FromTo<Value: Codable>: Codable {
    var from: Value
    var to: Value
}

private struct MessagePayload: Codable {
    var messageID: String
    var author: Actor
    var visibility: MessageVisibility
    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case author, visibility
    }
}

private struct LinkPayload: Codable {
    var ticketID: String
    var number: Int
    var reason: String
    enum CodingKeys: String, CodingKey {
        case ticketID = "ticket_id"
        case number, reason
    }
}

private struct MailFailedPayload: Codable {
    var messageID: String?
    var recipient: String
    var reason: String
    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case recipient, reason
    }
}

private struct RiskPayload: Codable {
    var messageID: String
    var level: RiskLevel
    var harms: [Harm]
    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case level, harms
    }
}

private struct RiskCorrectionPayload: Codable {
    var from: RiskLevel
    var to: RiskLevel
    var harmsFrom: [Harm]
    var harmsTo: [Harm]
    enum CodingKeys: String, CodingKey {
        case from, to
        case harmsFrom = "harms_from"
        case harmsTo = "harms_to"
    }
}

/// What intake decided and why: stored as the `ticket.routed` event.
public struct RoutingNote: Sendable, Equatable, Codable {
    public var queue: String?
    /// The routing rule that matched (1-based); nil for the default queue or a queue the request named.
    public var rule: Int?
    public var reason: String
    public var slaPolicy: String?
    public var priorityScore: Int
    public var priorityReasons: [String]

    public init(queue: String?, rule: Int?, reason: String, slaPolicy: String?, priorityScore: Int, priorityReasons: [String]) {
        self.queue = queue
        self.rule = rule
        self.reason = reason
        self.slaPolicy = slaPolicy
        self.priorityScore = priorityScore
        self.priorityReasons = priorityReasons
    }

    enum CodingKeys: String, CodingKey {
        case queue, rule, reason
        case slaPolicy = "sla_policy"
        case priorityScore = "priority_score"
        case priorityReasons = "priority_reasons"
    }
}

extension TicketChange {
    /// How times inside event payloads are written (an offer's expiry, an SLA deadline): ISO 8601, UTC, to the second.
    public static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}

public enum OfferOutcome: String, Sendable, Codable, CaseIterable {
    case accepted, declined, expired, withdrawn
}

private struct OfferPayload: Codable {
    var agentID: String
    var expiresAt: String?
    var why: String?
    var outcome: OfferOutcome?
    enum CodingKeys: String, CodingKey {
        case agentID = "agent_id"
        case expiresAt = "expires_at"
        case why, outcome
    }
}

/// Who ended a chat, or had its transcript sent.
private struct ChatEndedPayload: Codable {
    var by: ActorKind
}

private struct SLAPayload: Codable {
    var metric: SLAMeasure.Metric
    var dueAt: String
    enum CodingKeys: String, CodingKey {
        case metric
        case dueAt = "due_at"
    }
}

public enum TicketChangeCodingError: Error, Equatable {
    case unknownType(String)
}

extension TicketChange {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The JSON payload stored in `ticket_events.payload`.
    public func payloadJSON() -> String {
        let data: Data
        do {
            switch self {
            case .created(let state): data = try Self.encoder.encode(state)
            case .messageAdded(let id, let author, let visibility):
                data = try Self.encoder.encode(MessagePayload(messageID: id, author: author, visibility: visibility))
            case .statusChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .priorityChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .queueChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .assigneeChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .tagsChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .linked(let id, let number, let reason): data = try Self.encoder.encode(LinkPayload(ticketID: id, number: number, reason: reason))
            case .riskDetected(let id, let level, let harms): data = try Self.encoder.encode(RiskPayload(messageID: id, level: level, harms: harms))
            case .topicChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .languageChanged(let from, let to): data = try Self.encoder.encode(FromTo(from: from, to: to))
            case .riskCorrected(let from, let to, let harmsFrom, let harmsTo):
                data = try Self.encoder.encode(RiskCorrectionPayload(from: from, to: to, harmsFrom: harmsFrom, harmsTo: harmsTo))
            case .mailFailed(let id, let recipient, let reason):
                data = try Self.encoder.encode(MailFailedPayload(messageID: id, recipient: recipient, reason: reason))
            case .routed(let note): data = try Self.encoder.encode(note)
            case .offered(let agent, let expires, let why): data = try Self.encoder.encode(OfferPayload(agentID: agent, expiresAt: expires, why: why))
            case .offerEnded(let agent, let outcome): data = try Self.encoder.encode(OfferPayload(agentID: agent, outcome: outcome))
            case .slaWarning(let metric, let due), .slaBreached(let metric, let due): data = try Self.encoder.encode(SLAPayload(metric: metric, dueAt: due))
            case .chatEnded(let by), .transcriptSent(let by): data = try Self.encoder.encode(ChatEndedPayload(by: by))
            }
        } catch {
            // Every payload is built from plain strings and enums; encoding them cannot fail.
            preconditionFailure("encoding a ticket change failed: \(error)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a stored event back.
    public init(type: String, payloadJSON: String) throws {
        let data = Data(payloadJSON.utf8)
        let decoder = JSONDecoder()
        switch type {
        case "ticket.created": self = .created(try decoder.decode(TicketState.self, from: data))
        case "message.added":
            let payload = try decoder.decode(MessagePayload.self, from: data)
            self = .messageAdded(messageID: payload.messageID, author: payload.author, visibility: payload.visibility)
        case "status.changed":
            let change = try decoder.decode(FromTo<TicketStatus>.self, from: data)
            self = .statusChanged(from: change.from, to: change.to)
        case "priority.changed":
            let change = try decoder.decode(FromTo<TicketPriority>.self, from: data)
            self = .priorityChanged(from: change.from, to: change.to)
        case "queue.changed":
            let change = try decoder.decode(FromTo<String?>.self, from: data)
            self = .queueChanged(from: change.from, to: change.to)
        case "assignee.changed":
            let change = try decoder.decode(FromTo<String?>.self, from: data)
            self = .assigneeChanged(from: change.from, to: change.to)
        case "tags.changed":
            let change = try decoder.decode(FromTo<[String]>.self, from: data)
            self = .tagsChanged(from: change.from, to: change.to)
        case "ticket.linked":
            let link = try decoder.decode(LinkPayload.self, from: data)
            self = .linked(ticketID: link.ticketID, number: link.number, reason: link.reason)
        case "risk.detected":
            let risk = try decoder.decode(RiskPayload.self, from: data)
            self = .riskDetected(messageID: risk.messageID, level: risk.level, harms: risk.harms)
        case "topic.changed":
            let change = try decoder.decode(FromTo<Topic?>.self, from: data)
            self = .topicChanged(from: change.from, to: change.to)
        case "language.changed":
            let change = try decoder.decode(FromTo<String?>.self, from: data)
            self = .languageChanged(from: change.from, to: change.to)
        case "risk.corrected":
            let change = try decoder.decode(RiskCorrectionPayload.self, from: data)
            self = .riskCorrected(from: change.from, to: change.to, harmsFrom: change.harmsFrom, harmsTo: change.harmsTo)
        case "mail.failed":
            let failure = try decoder.decode(MailFailedPayload.self, from: data)
            self = .mailFailed(messageID: failure.messageID, recipient: failure.recipient, reason: failure.reason)
        case "ticket.routed": self = .routed(try decoder.decode(RoutingNote.self, from: data))
        case "offer.made":
            let offer = try decoder.decode(OfferPayload.self, from: data)
            self = .offered(agentID: offer.agentID, expiresAt: offer.expiresAt ?? "", why: offer.why ?? "")
        case "offer.ended":
            let offer = try decoder.decode(OfferPayload.self, from: data)
            self = .offerEnded(agentID: offer.agentID, outcome: offer.outcome ?? .withdrawn)
        case "sla.warning":
            let sla = try decoder.decode(SLAPayload.self, from: data)
            self = .slaWarning(metric: sla.metric, dueAt: sla.dueAt)
        case "sla.breached":
            let sla = try decoder.decode(SLAPayload.self, from: data)
            self = .slaBreached(metric: sla.metric, dueAt: sla.dueAt)
        case "chat.ended": self = .chatEnded(by: try decoder.decode(ChatEndedPayload.self, from: data).by)
        case "chat.transcript_sent": self = .transcriptSent(by: try decoder.decode(ChatEndedPayload.self, from: data).by)
        default:
            throw TicketChangeCodingError.unknownType(type)
        }
    }
}
