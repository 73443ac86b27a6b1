/// The fields of a ticket that change over its life, as the event log records them.
///
/// The stored ticket row is a cache of this state: folding a ticket's events with
/// `TicketState.replay(_:)` gives the same values, which is how the audit trail is checked.
public struct TicketState: Codable, Sendable, Equatable {
    public var subject: String
    public var channel: Channel
    public var status: TicketStatus
    public var priority: TicketPriority
    public var language: String?
    public var queueID: String?
    public var assigneeID: String?
    public var requesterID: String
    public var tags: [String]
    /// The support category agents set (triage only suggests one).
    public var topic: Topic?

    public init(
        subject: String, channel: Channel, status: TicketStatus = .new, priority: TicketPriority = .normal,
        language: String? = nil, queueID: String? = nil, assigneeID: String? = nil, requesterID: String, tags: [String] = [], topic: Topic? = nil
    ) {
        self.topic = topic
        self.subject = subject
        self.channel = channel
        self.status = status
        self.priority = priority
        self.language = language
        self.queueID = queueID
        self.assigneeID = assigneeID
        self.requesterID = requesterID
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case subject, channel, status, priority, language, tags, topic
        case queueID = "queue_id"
        case assigneeID = "assignee_id"
        case requesterID = "requester_id"
    }
}

/// A change an agent asks for. `nil` leaves a field alone; `.some(nil)` clears a nullable one.
public struct TicketPatch: Sendable, Equatable {
    public var status: TicketStatus?
    public var priority: TicketPriority?
    public var queueID: String??
    public var assigneeID: String??
    public var tags: [String]?
    /// An agent's correction of triage: `.some(nil)` clears.
    public var topic: Topic??
    public var language: String??

    public init(
        status: TicketStatus? = nil, priority: TicketPriority? = nil, queueID: String?? = nil,
        assigneeID: String?? = nil, tags: [String]? = nil, topic: Topic?? = nil, language: String?? = nil
    ) {
        self.topic = topic
        self.language = language
        self.status = status
        self.priority = priority
        self.queueID = queueID
        self.assigneeID = assigneeID
        self.tags = tags
    }

    public var isEmpty: Bool {
        status == nil && priority == nil && queueID == nil && assigneeID == nil && tags == nil && topic == nil && language == nil
    }
}

extension TicketState {
    /// The events that applying `patch` produces, in order, or a domain error.
    /// Fields that would not change produce no event, so a repeated PATCH is harmless.
    public func changes(applying patch: TicketPatch) throws(DomainError) -> [TicketChange] {
        if status == .closed, !patch.isEmpty { throw .ticketClosed }
        var changes: [TicketChange] = []
        if let next = patch.status, next != status {
            guard status.canTransition(to: next) else { throw .forbiddenTransition(from: status, to: next) }
            changes.append(.statusChanged(from: status, to: next))
        }
        if let next = patch.priority, next != priority {
            changes.append(.priorityChanged(from: priority, to: next))
        }
        if let next = patch.queueID, next != queueID {
            changes.append(.queueChanged(from: queueID, to: next))
        }
        if let next = patch.assigneeID, next != assigneeID {
            changes.append(.assigneeChanged(from: assigneeID, to: next))
        }
        if let requested = patch.tags {
            let next = try TagList.normalize(requested, field: "tags")
            if next != tags { changes.append(.tagsChanged(from: tags, to: next)) }
        }
        if let next = patch.topic, next != topic {
            changes.append(.topicChanged(from: topic, to: next))
        }
        if let requested = patch.language {
            let next = try requested.map { value throws(DomainError) -> String in
                guard let tag = LocaleTag.normalize(value) else {
                    throw .invalid([FieldProblem(field: "language", problem: "'\(value)' is not a language tag; use one like en, pt-BR, ar or fr.")])
                }
                return tag
            }
            if next != language { changes.append(.languageChanged(from: language, to: next)) }
        }
        return changes
    }

    /// The status a new message moves the ticket to, if any.
    ///
    /// A customer writing again reopens a ticket that was waiting on them or solved;
    /// an agent's first public reply takes a new ticket to open. Internal notes change nothing.
    public func statusAfterMessage(by author: ActorKind, visibility: MessageVisibility) -> TicketStatus? {
        switch (author, visibility) {
        case (.contact, _):
            return [.pending, .onHold, .solved].contains(status) ? .open : nil
        case (.agent, .public):
            return status == .new ? .open : nil
        default:
            return nil
        }
    }

    /// A critical risk makes a ticket urgent: found in a customer's reply, or set by an agent's correction.
    public func escalation(for level: RiskLevel) -> TicketChange? {
        level == .critical && priority != .urgent ? .priorityChanged(from: priority, to: .urgent) : nil
    }

    /// Applies one recorded change.
    public mutating func apply(_ change: TicketChange) {
        switch change {
        case .created(let initial): self = initial
        case .messageAdded, .linked, .mailFailed, .riskDetected, .riskCorrected, .routed, .offered, .offerEnded, .slaWarning, .slaBreached, .chatEnded, .transcriptSent: break
        case .topicChanged(_, let to): topic = to
        case .languageChanged(_, let to): language = to
        case .statusChanged(_, let to): status = to
        case .priorityChanged(_, let to): priority = to
        case .queueChanged(_, let to): queueID = to
        case .assigneeChanged(_, let to): assigneeID = to
        case .tagsChanged(_, let to): tags = to
        }
    }

    /// Rebuilds a ticket's state from its whole event log; nil if the log does not start with `created`.
    public static func replay(_ changes: [TicketChange]) -> TicketState? {
        guard case .created(var state) = changes.first else { return nil }
        for change in changes.dropFirst() { state.apply(change) }
        return state
    }
}

/// An agent's verdict on a ticket's risk: the level and harms it really has ("none" and no harms for a false alarm).
public struct RiskCorrection: Sendable, Equatable {
    public var level: RiskLevel
    public var harms: [Harm]

    public init(level: RiskLevel, harms: [Harm]) {
        self.level = level
        self.harms = harms
    }

    /// The events correcting a ticket whose risk is `current`: nothing when the verdict agrees; a critical verdict also
    /// makes the ticket urgent, unless the same change sets the priority itself.
    public func changes(from current: (level: RiskLevel, harms: [Harm]), state: TicketState, settingPriority: Bool) throws(DomainError) -> [TicketChange] {
        guard (level == .none) == harms.isEmpty else {
            throw .invalid([FieldProblem(field: "harms", problem: "A risk level of none goes with no harms, and medium, high or critical with at least one.")])
        }
        guard level != current.level || Set(harms) != Set(current.harms) else { return [] }
        var changes: [TicketChange] = [.riskCorrected(from: current.level, to: level, harmsFrom: current.harms, harmsTo: harms)]
        if !settingPriority, let escalation = state.escalation(for: level) { changes.append(escalation) }
        return changes
    }
}
