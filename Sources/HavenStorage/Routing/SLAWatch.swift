import FluentKit
import Foundation
import HavenCore
import SQLKit

/// Keeps tickets' SLA columns true to their event logs, and acts when a target is near or missed: records
/// `sla.warning` and `sla.breached` events, and runs the policy's breach actions (notify leads, raise the priority,
/// move the queue). A ticket is looked at when its `sla_check_at` comes: any event sets it to now, and each look
/// sets it to the next moment a warning or breach could happen.
public protocol SLAWatchRepository: Sendable {
    /// Looks at up to `limit` due tickets; returns how many.
    func checkDue(limit: Int) async throws -> Int
    /// A ticket's SLA measures now, from its event log; nil without a policy.
    func measures(of ticket: TicketRef) async throws -> (policy: String, measures: [SLAMeasure])?
}

public struct SQLSLAWatchRepository: SLAWatchRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func checkDue(limit: Int) async throws -> Int {
        try await database.write { tx in
            let sql = try tx.sql()
            let now = self.now()
            let rows = try await sql.raw("""
                SELECT t.* FROM tickets t WHERE t.sla_check_at <= \(bind: now) ORDER BY t.sla_check_at LIMIT \(literal: limit)
                """ + (database.isPostgres ? " FOR UPDATE OF t SKIP LOCKED" : "")).all()
            guard !rows.isEmpty else { return 0 }
            let policies = try await SettingsDocument.read(SQLRoutingRepository.policiesKey, as: [SLAPolicy].self, on: sql) ?? []
            for row in rows {
                let ticket = try TicketModel.read(row)
                try await check(ticket, policies: policies, now: now, tx: tx)
            }
            return rows.count
        }
    }

    public func measures(of ref: TicketRef) async throws -> (policy: String, measures: [SLAMeasure])? {
        let db = database.reader
        guard let ticket = try await SQLTicketRepository.ticket(ref, on: db) else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
        let policies = try await SettingsDocument.read(SQLRoutingRepository.policiesKey, as: [SLAPolicy].self, on: db.sql()) ?? []
        guard let name = ticket.slaPolicy, let policy = policies.first(where: { $0.name == name }) else { return nil }
        return (name, SLAEvaluation.measure(try await Self.events(of: ticket, on: db.sql()).events, policy: policy, now: now()))
    }

    func check(_ ticket: TicketModel, policies: [SLAPolicy], now: Date, tx: any Database) async throws {
        let sql = try tx.sql()
        guard let policy = policies.first(where: { $0.name == ticket.slaPolicy }) else {
            // The policy was removed: the ticket keeps its history and is no longer watched.
            try await sql.raw("UPDATE tickets SET sla_check_at = NULL, sla_state = NULL, sla_due_at = NULL WHERE id = \(bind: ticket.id!)").run()
            return
        }
        let (events, prioritySetByAgent) = try await Self.events(of: ticket, on: sql)
        let measures = SLAEvaluation.measure(events, policy: policy, now: now)
        var recorded: Set<String> = []
        for event in events {
            switch event.change {
            case .slaWarning(let metric, let due): recorded.insert("w \(metric.rawValue) \(due)")
            case .slaBreached(let metric, let due): recorded.insert("b \(metric.rawValue) \(due)")
            default: break
            }
        }
        var changes: [TicketChange] = []
        var breachedOpen = false
        for measure in measures {
            guard let due = measure.dueAt else { continue }
            let stamp = TicketChange.timestamp(due)
            if measure.state == .warning, !recorded.contains("w \(measure.metric.rawValue) \(stamp)") {
                changes.append(.slaWarning(metric: measure.metric, dueAt: stamp))
            }
            if measure.state == .breached, !recorded.contains("b \(measure.metric.rawValue) \(stamp)") {
                changes.append(.slaBreached(metric: measure.metric, dueAt: stamp))
                if measure.achievedAt == nil { breachedOpen = true }
            }
        }
        if breachedOpen { changes += try await breachActions(policy.onBreach, ticket: ticket, tx: tx) }
        let score = try await rescore(ticket, measures: measures, after: changes, setByAgent: prioritySetByAgent, now: now, sql: sql)
        changes += score.changes
        try await SQLTicketRepository.record(changes, on: ticket, actor: .system, at: now, tx: tx)
        // After `record`, which marks every changed ticket for a look: the look is this one.
        let open = measures.filter { $0.achievedAt == nil }
        let state = [SLAMeasure.State.breached, .warning, .running, .paused].first { state in open.contains { $0.state == state } }
            ?? (measures.isEmpty ? nil : .achieved)
        let dueAt = open.filter { $0.state != .breached }.compactMap(\.dueAt).min()
        let nextLook = open.compactMap { measure -> Date? in
            guard let due = measure.dueAt else { return nil }
            switch measure.state {
            case .running: return due.addingTimeInterval(-policy.warnBefore)
            case .warning: return due
            default: return nil  // breached: done; paused: the event that resumes it brings a look
            }
        }.min()
        try await sql.raw("""
            UPDATE tickets SET sla_check_at = \(bind: nextLook), sla_due_at = \(bind: dueAt), sla_state = \(bind: state?.rawValue),
            priority_score = \(bind: score.computed.score), priority_reasons = \(bind: JSONList.encode(score.computed.reasons))
            WHERE id = \(bind: ticket.id!)
            """).run()
    }

    /// Priority follows the clock: at each look (an event, an SLA warning, a breach) the score is computed again with
    /// the time left and the wait, and cached on the row the inbox and Get next sort by. A level it now reaches is
    /// raised, never lowered, and not at all once an agent has set the priority: their choice stands.
    func rescore(_ ticket: TicketModel, measures: [SLAMeasure], after changes: [TicketChange], setByAgent: Bool, now: Date, sql: any SQLDatabase)
        async throws -> (computed: PriorityScore, changes: [TicketChange])
    {
        var state = SQLTicketRepository.state(of: ticket)
        for change in changes { state.apply(change) }
        let tier = try await sql.raw("SELECT tier FROM contacts WHERE id = \(bind: ticket.requesterID)").first()?.decode(column: "tier", as: String?.self)
        let open = measures.filter { $0.achievedAt == nil }.compactMap(\.dueAt)
        let inputs = PriorityScore.Inputs(
            riskLevel: RiskLevel(rawValue: ticket.riskLevel) ?? .none, tier: tier,
            liveNow: ticket.details.flatMap { try? JSONDecoder().decode(RequestDetails.self, from: Data($0.utf8)) }?.liveNow ?? false,
            slaRemaining: open.min()?.timeIntervalSince(now), waiting: now.timeIntervalSince(ticket.queuedAt ?? ticket.createdAt))
        let computed = PriorityScore.compute(inputs)
        guard let raised = computed.raise(from: state.priority, setByAgent: setByAgent) else { return (computed, []) }
        return (computed, try state.changes(applying: TicketPatch(priority: raised)))
    }

    func breachActions(_ actions: [SLABreachAction], ticket: TicketModel, tx: any Database) async throws -> [TicketChange] {
        var state = SQLTicketRepository.state(of: ticket)
        var changes: [TicketChange] = []
        for action in actions {
            var patch = TicketPatch()
            switch action.action {
            case .raisePriority:
                let to = action.priority ?? .urgent
                if to > state.priority { patch.priority = to }
            case .moveQueue:
                if let slug = action.queue, let queue = try await QueueModel.query(on: tx).filter(\.$slug == slug).first(),
                   queue.id?.uuidString != state.queueID {
                    patch.queueID = .some(queue.id!.uuidString)
                }
            case .notifyLeads:
                try await notifyLeads(about: ticket, tx: tx)
            }
            let more = try state.changes(applying: patch)
            for change in more { state.apply(change) }
            changes += more
        }
        return changes
    }

    /// The leads serving the ticket's queue (every lead when none does) get a notification.
    func notifyLeads(about ticket: TicketModel, tx: any Database) async throws {
        let leads = try await AgentModel.query(on: tx).filter(\.$active == true).all().filter { JSONList.decode($0.roles).contains(AgentRole.lead.rawValue) }
        var chosen = leads
        if let queueID = ticket.queueID {
            let members = Set(try await tx.sql().raw("SELECT agent_id FROM agent_queues WHERE queue_id = \(bind: queueID)").all()
                .map { try $0.decode(column: "agent_id", as: UUID.self) })
            let serving = leads.filter { members.contains($0.id!) }
            if !serving.isEmpty { chosen = serving }
        }
        for lead in chosen {
            let notification = NotificationModel()
            notification.id = UUID()
            notification.agentID = lead.id!
            notification.kind = "sla_breached"
            notification.ticketID = ticket.id
            notification.text = "Ticket #\(ticket.number) breached its SLA."
            notification.createdAt = now()
            try await notification.create(on: tx)
        }
    }

    /// The ticket's events as the SLA clocks read them, and whether an agent ever set its priority (re-scoring
    /// leaves it alone then): one read of the log.
    static func events(of ticket: TicketModel, on sql: any SQLDatabase) async throws -> (events: [SLAEvaluation.Event], prioritySetByAgent: Bool) {
        var setByAgent = false
        let events = try await sql.raw("SELECT type, actor_kind, payload, created_at FROM ticket_events WHERE ticket_id = \(bind: ticket.id!) ORDER BY seq").all()
            .compactMap { row -> SLAEvaluation.Event? in
                let type = try row.decode(column: "type", as: String.self)
                if type == "priority.changed", try row.decode(column: "actor_kind", as: String.self) == ActorKind.agent.rawValue { setByAgent = true }
                let change = try? TicketChange(type: type, payloadJSON: try row.decode(column: "payload", as: String.self))
                return try change.map { SLAEvaluation.Event(at: try row.decode(column: "created_at", as: Date.self), change: $0) }
            }
        return (events, setByAgent)
    }
}
