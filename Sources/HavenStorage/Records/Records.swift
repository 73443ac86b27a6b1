import Foundation
import HavenCore

// What the rest of Haven sees of stored data: plain Sendable values, encoded by the API as they are
// (property names become snake_case keys).

public struct ContactRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var email: String?
    public var externalID: String?
    public var name: String?
    public var locale: String?
    public var kind: ContactKind
    public var tier: String?
    public var market: String?
}

public struct AgentRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var email: String
    public var name: String
    public var roles: [AgentRole]
    public var languages: [String]
    public var teamID: UUID?
    public var active: Bool

    public func has(_ role: AgentRole) -> Bool { roles.contains(role) }
}

public struct AgentSummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
    public var email: String
}

public struct QueueRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
    public var teamID: UUID?
    public var isDefault: Bool
    /// The address this queue's mail comes from and replies go to; nil: the installation's (`--mail-from`).
    public var emailAddress: String?
    public var emailName: String?
    /// Whether new email tickets here get an automatic acknowledgement.
    public var acknowledgeEmail: Bool
}

/// A change to a queue's email settings; nil leaves a field as it is, "" clears it.
public struct QueueMailSettings: Sendable, Equatable {
    public var emailAddress: String?
    public var emailName: String?
    public var acknowledgeEmail: Bool?

    public init(emailAddress: String? = nil, emailName: String? = nil, acknowledgeEmail: Bool? = nil) {
        self.emailAddress = emailAddress
        self.emailName = emailName
        self.acknowledgeEmail = acknowledgeEmail
    }
}

public struct QueueSummary: Codable, Sendable, Equatable {
    public var id: UUID
    public var slug: String
    public var name: String
}

public struct AttachmentRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var sha256: String
    public var size: Int
    public var contentType: String
    public var filename: String
    public var ticketID: UUID?
    public var messageID: UUID?
}

public struct MessageRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var ticketID: UUID
    public var author: Actor
    public var visibility: MessageVisibility
    public var body: String
    /// The language the message is written in, when detected.
    public var language: String?
    public var createdAt: Date
    public var attachments: [AttachmentRecord]
    /// The email that carries this message to the customer, and how its delivery went.
    public var email: MessageEmail? = nil
    /// Triage's risk assessment of a customer's message, when it found any.
    public var risk: MessageRisk? = nil
    /// Triage's topic suggestion (a ticket's first message).
    public var topic: TopicSuggestion? = nil
    /// The ticket's event number when the message was added (a chat's sequence number).
    public var seq: Int = 0
    /// A chat message's id as its sending client chose it.
    public var clientID: String? = nil
    /// True when this message had been stored before, under the same client id: the answer to a resend.
    public var duplicate: Bool = false
}

/// What risk triage found in a message, and why (signals an agent can read).
public struct MessageRisk: Codable, Sendable, Equatable {
    public var level: RiskLevel
    public var harms: [Harm]
    public var signals: [String]

    public init(level: RiskLevel, harms: [Harm], signals: [String]) {
        self.level = level
        self.harms = harms
        self.signals = signals
    }

    public init(_ assessment: RiskAssessment) {
        self.init(level: assessment.level, harms: assessment.harms, signals: assessment.signals.map(\.description))
    }
}

/// An outgoing email's delivery, as agents see it on the message it carries.
public struct MessageEmail: Codable, Sendable, Equatable {
    /// Without angle brackets.
    public var messageID: String
    /// queued, sent or failed.
    public var status: String
    /// The server's answer, or why it failed.
    public var detail: String?
    public var recipient: String?
}

public struct TicketRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var number: Int
    public var subject: String
    public var status: TicketStatus
    public var priority: TicketPriority
    public var channel: Channel
    public var language: String?
    public var queue: QueueSummary?
    public var assignee: AgentSummary?
    public var requester: ContactRecord
    public var tags: [String]
    public var createdAt: Date
    public var updatedAt: Date
    /// Present when one ticket is read; absent in lists.
    public var messages: [MessageRecord]?
    /// Only in the answer to a create that asked for an acknowledgement: whether it was within the daily cap.
    public var acknowledged: Bool?
    /// The highest risk triage found in the ticket's messages, and their harms.
    public var riskLevel: RiskLevel = .none
    public var harms: [Harm] = []
    /// The topic agents set (nil until one does), and triage's suggestion.
    public var topic: Topic? = nil
    public var suggestedTopic: TopicSuggestion? = nil
    /// What the channel reported besides the text: category, app, device, linked content.
    public var details: RequestDetails? = nil
    /// The computed priority's score and reasons (the inbox and "Get next" sort by priority, then score).
    public var priorityScore: Int = 0
    public var priorityReasons: [String] = []
    /// Why routing chose the queue.
    public var routingReason: String? = nil
    public var sla: TicketSLA? = nil
    /// An open offer (push assignment) and who passed on it.
    public var offer: TicketOffer? = nil

    /// The ticket's changeable fields, in the event log's terms.
    public var state: TicketState {
        TicketState(
            subject: subject, channel: channel, status: status, priority: priority, language: language,
            queueID: queue?.id.uuidString, assigneeID: assignee?.id.uuidString, requesterID: requester.id.uuidString, tags: tags, topic: topic)
    }
}

public struct TicketEventRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var seq: Int
    public var type: String
    public var actor: Actor
    public var payload: JSONValue
    public var createdAt: Date

    /// The event as a domain change, for replay.
    public func change() throws -> TicketChange {
        try TicketChange(type: type, payloadJSON: payload.jsonString)
    }
}

/// A page of a list, and the opaque cursor for the next one (nil at the end).
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public var items: [Item]
    public var nextCursor: String?
}

/// Where a ticket's SLA stands: the policy, the nearest open deadline, the worst state of its targets.
public struct TicketSLA: Codable, Sendable, Equatable {
    public var policy: String
    public var dueAt: Date?
    public var state: SLAMeasure.State?
}

public struct TicketOffer: Codable, Sendable, Equatable {
    public var agentID: UUID
    public var expiresAt: Date?
}
