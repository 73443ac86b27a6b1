import FluentKit
import Foundation
import HavenCore
import SQLKit

/// A queue's assignment settings and who serves it.
public struct QueueRouting: Codable, Sendable, Equatable {
    public var queue: QueueRecord
    public var assignment: QueueAssignment
    public var members: [AgentSummary]
}

/// What routing knows of an agent: skills, capacity, presence, queues, and what they hold now.
public struct AgentRouting: Codable, Sendable, Equatable {
    public struct Load: Codable, Sendable, Equatable {
        public var chats: Int
        public var tickets: Int
    }
    public var agent: AgentSummary
    public var skills: AgentSkills
    /// The agent has the `safety` role: offered high and critical risk.
    public var safetyTrained: Bool
    public var capacity: AgentCapacity
    public var presence: Presence
    public var queues: [String]
    public var load: Load
    public var lastAssignedAt: Date?
}

/// Routing rules, SLA policies, queues' assignment and agents' skills: the configuration admins change, each change
/// validated in its transaction and written to the audit log with it.
public protocol RoutingRepository: Sendable {
    /// Everything intake applies to a new ticket: rules, SLA policies, the default queue.
    func intakeRouting() async throws -> IntakeRouting
    func rules() async throws -> [RoutingRule]
    /// Replaces the ordered rule list; every problem at once (`DomainError`) when a rule is wrong.
    func saveRules(_ rules: [RoutingRule], by actor: UUID) async throws -> [RoutingRule]
    func slaPolicies() async throws -> [SLAPolicy]
    func saveSLAPolicies(_ policies: [SLAPolicy], by actor: UUID) async throws -> [SLAPolicy]
    func queueRouting(_ queue: String) async throws -> QueueRouting
    /// Changes a queue's assignment settings and, when given, its members (agents by id or email).
    func updateQueueRouting(_ queue: String, assignment: QueueAssignment?, members: [String]?, by actor: UUID) async throws -> QueueRouting
    func agentRouting(_ agent: String) async throws -> AgentRouting
    /// Every agent's routing, by id, in three queries (the admin page lists them all; one each would be three per agent).
    func agentRoutings() async throws -> [UUID: AgentRouting]
    func updateAgentRouting(_ agent: String, skills: AgentSkills?, capacity: AgentCapacity?, by actor: UUID) async throws -> AgentRouting
    /// Newest first.
    func audit(limit: Int, before: Date?) async throws -> [AuditEntry]
}

public struct SQLRoutingRepository: RoutingRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    static let rulesKey = "routing_rules"
    static let policiesKey = "sla_policies"

    public func intakeRouting() async throws -> IntakeRouting {
        let sql = try database.reader.sql()
        let rules = try await SettingsDocument.read(Self.rulesKey, as: [RoutingRule].self, on: sql) ?? []
        let policies = try await SettingsDocument.read(Self.policiesKey, as: [SLAPolicy].self, on: sql) ?? []
        let defaultQueue = try await QueueModel.query(on: database.reader).filter(\.$isDefault == true).first()?.slug
        return IntakeRouting(rules: rules, policies: policies, defaultQueue: defaultQueue)
    }

    public func rules() async throws -> [RoutingRule] {
        try await SettingsDocument.read(Self.rulesKey, as: [RoutingRule].self, on: database.reader.sql()) ?? []
    }

    public func saveRules(_ rules: [RoutingRule], by actor: UUID) async throws -> [RoutingRule] {
        try await database.write { tx in
            let sql = try tx.sql()
            let problems = RoutingRules.problems(rules, queues: try await Self.queueSlugs(on: tx))
            guard problems.isEmpty else { throw DomainError.invalid(problems) }
            let before = try await SettingsDocument.read(Self.rulesKey, as: [RoutingRule].self, on: sql) ?? []
            try await SettingsDocument.write(Self.rulesKey, rules, on: sql)
            try await AuditLog.append("routing_rules.replaced", subject: "routing rules", before: before, after: rules, by: actor, at: now(), on: sql)
            return rules
        }
    }

    public func slaPolicies() async throws -> [SLAPolicy] {
        try await SettingsDocument.read(Self.policiesKey, as: [SLAPolicy].self, on: database.reader.sql()) ?? []
    }

    public func saveSLAPolicies(_ policies: [SLAPolicy], by actor: UUID) async throws -> [SLAPolicy] {
        try await database.write { tx in
            let sql = try tx.sql()
            let problems = SLAPolicy.problems(policies, queues: try await Self.queueSlugs(on: tx))
            guard problems.isEmpty else { throw DomainError.invalid(problems) }
            let before = try await SettingsDocument.read(Self.policiesKey, as: [SLAPolicy].self, on: sql) ?? []
            try await SettingsDocument.write(Self.policiesKey, policies, on: sql)
            try await AuditLog.append("sla_policies.replaced", subject: "SLA policies", before: before, after: policies, by: actor, at: now(), on: sql)
            return policies
        }
    }

    public func queueRouting(_ ref: String) async throws -> QueueRouting {
        let db = database.reader
        return try await Self.queueRouting(try await Self.existingQueue(ref, on: db), on: db)
    }

    public func updateQueueRouting(_ ref: String, assignment: QueueAssignment?, members: [String]?, by actor: UUID) async throws -> QueueRouting {
        try await database.write { tx in
            let queue = try await Self.existingQueue(ref, on: tx)
            let before = try await Self.queueRouting(queue, on: tx)
            if let assignment {
                let problems = assignment.problems()
                guard problems.isEmpty else { throw DomainError.invalid(problems) }
                queue.assignment = String(decoding: try AuditLog.encoder.encode(assignment), as: UTF8.self)
                try await queue.update(on: tx)
            }
            if let members {
                var ids: [UUID] = []
                var problems: [FieldProblem] = []
                for (index, member) in members.enumerated() {
                    if let agent = try await AgentLookup.find(member, on: tx), let id = agent.id { ids.append(id) }
                    else { problems.append(FieldProblem(field: "members[\(index)]", problem: "There is no agent '\(member)'.")) }
                }
                guard problems.isEmpty else { throw DomainError.invalid(problems) }
                let sql = try tx.sql()
                try await sql.raw("DELETE FROM agent_queues WHERE queue_id = \(bind: queue.id!)").run()
                for id in Set(ids) {
                    try await sql.raw("INSERT INTO agent_queues (agent_id, queue_id) VALUES (\(bind: id), \(bind: queue.id!))").run()
                }
            }
            let after = try await Self.queueRouting(queue, on: tx)
            try await AuditLog.append(
                "queue.routing_changed", subject: "queue \(queue.slug)", before: before, after: after, by: actor, at: now(), on: tx.sql())
            return after
        }
    }

    public func agentRouting(_ ref: String) async throws -> AgentRouting {
        let db = database.reader
        return try await Self.agentRouting(try await Self.existingAgent(ref, on: db), on: db)
    }

    public func agentRoutings() async throws -> [UUID: AgentRouting] {
        let db = database.reader
        let sql = try db.sql()
        var queues: [UUID: [String]] = [:]
        for row in try await sql.raw("SELECT aq.agent_id, q.slug FROM agent_queues aq JOIN queues q ON q.id = aq.queue_id ORDER BY q.slug").all() {
            queues[try row.decode(column: "agent_id", as: UUID.self), default: []].append(try row.decode(column: "slug", as: String.self))
        }
        var loads: [UUID: (chats: Int, tickets: Int)] = [:]
        for row in try await sql.raw("""
            SELECT assignee_id AS agent, \(AssignmentLoad.channelOfWork) AS channel, COUNT(*) AS n FROM tickets
            WHERE assignee_id IS NOT NULL AND status IN (\(binds: AssignmentLoad.activeStatuses)) GROUP BY 1, 2
            """).all() {
            let agent = try row.decode(column: "agent", as: UUID.self), count = try row.decode(column: "n", as: Int.self)
            if try row.decode(column: "channel", as: String.self) == Channel.chat.rawValue { loads[agent, default: (0, 0)].chats += count }
            else { loads[agent, default: (0, 0)].tickets += count }
        }
        return Dictionary(uniqueKeysWithValues: try await AgentModel.query(on: db).all().map { agent in
            (agent.id!, Self.agentRouting(agent, queues: queues[agent.id!] ?? [], load: loads[agent.id!] ?? (0, 0)))
        })
    }

    public func updateAgentRouting(_ ref: String, skills: AgentSkills?, capacity: AgentCapacity?, by actor: UUID) async throws -> AgentRouting {
        try await database.write { tx in
            let agent = try await Self.existingAgent(ref, on: tx)
            let before = try await Self.agentRouting(agent, on: tx)
            if let skills {
                let valid = try skills.validated()
                agent.skills = String(decoding: try AuditLog.encoder.encode(valid), as: UTF8.self)
                // The language list other parts read (replies' language, the agent's profile) follows the skills.
                agent.languages = JSONList.encode(valid.languages.map(\.tag))
            }
            if let capacity {
                let problems = capacity.problems()
                guard problems.isEmpty else { throw DomainError.invalid(problems) }
                agent.capacity = String(decoding: try AuditLog.encoder.encode(capacity), as: UTF8.self)
            }
            agent.updatedAt = now()
            try await agent.update(on: tx)
            let after = try await Self.agentRouting(agent, on: tx)
            try await AuditLog.append(
                "agent.routing_changed", subject: "agent \(agent.email)", before: before, after: after, by: actor, at: now(), on: tx.sql())
            return after
        }
    }

    public func audit(limit: Int, before: Date?) async throws -> [AuditEntry] {
        try await AuditLog.entries(limit: limit, before: before, on: database.reader.sql())
    }

    // MARK: - Helpers

    static func queueSlugs(on db: any Database) async throws -> Set<String> {
        Set(try await QueueModel.query(on: db).all().map(\.slug))
    }

    static func existingQueue(_ ref: String, on db: any Database) async throws -> QueueModel {
        guard let queue = try? await SQLTicketRepository.queue(for: ref, field: "queue", on: db) else { throw RecordNotFound(kind: "queue", reference: ref) }
        return queue
    }

    static func existingAgent(_ ref: String, on db: any Database) async throws -> AgentModel {
        guard let agent = try await AgentLookup.find(ref, on: db) else { throw RecordNotFound(kind: "agent", reference: ref) }
        return agent
    }

    static func queueRouting(_ queue: QueueModel, on db: any Database) async throws -> QueueRouting {
        let rows = try await db.sql().raw("""
            SELECT a.id, a.name, a.email FROM agent_queues aq JOIN agents a ON a.id = aq.agent_id
            WHERE aq.queue_id = \(bind: queue.id!) ORDER BY a.name
            """).all()
        let members = try rows.map {
            AgentSummary(id: try $0.decode(column: "id", as: UUID.self), name: try $0.decode(column: "name", as: String.self),
                         email: try $0.decode(column: "email", as: String.self))
        }
        return QueueRouting(queue: SQLDirectoryRepository.record(queue), assignment: queue.assignmentSettings, members: members)
    }

    static func agentRouting(_ agent: AgentModel, on db: any Database) async throws -> AgentRouting {
        let sql = try db.sql()
        let queues = try await sql.raw("""
            SELECT q.slug FROM agent_queues aq JOIN queues q ON q.id = aq.queue_id WHERE aq.agent_id = \(bind: agent.id!) ORDER BY q.slug
            """).all().map { try $0.decode(column: "slug", as: String.self) }
        return agentRouting(agent, queues: queues, load: try await AssignmentLoad.of(agent.id!, on: sql))
    }

    static func agentRouting(_ agent: AgentModel, queues: [String], load: (chats: Int, tickets: Int)) -> AgentRouting {
        AgentRouting(
            agent: AgentSummary(id: agent.id!, name: agent.name, email: agent.email), skills: agent.skillSet,
            safetyTrained: agent.isSafetyTrained, capacity: agent.capacitySettings, presence: Presence(rawValue: agent.presence) ?? .offline,
            queues: queues, load: AgentRouting.Load(chats: load.chats, tickets: load.tickets), lastAssignedAt: agent.lastAssignedAt)
    }
}

extension QueueModel {
    var assignmentSettings: QueueAssignment { Self.assignment(from: assignment) }

    /// The stored `assignment` column; absent or unreadable: pull, the defaults.
    static func assignment(from json: String?) -> QueueAssignment {
        json.flatMap { try? JSONDecoder().decode(QueueAssignment.self, from: Data($0.utf8)) } ?? QueueAssignment()
    }
}

extension AgentModel {
    /// Stored skills; an agent nobody has set skills for speaks their profile's languages, fluently.
    var skillSet: AgentSkills {
        skills.flatMap { try? JSONDecoder().decode(AgentSkills.self, from: Data($0.utf8)) }
            ?? AgentSkills(languages: JSONList.decode(languages).map { AgentSkills.Language($0) })
    }

    var capacitySettings: AgentCapacity { Self.capacity(from: capacity) }

    /// The `capacity` column read: the agent's settings, or the defaults when none are set.
    static func capacity(from column: String?) -> AgentCapacity {
        column.flatMap { try? JSONDecoder().decode(AgentCapacity.self, from: Data($0.utf8)) } ?? AgentCapacity()
    }

    var isSafetyTrained: Bool { JSONList.decode(roles).contains(AgentRole.safety.rawValue) }
}

/// The open work an agent holds, by kind: what capacity is measured against. Pending tickets wait on the customer
/// and do not count; new and open ones do.
enum AssignmentLoad {
    static let activeStatuses = [TicketStatus.new.rawValue, TicketStatus.open.rawValue]

    /// The kind of work a ticket row (`tickets` unaliased) is for capacity: a chat while it is live; a chat that
    /// has ended goes on like any ticket (by email), so it counts as one.
    static let channelOfWork: SQLQueryString = """
        CASE WHEN tickets.channel = 'chat' AND EXISTS (SELECT 1 FROM chats c WHERE c.ticket_id = tickets.id AND c.ended_at IS NOT NULL)
        THEN 'ticket' ELSE tickets.channel END
        """

    /// One row of two columns, for a statement that reads more (the agent's lock): `held_work`, all the agent's
    /// active work, and `held_chats`, the live chats among it. One pass over the agent's tickets.
    static func held(by agentID: UUID) -> SQLQueryString {
        """
        (SELECT COUNT(*) AS held_work, COALESCE(SUM(CASE WHEN \(channelOfWork) = 'chat' THEN 1 ELSE 0 END), 0) AS held_chats
         FROM tickets WHERE tickets.assignee_id = \(bind: agentID) AND tickets.status IN (\(binds: activeStatuses)))
        """
    }

    static func decode(_ row: any SQLRow) throws -> (chats: Int, tickets: Int) {
        let chats = try row.decode(column: "held_chats", as: Int.self)
        return (chats, try row.decode(column: "held_work", as: Int.self) - chats)
    }

    static func of(_ agentID: UUID, on sql: any SQLDatabase) async throws -> (chats: Int, tickets: Int) {
        guard let row = try await sql.raw("SELECT * FROM " + held(by: agentID) + " held").first() else { return (0, 0) }
        return try decode(row)
    }
}
