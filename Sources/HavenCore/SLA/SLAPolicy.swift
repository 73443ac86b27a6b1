import Foundation

/// The times an SLA promises, in business time; nil: not promised.
public struct SLATargets: Sendable, Equatable, Codable {
    public var firstReply: TimeInterval?
    public var nextReply: TimeInterval?
    /// While a ticket is open, an agent's public message at least this often.
    public var periodicUpdate: TimeInterval?
    public var resolution: TimeInterval?

    public init(firstReply: TimeInterval? = nil, nextReply: TimeInterval? = nil, periodicUpdate: TimeInterval? = nil, resolution: TimeInterval? = nil) {
        self.firstReply = firstReply
        self.nextReply = nextReply
        self.periodicUpdate = periodicUpdate
        self.resolution = resolution
    }

    enum CodingKeys: String, CodingKey {
        case firstReply = "first_reply_seconds"
        case nextReply = "next_reply_seconds"
        case periodicUpdate = "periodic_update_seconds"
        case resolution = "resolution_seconds"
    }
}

/// An SLA policy: which tickets it covers (the same conditions as routing rules: language, tier, risk…), what it
/// promises, in which hours, and how long before a breach to warn.
public struct SLAPolicy: Sendable, Equatable, Codable {
    public var name: String
    public var conditions: [RoutingCondition]
    public var targets: SLATargets
    public var calendar: BusinessCalendar
    public var warnBefore: TimeInterval
    /// What happens when a target is breached, in order.
    public var onBreach: [SLABreachAction]

    public init(
        name: String, conditions: [RoutingCondition], targets: SLATargets, calendar: BusinessCalendar, warnBefore: TimeInterval = 15 * 60,
        onBreach: [SLABreachAction] = []
    ) {
        self.name = name
        self.conditions = conditions
        self.targets = targets
        self.calendar = calendar
        self.warnBefore = warnBefore
        self.onBreach = onBreach
    }

    enum CodingKeys: String, CodingKey {
        case name, conditions, targets, calendar
        case warnBefore = "warn_before_seconds"
        case onBreach = "on_breach"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        conditions = try container.decodeIfPresent([RoutingCondition].self, forKey: .conditions) ?? []
        targets = try container.decode(SLATargets.self, forKey: .targets)
        calendar = try container.decodeIfPresent(BusinessCalendar.self, forKey: .calendar) ?? .alwaysOpen()
        warnBefore = try container.decodeIfPresent(TimeInterval.self, forKey: .warnBefore) ?? 15 * 60
        onBreach = try container.decodeIfPresent([SLABreachAction].self, forKey: .onBreach) ?? []
    }

    /// Every problem with an ordered policy list, checked on save: names, conditions, calendars, targets, actions'
    /// queues, and policies hidden behind one without conditions.
    public static func problems(_ policies: [SLAPolicy], queues: Set<String>) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        var names: Set<String> = []
        for (index, policy) in policies.enumerated() {
            let path = "policies[\(index)]"
            if policy.name.trimmingCharacters(in: .whitespaces).isEmpty || policy.name.count > 200 {
                problems.append(FieldProblem(field: "\(path).name", problem: "A policy has a name of 1 to 200 characters."))
            }
            if !names.insert(policy.name).inserted { problems.append(FieldProblem(field: "\(path).name", problem: "Another policy is called '\(policy.name)'.")) }
            for (position, condition) in policy.conditions.enumerated() { problems += condition.problems(at: "\(path).conditions[\(position)]") }
            problems += policy.calendar.problems(field: "\(path).calendar")
            let targets = [policy.targets.firstReply, policy.targets.nextReply, policy.targets.periodicUpdate, policy.targets.resolution]
            if targets.allSatisfy({ $0 == nil }) { problems.append(FieldProblem(field: "\(path).targets", problem: "Give at least one target.")) }
            if targets.contains(where: { ($0 ?? 1) <= 0 }) { problems.append(FieldProblem(field: "\(path).targets", problem: "Targets are positive numbers of seconds.")) }
            if policy.warnBefore < 0 { problems.append(FieldProblem(field: "\(path).warn_before_seconds", problem: "Zero or more seconds.")) }
            for (position, action) in policy.onBreach.enumerated() { problems += action.problems(at: "\(path).on_breach[\(position)]", queues: queues) }
            if let catchAll = policies[..<index].firstIndex(where: { $0.conditions.isEmpty }) {
                problems.append(FieldProblem(field: path, problem: "Policy \(catchAll + 1) has no conditions and covers every ticket first; this policy never applies."))
            }
        }
        return problems
    }

    /// The first policy whose conditions all hold.
    public static func choose(for ticket: RoutingTicket, among policies: [SLAPolicy]) -> SLAPolicy? {
        policies.first { $0.conditions.allSatisfy { $0.matches(ticket) } }
    }
}

/// What Haven does when an SLA target is breached: tell the team's leads, raise the priority, move the ticket.
public struct SLABreachAction: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case notifyLeads = "notify_leads"
        case raisePriority = "raise_priority"
        case moveQueue = "move_queue"
    }

    public var action: Kind
    /// For `raise_priority`: the priority to raise to (urgent when absent).
    public var priority: TicketPriority?
    /// For `move_queue`: the queue's slug.
    public var queue: String?

    public init(_ action: Kind, priority: TicketPriority? = nil, queue: String? = nil) {
        self.action = action
        self.priority = priority
        self.queue = queue
    }

    func problems(at path: String, queues: Set<String>) -> [FieldProblem] {
        guard action == .moveQueue else { return [] }
        guard let queue else { return [FieldProblem(field: "\(path).queue", problem: "move_queue needs the queue's slug.")] }
        return queues.contains(queue) ? [] : [FieldProblem(field: "\(path).queue", problem: "There is no queue '\(queue)'.")]
    }
}

/// Where one SLA target stands for a ticket at a moment.
public struct SLAMeasure: Sendable, Equatable {
    public enum Metric: String, Sendable, Codable, CaseIterable {
        case firstReply = "first_reply"
        case nextReply = "next_reply"
        case periodicUpdate = "periodic_update"
        case resolution
    }

    public enum State: String, Sendable, Codable {
        case running, warning, breached, achieved, paused
    }

    public var metric: Metric
    public var startedAt: Date
    /// When it falls due, counting business hours and leaving out pauses so far (a pause still running moves it).
    public var dueAt: Date?
    public var achievedAt: Date?
    public var state: State
}

/// SLA clocks computed from a ticket's event log, so they are auditable and can be recomputed at any time (after a
/// policy or calendar change, or to explain a breach). Waiting on the customer (pending) pauses every clock.
public enum SLAEvaluation {
    /// One event as the SLA reads it.
    public struct Event: Sendable, Equatable {
        public var at: Date
        public var change: TicketChange
        public init(at: Date, change: TicketChange) {
            self.at = at
            self.change = change
        }
    }

    public static func measure(_ events: [Event], policy: SLAPolicy, now: Date) -> [SLAMeasure] {
        guard let created = events.first?.at else { return [] }
        var status: TicketStatus = .new
        var paused: [Range<Date>] = []
        var pausedSince: Date?
        var firstAgentReply: Date?
        var lastAgentReply: Date?
        var waitingSince: Date?  // the customer's first public message not yet answered
        var resolvedAt: Date?
        // A ticket's first message is the request itself, whoever typed it (an agent files a phone call): not a reply.
        var request = true
        for event in events {
            switch event.change {
            case .messageAdded where request:
                request = false
            case .statusChanged(_, let to):
                if to == .pending, pausedSince == nil { pausedSince = event.at }
                if to != .pending, let since = pausedSince {
                    paused.append(since..<event.at)
                    pausedSince = nil
                }
                resolvedAt = (to == .solved || to == .closed) ? (resolvedAt ?? event.at) : nil
                status = to
            case .messageAdded(_, let author, .public):
                request = false
                if author.kind == .agent {
                    firstAgentReply = firstAgentReply ?? event.at
                    lastAgentReply = event.at
                    waitingSince = nil
                } else if author.kind == .contact, firstAgentReply != nil, waitingSince == nil {
                    waitingSince = event.at
                }
            default: break
            }
        }
        let pauses = paused + (pausedSince.map { [$0..<max(now, $0)] } ?? [])
        let isPaused = pausedSince != nil
        let open = status != .solved && status != .closed
        var measures: [SLAMeasure] = []
        func add(_ metric: SLAMeasure.Metric, start: Date, target: TimeInterval?, achieved: Date?) {
            guard let target else { return }
            let due = SLAClock.deadline(after: start, seconds: target, calendar: policy.calendar, paused: pauses)
            let state: SLAMeasure.State
            if let achieved {
                state = (due.map { achieved <= $0 } ?? true) ? .achieved : .breached
            } else if let due, now >= due {
                state = .breached
            } else if isPaused {
                state = .paused
            } else if let due, due.timeIntervalSince(now) <= policy.warnBefore {
                state = .warning
            } else {
                state = .running
            }
            measures.append(SLAMeasure(metric: metric, startedAt: start, dueAt: due, achievedAt: achieved, state: state))
        }
        add(.firstReply, start: created, target: policy.targets.firstReply, achieved: firstAgentReply)
        if let waitingSince, open { add(.nextReply, start: waitingSince, target: policy.targets.nextReply, achieved: nil) }
        if open, firstAgentReply != nil || policy.targets.firstReply == nil {
            add(.periodicUpdate, start: lastAgentReply ?? created, target: policy.targets.periodicUpdate, achieved: nil)
        }
        add(.resolution, start: created, target: policy.targets.resolution, achieved: open ? nil : resolvedAt)
        return measures
    }
}
