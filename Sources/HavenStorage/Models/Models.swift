import FluentKit
import Foundation

// Fluent models are storage details: they stay inside this module and the rest of Haven
// sees the Sendable records in Records/. They are `@unchecked Sendable` because Fluent's
// property wrappers defeat Sendable checking; a model instance never crosses tasks here.

final class TeamModel: Model, @unchecked Sendable {
    static let schema = "teams"
    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class AgentModel: Model, @unchecked Sendable {
    static let schema = "agents"
    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    /// JSON array of `AgentRole` raw values.
    @Field(key: "roles") var roles: String
    /// JSON array of language tags the agent works in.
    @Field(key: "languages") var languages: String
    @OptionalField(key: "team_id") var teamID: UUID?
    @Field(key: "active") var active: Bool
    /// `AgentSkills` and `AgentCapacity` as JSON; nil: `languages` at fluent, and the default capacity.
    @OptionalField(key: "skills") var skills: String?
    @OptionalField(key: "capacity") var capacity: String?
    @Field(key: "presence") var presence: String
    @OptionalField(key: "presence_at") var presenceAt: Date?
    @OptionalField(key: "active_at") var activeAt: Date?
    @Field(key: "presence_by_haven") var presenceByHaven: Bool
    /// When the agent last got a ticket: "longest idle" assignment reads it.
    @OptionalField(key: "last_assigned_at") var lastAssignedAt: Date?
    /// Failed web sign-ins since the last success or lockout; at `SignInPolicy.maximumFailures` the agent is locked out.
    @Field(key: "failed_sign_ins") var failedSignIns: Int
    @OptionalField(key: "locked_until") var lockedUntil: Date?
    /// The workspace's language for this agent (en, pt-BR, ar, fr); nil: the browser's.
    @OptionalField(key: "locale") var locale: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

final class WebSessionModel: Model, @unchecked Sendable {
    static let schema = "web_sessions"
    @ID(key: .id) var id: UUID?
    /// SHA-256 of the cookie's value: a stolen database holds no usable session.
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "agent_id") var agentID: UUID
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "user_agent") var userAgent: String?
    init() {}
}

final class ContactModel: Model, @unchecked Sendable {
    static let schema = "contacts"
    @ID(key: .id) var id: UUID?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "external_id") var externalID: String?
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "locale") var locale: String?
    @Field(key: "kind") var kind: String
    @OptionalField(key: "tier") var tier: String?
    @OptionalField(key: "market") var market: String?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

final class QueueModel: Model, @unchecked Sendable {
    static let schema = "queues"
    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @OptionalField(key: "team_id") var teamID: UUID?
    @Field(key: "is_default") var isDefault: Bool
    /// The address mail from this queue comes from (and replies go to); nil: the installation's.
    @OptionalField(key: "email_address") var emailAddress: String?
    @OptionalField(key: "email_name") var emailName: String?
    /// Whether new email tickets in this queue get an automatic acknowledgement.
    @Field(key: "acknowledge_email") var acknowledgeEmail: Bool
    /// `QueueAssignment` as JSON; nil: pull, the defaults.
    @OptionalField(key: "assignment") var assignment: String?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class TicketModel: Model, @unchecked Sendable {
    static let schema = "tickets"
    @ID(key: .id) var id: UUID?
    @Field(key: "number") var number: Int
    @Field(key: "subject") var subject: String
    @Field(key: "status") var status: String
    @Field(key: "priority") var priority: String
    /// `TicketPriority.rank`, so lists can sort by priority.
    @Field(key: "priority_rank") var priorityRank: Int
    @Field(key: "channel") var channel: String
    @OptionalField(key: "language") var language: String?
    @OptionalField(key: "queue_id") var queueID: UUID?
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @Field(key: "requester_id") var requesterID: UUID
    /// JSON array of normalized tags.
    @Field(key: "tags") var tags: String
    /// Global, increasing on every change to any ticket: the keyset for "sort by updated".
    @Field(key: "change_seq") var changeSeq: Int
    /// The `seq` of this ticket's newest event; the next event gets `last_event_seq + 1`.
    @Field(key: "last_event_seq") var lastEventSeq: Int
    /// The highest risk of its messages, and their harms (JSON list).
    @Field(key: "risk_level") var riskLevel: String
    @Field(key: "harms") var harms: String
    /// The topic agents set; triage's suggestion and how sure it was.
    @OptionalField(key: "topic") var topic: String?
    @OptionalField(key: "suggested_topic") var suggestedTopic: String?
    @OptionalField(key: "topic_confidence") var topicConfidence: Double?
    /// `RequestDetails` as JSON: the category, app, device and content a channel reported.
    @OptionalField(key: "details") var details: String?
    /// `PriorityScore` at intake (score and its reasons, JSON list): the inbox and "Get next" sort by it after priority.
    @Field(key: "priority_score") var priorityScore: Int
    @OptionalField(key: "priority_reasons") var priorityReasons: String?
    /// Why routing chose the queue ("rule 3 'BR · Account access': …").
    @OptionalField(key: "routing_reason") var routingReason: String?
    /// When the ticket entered its queue: skills relax after the queue's wait.
    @OptionalField(key: "queued_at") var queuedAt: Date?
    /// An open offer: to whom, until when; and who passed on it (JSON list of agent ids).
    @OptionalField(key: "offered_to") var offeredTo: UUID?
    @OptionalField(key: "offer_expires_at") var offerExpiresAt: Date?
    @OptionalField(key: "passed_by") var passedBy: String?
    /// The SLA policy chosen at intake, the nearest running target, its state, and when the SLA watcher looks next.
    @OptionalField(key: "sla_policy") var slaPolicy: String?
    @OptionalField(key: "sla_due_at") var slaDueAt: Date?
    @OptionalField(key: "sla_state") var slaState: String?
    @OptionalField(key: "sla_check_at") var slaCheckAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// The saved columns' values as the row holds them (set by `TicketModel.read` and by every save), so a save writes
    /// only those that changed (not a Fluent field: never read or written as a column). Nil for a ticket read
    /// otherwise: it is saved whole.
    var valuesAsRead: [AnyHashable]?
    init() {}
}

final class MessageModel: Model, @unchecked Sendable {
    static let schema = "messages"
    @ID(key: .id) var id: UUID?
    @Field(key: "ticket_id") var ticketID: UUID
    @Field(key: "author_kind") var authorKind: String
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "visibility") var visibility: String
    @Field(key: "body") var body: String
    /// The ticket's event seq when the message was added: orders a conversation exactly.
    @Field(key: "seq") var seq: Int
    /// Saves a query per read when, as usual, a message has no attachments.
    @Field(key: "attachment_count") var attachmentCount: Int
    /// The message's detected language (BCP 47), when known.
    @OptionalField(key: "language") var language: String?
    @Field(key: "created_at") var createdAt: Date
    /// Triage of a customer's message: none | medium | high | critical, the harms (JSON list), the signals (JSON).
    @OptionalField(key: "risk_level") var riskLevel: String?
    @OptionalField(key: "harms") var harms: String?
    @OptionalField(key: "risk_signals") var riskSignals: String?
    /// Triage's topic suggestion for a ticket's first message.
    @OptionalField(key: "topic") var topic: String?
    @OptionalField(key: "topic_confidence") var topicConfidence: Double?
    /// A chat message's id as its sending client chose it: unique per ticket, so a resend is stored once.
    @OptionalField(key: "client_id") var clientID: String?
    init() {}
}

final class MailMessageModel: Model, @unchecked Sendable {
    static let schema = "mail_messages"
    @ID(key: .id) var id: UUID?
    @Field(key: "rfc_message_id") var rfcMessageID: String
    @Field(key: "direction") var direction: String
    @Field(key: "ticket_id") var ticketID: UUID
    @OptionalField(key: "message_id") var messageID: UUID?
    @OptionalField(key: "from_address") var fromAddress: String?
    @Field(key: "subject") var subject: String
    @Field(key: "full_text") var fullText: String
    @OptionalField(key: "html") var html: String?
    @OptionalField(key: "raw_sha256") var rawSHA256: String?
    @Field(key: "raw_size") var rawSize: Int
    @OptionalField(key: "automatic") var automatic: String?
    @Field(key: "created_at") var createdAt: Date
    // Mail Haven sends: reply, acknowledgement or solved; queued, sent or failed; to whom; the server's last word.
    @OptionalField(key: "kind") var kind: String?
    @OptionalField(key: "delivery_status") var deliveryStatus: String?
    @OptionalField(key: "delivery_detail") var deliveryDetail: String?
    @OptionalField(key: "recipient") var recipient: String?
    init() {}
}

final class QuarantineModel: Model, @unchecked Sendable {
    static let schema = "mail_quarantine"
    @ID(key: .id) var id: UUID?
    @Field(key: "raw_sha256") var rawSHA256: String
    @Field(key: "raw_size") var rawSize: Int
    @Field(key: "reason") var reason: String
    @Field(key: "source") var source: String
    @OptionalField(key: "queue") var queue: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

final class AttachmentModel: Model, @unchecked Sendable {
    static let schema = "attachments"
    @ID(key: .id) var id: UUID?
    @Field(key: "sha256") var sha256: String
    @Field(key: "size") var size: Int
    @Field(key: "content_type") var contentType: String
    @Field(key: "filename") var filename: String
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @OptionalField(key: "message_id") var messageID: UUID?
    @OptionalField(key: "uploaded_by") var uploadedBy: UUID?
    /// The customer who uploaded it through the app (only they may attach it).
    @OptionalField(key: "contact_id") var contactID: UUID?
    @Field(key: "created_at") var createdAt: Date
    init() {}
}

final class TicketEventModel: Model, @unchecked Sendable {
    static let schema = "ticket_events"
    @ID(key: .id) var id: UUID?
    @Field(key: "ticket_id") var ticketID: UUID
    /// 1, 2, 3, … per ticket; unique with `ticket_id`, which also makes concurrent writers to one ticket collide safely.
    @Field(key: "seq") var seq: Int
    @Field(key: "actor_kind") var actorKind: String
    @OptionalField(key: "actor_id") var actorID: String?
    @Field(key: "type") var type: String
    @Field(key: "payload") var payload: String
    @Field(key: "created_at") var createdAt: Date
    /// For a change the customer sees: the requester, and that contact's own increasing number for it (the
    /// in-app updates cursor; numbered under the contact's row lock, so in commit order on PostgreSQL too).
    @OptionalField(key: "feed_contact_id") var feedContactID: UUID?
    @OptionalField(key: "feed_seq") var feedSeq: Int?
    init() {}
}

final class APITokenModel: Model, @unchecked Sendable {
    static let schema = "api_tokens"
    @ID(key: .id) var id: UUID?
    @Field(key: "agent_id") var agentID: UUID
    @Field(key: "name") var name: String
    /// SHA-256 of the token, hex. The token itself is shown once and never stored.
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    init() {}
}

final class OutboxModel: Model, @unchecked Sendable {
    static let schema = "outbox"
    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "payload") var payload: String
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @Field(key: "available_at") var availableAt: Date
    @OptionalField(key: "last_error") var lastError: String?
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    init() {}
}

final class MailTemplateModel: Model, @unchecked Sendable {
    static let schema = "mail_templates"
    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "locale") var locale: String
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @OptionalField(key: "updated_by") var updatedBy: UUID?
    @Field(key: "updated_at") var updatedAt: Date
    init() {}
}

final class NotificationModel: Model, @unchecked Sendable {
    static let schema = "notifications"
    @ID(key: .id) var id: UUID?
    @Field(key: "agent_id") var agentID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "ticket_id") var ticketID: UUID?
    @Field(key: "text") var text: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    init() {}
}
