import Foundation
import HavenCore

/// How a caller names a ticket: its id, or the number people use ("#1042").
public enum TicketRef: Sendable, Equatable, CustomStringConvertible {
    case id(UUID)
    case number(Int)

    public init?(_ text: String) {
        if let uuid = UUID(uuidString: text) { self = .id(uuid) }
        else if let number = Int(text.hasPrefix("#") ? String(text.dropFirst()) : text), number > 0 { self = .number(number) }
        else { return nil }
    }

    public var description: String {
        switch self {
        case .id(let id): id.uuidString.lowercased()
        case .number(let number): "#\(number)"
        }
    }
}

public struct TicketListQuery: Sendable, Equatable {
    public enum Sort: String, Sendable, CaseIterable { case updated, created, priority }
    public enum Order: String, Sendable, CaseIterable { case asc, desc }
    public enum AssigneeFilter: Sendable, Equatable {
        case unassigned
        /// An agent id or email.
        case agent(String)
    }

    public var statuses: [TicketStatus] = []
    /// A queue's id, slug or name.
    public var queue: String?
    public var assignee: AssigneeFilter?
    public var channel: Channel?
    public var language: String?
    public var priority: TicketPriority?
    /// A contact's id, email or external id.
    public var requester: String?
    /// What the caller may see: tickets of a queue they may not see are left out (`TicketVisibility`).
    public var visibility: TicketVisibility?
    public var sort: Sort = .updated
    public var order: Order = .desc
    public var limit: Int = 25
    public var cursor: String?

    public init() {}
}

/// A change to a ticket's fields as the API expresses it: queues and agents by id, slug or email.
public struct TicketUpdate: Sendable, Equatable {
    public var status: TicketStatus?
    public var priority: TicketPriority?
    /// `.some(nil)` takes the ticket out of any queue.
    public var queue: String??
    /// `.some(nil)` unassigns.
    public var assignee: String??
    public var tags: [String]?
    /// Agents' corrections of triage (`.some(nil)` clears a topic or language).
    public var topic: Topic??
    public var language: String??
    public var risk: RiskCorrection?

    public init(status: TicketStatus? = nil, priority: TicketPriority? = nil, queue: String?? = nil, assignee: String?? = nil, tags: [String]? = nil) {
        self.status = status
        self.priority = priority
        self.queue = queue
        self.assignee = assignee
        self.tags = tags
    }
}

public struct NewMessage: Sendable, Equatable {
    public var body: String
    public var visibility: MessageVisibility
    /// A status to move to with the message ("reply and set pending"), checked like any transition.
    public var status: TicketStatus?
    public var attachmentIDs: [UUID]
    /// Files stored in `AttachmentStore` whose rows are written with the message (mail attachments).
    public var newAttachments: [NewAttachment]
    /// False for mail nobody wrote (auto-replies, bounces): recorded, but it moves no status.
    public var movesStatus: Bool
    public var language: String?
    public var mail: MailMetadata?
    /// Triage's assessment of a customer's message; risk raises the ticket's (and a critical one its priority).
    public var risk: RiskAssessment?
    /// A chat message's id as its sending client chose it: a second message with the same id on the ticket is not
    /// stored again; the first is answered, marked `duplicate`.
    public var clientID: String?

    public init(
        body: String, visibility: MessageVisibility, status: TicketStatus? = nil, attachmentIDs: [UUID] = [], newAttachments: [NewAttachment] = [],
        movesStatus: Bool = true, language: String? = nil, mail: MailMetadata? = nil, risk: RiskAssessment? = nil
    ) {
        self.risk = risk
        self.body = body
        self.visibility = visibility
        self.status = status
        self.attachmentIDs = attachmentIDs
        self.newAttachments = newAttachments
        self.movesStatus = movesStatus
        self.language = language
        self.mail = mail
    }
}

/// What a channel adds to a new ticket beyond the draft: files, the first message's language, the email it
/// came from, and the earlier ticket it follows up.
public struct TicketOrigin: Sendable {
    /// An earlier ticket this one continues (a reply to a long-closed ticket); recorded as a `ticket.linked` event.
    public struct FollowUp: Sendable {
        public var ticketID: UUID
        public var number: Int
        public var reason: String
        public init(ticketID: UUID, number: Int, reason: String) {
            self.ticketID = ticketID
            self.number = number
            self.reason = reason
        }
    }

    /// Uploaded files (`POST /attachments`) the first message claims.
    public var attachmentIDs: [UUID]
    /// Files stored in `AttachmentStore` whose rows are written with the first message (mail attachments).
    public var newAttachments: [NewAttachment]
    public var messageLanguage: String?
    public var mail: MailMetadata?
    public var followUpOf: FollowUp?
    /// Asks for an automatic acknowledgement to the requester, counted against a per-address daily cap in the
    /// ticket's own transaction (RFC 3834 loop protection); the answer says whether it was allowed.
    public var acknowledgement: AutomaticResponse?
    /// Triage's assessment of the first message.
    public var risk: RiskAssessment?
    /// The rules, SLA policies and priority computation to apply, and what the channel and triage know of the ticket;
    /// storage adds the contact's kind, tier and market, as stored, and applies the plan in the ticket's transaction.
    /// The queue a plan chooses is used when it exists and never refuses a request.
    public var routing: IntakeRouting?
    public var routingTicket: RoutingTicket?
    /// Triage's topic suggestion for the first message.
    public var topic: TopicSuggestion?
    /// The category, app, device and content the channel reported (in-app requests, the web form).
    public var details: RequestDetails?
    /// The customer who uploaded the claimed files, when they came through the app: files uploaded by anyone else
    /// (another customer, an agent) are refused.
    public var uploader: UUID?
    /// The request's `Idempotency-Key`, written with the ticket; a key already held refuses the request with
    /// `IdempotencyConflict`.
    public var idempotency: IdempotencyReservation?
    /// A live chat starts with this ticket: the SHA-256 (hex) of the customer's conversation token, written with it.
    public var chatTokenHash: String?

    public init(
        attachmentIDs: [UUID] = [], newAttachments: [NewAttachment] = [], messageLanguage: String? = nil, mail: MailMetadata? = nil,
        followUpOf: FollowUp? = nil, acknowledgement: AutomaticResponse? = nil
    ) {
        self.acknowledgement = acknowledgement
        self.attachmentIDs = attachmentIDs
        self.newAttachments = newAttachments
        self.messageLanguage = messageLanguage
        self.mail = mail
        self.followUpOf = followUpOf
    }
}

/// A ticket, message or other record that was asked for by id and does not exist.
public struct RecordNotFound: Error, Sendable, Equatable {
    public var kind: String
    public var reference: String
    public init(kind: String, reference: String) {
        self.kind = kind
        self.reference = reference
    }
}

/// A pagination cursor that was not produced by this list or no longer fits it.
public struct InvalidCursor: Error, Sendable, Equatable {
    public var reason: String
}

/// Tickets, their conversations and their event logs.
public protocol TicketRepository: Sendable {
    /// Stores a new ticket from a validated draft: finds or creates the contact, numbers the ticket,
    /// writes the first message and the `ticket.created` and `message.added` events, in one transaction.
    func create(_ draft: NewTicketDraft, actor: Actor, origin: TicketOrigin) async throws -> TicketRecord
    /// One ticket with its messages (internal notes included when asked).
    func find(_ ref: TicketRef, includeInternal: Bool) async throws -> TicketRecord?
    /// One ticket without its messages (one query): for deciding where something goes, such as mail threading.
    func summary(_ ref: TicketRef) async throws -> TicketRecord?
    func list(_ query: TicketListQuery) async throws -> Page<TicketRecord>
    /// The ticket's event log, oldest first; nil if there is no such ticket.
    func events(of ref: TicketRef) async throws -> [TicketEventRecord]?
    func addMessage(to ref: TicketRef, _ message: NewMessage, actor: Actor) async throws -> MessageRecord
    func update(_ ref: TicketRef, with update: TicketUpdate, actor: Actor) async throws -> TicketRecord
}

extension TicketRepository {
    public func create(_ draft: NewTicketDraft, actor: Actor) async throws -> TicketRecord {
        try await create(draft, actor: actor, origin: TicketOrigin())
    }
}
