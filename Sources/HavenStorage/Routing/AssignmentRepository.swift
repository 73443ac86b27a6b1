import FluentKit
import Foundation
import HavenCore
import SQLKit

/// A ticket an agent now holds, and why it was theirs.
public struct Claim: Sendable, Equatable {
    public var ticketID: UUID
    public var number: Int
    public var why: String
}

/// Assignment refused for a reason the agent can act on (offline, the offer lapsed, at capacity).
public struct AssignmentConflict: Error, Sendable, Equatable {
    public var code: String
    public var detail: String
}

/// What a presence change did to the agent's work.
public struct PresenceChange: Codable, Sendable, Equatable {
    public var presence: Presence
    /// Tickets returned to their queues (queues whose offline policy is `requeue`).
    public var requeued: Int
    /// Offers taken back.
    public var withdrawn: Int
}

/// Handing out tickets: "Get next" (pull), offers (push) with their answers and timeouts, and presence.
///
/// A ticket changes hands only inside one transaction that holds its row: on PostgreSQL, `FOR UPDATE SKIP LOCKED`
/// (another node's claim skips it, never waits for it or takes it too); on SQLite the single writer. Capacity is
/// checked under the agent's row lock, so one agent's parallel claims cannot overfill them.
public protocol AssignmentRepository: Sendable {
    /// The most urgent ticket the agent is qualified for in their queues, assigned to them; nil when none waits
    /// (with why, in `reason`).
    func next(for agentID: UUID) async throws -> (claim: Claim?, reason: String)
    func setPresence(_ presence: Presence, for agentID: UUID) async throws -> PresenceChange
    /// Notes that the agent is active now; an agent Haven had set away or offline is online again (the change, if any).
    func recordActivity(of agentID: UUID) async throws -> PresenceChange?
    /// Sets idle agents away or offline as the policy says; returns how many changed.
    func applyIdle(_ policy: PresencePolicy) async throws -> Int
    /// Offers waiting tickets of push queues to the best available agents; returns how many were offered.
    func offerWaiting() async throws -> Int
    /// Takes back offers nobody answered in time; returns how many.
    func expireOffers() async throws -> Int
    func respond(to ticket: TicketRef, agentID: UUID, accept: Bool) async throws -> Claim?
}

public struct SQLAssignmentRepository: AssignmentRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    /// Row locks: PostgreSQL's; SQLite's single writer already serializes every transaction.
    var lockRow: SQLQueryString { database.isPostgres ? " FOR UPDATE" : "" }
    var claimRows: SQLQueryString { database.isPostgres ? " FOR UPDATE OF t SKIP LOCKED" : "" }

    // MARK: - Pull

    public func next(for agentID: UUID) async throws -> (claim: Claim?, reason: String) {
        try await database.write { tx in
            let sql = try tx.sql()
            let (agent, queues, load) = try await lockedAgent(agentID, on: sql)
            guard agent.presence == Presence.online.rawValue else {
                throw AssignmentConflict(code: "not_online", detail: "You are \(agent.presence); set your presence to online to get tickets.")
            }
            guard !queues.isEmpty else { return (nil, "You are in no queue yet; an admin adds you to queues.") }
            let me = Self.assignable(agent, load: load)
            let channels = Channel.allCases.filter { me.hasRoom(for: $0) }
            guard !channels.isEmpty else { return (nil, "You are at your capacity (\(load.tickets) tickets, \(load.chats) chats).") }
            let now = self.now()
            // The requester's market is read only for an agent limited to markets: a join less to plan on every claim.
            var query: SQLQueryString = me.skills.markets.isEmpty ? "SELECT t.* FROM tickets t" : "SELECT t.* FROM tickets t LEFT JOIN contacts c ON c.id = t.requester_id"
            query += """

                WHERE \(unsafeRaw: IndexWaitingByQueue.waiting("t."))
                AND t.queue_id IN (\(binds: queues.map(\.id)))
                AND (t.offered_to IS NULL OR t.offered_to = \(bind: agentID) OR t.offer_expires_at <= \(bind: now))
                AND t.channel IN (\(binds: channels.map(\.rawValue)))
                """
            query += " AND " + Self.qualified(me, queues: queues, now: now)
            query += " ORDER BY t.priority_rank DESC, t.priority_score DESC, t.number ASC LIMIT 1" + claimRows
            // The row as locked is the ticket: no second read.
            guard let ticket = try await sql.raw(query).first().map(TicketModel.read)
            else { return (nil, "No ticket you can take is waiting in your queues.") }
            let queue = queues.first { $0.id == ticket.queueID }!
            let why = Assignment.qualification(of: me, for: Self.assignable(ticket), queue: queue.assignment, now: now)?.description ?? "in your queue"
            try await assign(ticket, to: agentID, offerOutcome: ticket.offeredTo == agentID ? .accepted : nil, at: now, tx: tx)
            return (Claim(ticketID: ticket.id!, number: ticket.number, why: why), why)
        }
    }

    /// The SQL twin of `Assignment.qualification` (which explains the result): language or, after a queue's wait,
    /// its fallback language; markets and topics where the agent is limited; safety training for high risk.
    static func qualified(_ agent: AssignableAgent, queues: [MemberQueue], now: Date) -> SQLQueryString {
        var language: [SQLQueryString] = ["t.language IS NULL"]
        for primary in Set(agent.skills.languages.map { LanguageMatch.primary($0.tag) }) {
            language.append("t.language = \(bind: primary) OR t.language LIKE \(bind: primary + "-%")")
        }
        for queue in queues {
            guard let after = queue.assignment.relaxAfter, queue.assignment.relaxTo.contains(where: { agent.skills.level(in: $0) != nil }) else { continue }
            language.append("(t.queue_id = \(bind: queue.id) AND t.queued_at <= \(bind: now.addingTimeInterval(-Double(after))))")
        }
        var conditions: [SQLQueryString] = ["(" + language.joined(separator: " OR ") + ")"]
        if !agent.safetyTrained { conditions.append("t.risk_level IN (\(binds: [RiskLevel.none.rawValue, RiskLevel.medium.rawValue]))") }
        if !agent.skills.markets.isEmpty { conditions.append("(c.market IS NULL OR UPPER(c.market) IN (\(binds: agent.skills.markets)))") }
        if !agent.skills.topics.isEmpty {
            conditions.append("(COALESCE(t.topic, t.suggested_topic) IS NULL OR COALESCE(t.topic, t.suggested_topic) IN (\(binds: agent.skills.topics.map(\.rawValue))))")
        }
        return conditions.joined(separator: " AND ")
    }

    // MARK: - Push

    public func offerWaiting() async throws -> Int {
        try await database.write { tx in
            let sql = try tx.sql()
            // One node makes offers at a time (the others skip the round): two would each see the same free agent.
            if database.isPostgres {
                let row = try await sql.raw("SELECT pg_try_advisory_xact_lock(8118) AS ok").first()
                guard try row?.decode(column: "ok", as: Bool.self) == true else { return 0 }
            }
            let now = self.now()
            var offered = 0
            for queue in try await QueueModel.query(on: tx).all() where queue.assignmentSettings.mode == .push {
                let policy = queue.assignmentSettings
                let rows = try await sql.raw("""
                    SELECT t.*, c.market AS requester_market FROM tickets t LEFT JOIN contacts c ON c.id = t.requester_id
                    WHERE t.queue_id = \(bind: queue.id!) AND \(unsafeRaw: IndexWaitingByQueue.waiting("t."))
                    AND t.offered_to IS NULL
                    ORDER BY t.priority_rank DESC, t.priority_score DESC, t.number ASC LIMIT 50
                    """ + claimRows).all()
                guard !rows.isEmpty else { continue }
                var agents = try await candidates(in: queue.id!, on: sql, tx: tx)
                guard !agents.isEmpty else { continue }
                for row in rows {
                    let ticket = try TicketModel.read(row)
                    var assignable = Self.assignable(ticket)
                    assignable.market = try row.decode(column: "requester_market", as: String?.self)
                    guard let (agent, why) = Assignment.choose(for: assignable, among: agents, queue: policy, now: now) else { continue }
                    let expires = now.addingTimeInterval(Double(policy.offerTimeout))
                    ticket.offeredTo = agent.id
                    ticket.offerExpiresAt = expires
                    let change = TicketChange.offered(agentID: agent.id.uuidString.lowercased(), expiresAt: TicketChange.timestamp(expires), why: why.description)
                    try await SQLTicketRepository.record([change], on: ticket, actor: .system, at: now, tx: tx)
                    // An open offer counts against the agent's room until it is answered.
                    if let index = agents.firstIndex(where: { $0.id == agent.id }) {
                        if ticket.channel == Channel.chat.rawValue { agents[index].chats += 1 } else { agents[index].tickets += 1 }
                    }
                    offered += 1
                }
            }
            return offered
        }
    }

    public func expireOffers() async throws -> Int {
        try await database.write { tx in
            let now = self.now()
            let rows = try await tx.sql().raw("""
                SELECT t.* FROM tickets t WHERE t.offered_to IS NOT NULL AND t.offer_expires_at <= \(bind: now) ORDER BY t.offer_expires_at LIMIT 200
                """ + claimRows).all()
            var expired = 0
            for row in rows {
                let ticket = try TicketModel.read(row)
                guard let agent = ticket.offeredTo else { continue }
                try await endOffer(ticket, agent: agent, outcome: .expired, actor: .system, at: now, tx: tx)
                expired += 1
            }
            return expired
        }
    }

    public func respond(to ref: TicketRef, agentID: UUID, accept: Bool) async throws -> Claim? {
        try await database.write { tx in
            let sql = try tx.sql()
            let (agent, _, load) = try await lockedAgent(agentID, on: sql)
            let condition: SQLQueryString = switch ref {
            case .id(let id): "t.id = \(bind: id)"
            case .number(let number): "t.number = \(bind: number)"
            }
            guard let ticket = try await sql.raw("SELECT t.* FROM tickets t WHERE " + condition + lockRow).first().map(TicketModel.read)
            else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
            let now = self.now()
            guard ticket.offeredTo == agentID, let expires = ticket.offerExpiresAt, expires > now else {
                throw AssignmentConflict(code: "no_open_offer", detail: "Ticket #\(ticket.number) has no open offer to you (it may have lapsed or been taken).")
            }
            let actor = Actor.agent(agentID.uuidString.lowercased())
            guard accept else {
                try await endOffer(ticket, agent: agentID, outcome: .declined, actor: actor, at: now, tx: tx)
                return nil
            }
            let me = Self.assignable(agent, load: load)
            guard me.hasRoom(for: Channel(rawValue: ticket.channel) ?? .api) else {
                throw AssignmentConflict(code: "at_capacity", detail: "You are at your capacity; finish or hand over a ticket first, or decline the offer.")
            }
            try await assign(ticket, to: agentID, offerOutcome: .accepted, at: now, tx: tx)
            return Claim(ticketID: ticket.id!, number: ticket.number, why: "accepted the offer")
        }
    }

    // MARK: - Presence

    public func setPresence(_ presence: Presence, for agentID: UUID) async throws -> PresenceChange {
        try await database.write { tx in try await change(agentID, to: presence, byHaven: false, at: self.now(), tx: tx) }
    }

    public func recordActivity(of agentID: UUID) async throws -> PresenceChange? {
        try await database.write { tx in
            let now = self.now()
            guard let row = try await tx.sql().raw("""
                UPDATE agents SET active_at = \(bind: now) WHERE id = \(bind: agentID) AND active = \(bind: true) RETURNING presence, presence_by_haven
                """).first(),
                let presence = Presence(rawValue: try row.decode(column: "presence", as: String.self)),
                let back = PresencePolicy.returning(presence, setByHaven: try row.decode(column: "presence_by_haven", as: Bool.self))
            else { return nil }
            return try await change(agentID, to: back, byHaven: false, at: now, tx: tx)
        }
    }

    public func applyIdle(_ policy: PresencePolicy) async throws -> Int {
        guard let threshold = policy.firstThreshold else { return 0 }
        return try await database.write { tx in
            let now = self.now()
            let rows = try await tx.sql().raw("""
                SELECT id, presence, active_at FROM agents WHERE active = \(bind: true) AND presence IN (\(binds: [Presence.online.rawValue, Presence.away.rawValue]))
                AND active_at <= \(bind: now.addingTimeInterval(-threshold))
                """ + lockRow).all()
            var changed = 0
            for row in rows {
                guard let presence = Presence(rawValue: try row.decode(column: "presence", as: String.self)),
                      let idle = policy.idle(presence, activeAt: try row.decode(column: "active_at", as: Date?.self), now: now)
                else { continue }
                _ = try await change(try row.decode(column: "id", as: UUID.self), to: idle, byHaven: true, at: now, tx: tx)
                changed += 1
            }
            return changed
        }
    }

    /// Sets the agent's presence; the UPDATE takes their row lock, so their claims wait for it. Away and offline take
    /// back their offers, and offline returns their tickets to queues whose offline policy says so. An agent switched
    /// off may only go offline (which switching off does).
    func change(_ agentID: UUID, to presence: Presence, byHaven: Bool, at now: Date, tx: any Database) async throws -> PresenceChange {
        let sql = try tx.sql()
        guard try await sql.raw("""
            UPDATE agents SET presence = \(bind: presence.rawValue), presence_at = \(bind: now), presence_by_haven = \(bind: byHaven)
            WHERE id = \(bind: agentID) AND (active = \(bind: true) OR \(bind: presence == .offline)) RETURNING id
            """).first() != nil
        else { throw RecordNotFound(kind: "agent", reference: agentID.uuidString.lowercased()) }
        var change = PresenceChange(presence: presence, requeued: 0, withdrawn: 0)
        guard presence != .online else { return change }
        // Haven's own change is the system's; the agent's, theirs.
        let actor = byHaven ? Actor.system : Actor.agent(agentID.uuidString.lowercased())
        let offers = try await sql.raw("SELECT t.* FROM tickets t WHERE t.offered_to = \(bind: agentID)" + lockRow).all()
        for row in offers {
            let ticket = try TicketModel.read(row)
            try await endOffer(ticket, agent: agentID, outcome: .withdrawn, actor: actor, at: now, tx: tx)
            change.withdrawn += 1
        }
        guard presence == .offline else { return change }
        let requeueing = try await QueueModel.query(on: tx).all().filter { $0.assignmentSettings.offline == .requeue }.compactMap(\.id)
        guard !requeueing.isEmpty else { return change }
        let held = try await sql.raw("""
            SELECT t.* FROM tickets t WHERE t.assignee_id = \(bind: agentID) AND t.status IN (\(binds: AssignmentLoad.activeStatuses))
            AND t.queue_id IN (\(binds: requeueing))
            """ + lockRow).all()
        for row in held {
            let ticket = try TicketModel.read(row)
            let state = SQLTicketRepository.state(of: ticket)
            try await SQLTicketRepository.record(try state.changes(applying: TicketPatch(assigneeID: .some(nil))), on: ticket, actor: actor, at: now, tx: tx)
            change.requeued += 1
        }
        return change
    }

    // MARK: - Helpers

    struct MemberQueue {
        var id: UUID
        var assignment: QueueAssignment
    }

    /// The agent's row, locked, with their queues and the work they hold, in one statement (a claim is a few round
    /// trips, and this is the first): their claims queue behind each other, so capacity holds.
    func lockedAgent(_ id: UUID, on sql: any SQLDatabase) async throws -> (AgentModel, [MemberQueue], load: (chats: Int, tickets: Int)) {
        let rows = try await sql.raw("""
            SELECT a.*, held.*, q.id AS member_queue_id, q.assignment AS member_queue_assignment
            FROM agents a CROSS JOIN \(AssignmentLoad.held(by: id)) held
            LEFT JOIN agent_queues aq ON aq.agent_id = a.id LEFT JOIN queues q ON q.id = aq.queue_id
            WHERE a.id = \(bind: id)
            """ + (database.isPostgres ? " FOR UPDATE OF a" : "")).all()
        guard let first = rows.first, case let agent = try first.decode(fluentModel: AgentModel.self), agent.active
        else { throw RecordNotFound(kind: "agent", reference: id.uuidString.lowercased()) }
        let queues = try rows.compactMap { row -> MemberQueue? in
            guard let queue = try row.decode(column: "member_queue_id", as: UUID?.self) else { return nil }
            return MemberQueue(id: queue, assignment: QueueModel.assignment(from: try row.decode(column: "member_queue_assignment", as: String?.self)))
        }
        return (agent, queues, try AssignmentLoad.decode(first))
    }

    /// The queue's online members, with their load and open offers counted.
    func candidates(in queueID: UUID, on sql: any SQLDatabase, tx: any Database) async throws -> [AssignableAgent] {
        let memberIDs = try await sql.raw("SELECT agent_id FROM agent_queues WHERE queue_id = \(bind: queueID)").all()
            .map { try $0.decode(column: "agent_id", as: UUID.self) }
        guard !memberIDs.isEmpty else { return [] }
        let members = try await AgentModel.query(on: tx).filter(\.$id ~~ memberIDs)
            .filter(\.$presence == Presence.online.rawValue).filter(\.$active == true).all()
        guard !members.isEmpty else { return [] }
        let ids = members.compactMap(\.id)
        var held: [UUID: (chats: Int, tickets: Int)] = [:]
        let rows = try await sql.raw("""
            SELECT COALESCE(assignee_id, offered_to) AS agent, \(AssignmentLoad.channelOfWork) AS channel, COUNT(*) AS n FROM tickets
            WHERE (assignee_id IN (\(binds: ids)) AND status IN (\(binds: AssignmentLoad.activeStatuses)))
               OR (assignee_id IS NULL AND offered_to IN (\(binds: ids)))
            GROUP BY 1, 2
            """).all()
        for row in rows {
            let agent = try row.decode(column: "agent", as: UUID.self), count = try row.decode(column: "n", as: Int.self)
            if try row.decode(column: "channel", as: String.self) == Channel.chat.rawValue { held[agent, default: (0, 0)].chats += count }
            else { held[agent, default: (0, 0)].tickets += count }
        }
        return members.map { Self.assignable($0, load: held[$0.id!] ?? (0, 0)) }
    }

    func assign(_ ticket: TicketModel, to agentID: UUID, offerOutcome: OfferOutcome?, at now: Date, tx: any Database) async throws {
        let state = SQLTicketRepository.state(of: ticket)
        var changes = try state.changes(applying: TicketPatch(assigneeID: .some(agentID.uuidString)))
        if let offerOutcome { changes.append(.offerEnded(agentID: agentID.uuidString.lowercased(), outcome: offerOutcome)) }
        try await SQLTicketRepository.record(changes, on: ticket, actor: .agent(agentID.uuidString.lowercased()), at: now, tx: tx)
        try await tx.sql().raw("UPDATE agents SET last_assigned_at = \(bind: now) WHERE id = \(bind: agentID)").run()
    }

    func endOffer(_ ticket: TicketModel, agent: UUID, outcome: OfferOutcome, actor: Actor, at now: Date, tx: any Database) async throws {
        ticket.offeredTo = nil
        ticket.offerExpiresAt = nil
        // Declined or lapsed: not offered to them again while it waits in this queue.
        if outcome == .declined || outcome == .expired {
            var passed = JSONList.decode(ticket.passedBy ?? "[]")
            passed.append(agent.uuidString.lowercased())
            ticket.passedBy = JSONList.encode(passed)
        }
        try await SQLTicketRepository.record([.offerEnded(agentID: agent.uuidString.lowercased(), outcome: outcome)], on: ticket, actor: actor, at: now, tx: tx)
    }

    static func assignable(_ agent: AgentModel, load: (chats: Int, tickets: Int)) -> AssignableAgent {
        AssignableAgent(
            id: agent.id!, skills: agent.skillSet, safetyTrained: agent.isSafetyTrained, capacity: agent.capacitySettings,
            presence: Presence(rawValue: agent.presence) ?? .offline, chats: load.chats, tickets: load.tickets, lastAssignedAt: agent.lastAssignedAt)
    }

    static func assignable(_ ticket: TicketModel) -> AssignableTicket {
        AssignableTicket(
            id: ticket.id!, channel: Channel(rawValue: ticket.channel) ?? .api, language: ticket.language,
            topic: (ticket.topic ?? ticket.suggestedTopic).flatMap(Topic.init(rawValue:)), riskLevel: RiskLevel(rawValue: ticket.riskLevel) ?? .none,
            queuedAt: ticket.queuedAt ?? ticket.createdAt, passedBy: Set(JSONList.decode(ticket.passedBy ?? "[]").compactMap(UUID.init(uuidString:))))
    }
}
