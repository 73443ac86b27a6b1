import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Routing rules, SLA policies, queues' assignment, agents' skills and presence, "Get next", offers, SLA measures,
/// and the audit log of every configuration change. Agents read; admins change.
struct RoutingController {
    let routing: any RoutingRepository
    let book: RoutingBook
    let assignments: any AssignmentRepository
    let slaWatch: any SLAWatchRepository
    let tickets: any TicketRepository
    let directory: any DirectoryRepository
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("routing/rules", use: rules)
        group.put("routing/rules", use: saveRules)
        group.post("routing/test", use: test)
        group.get("sla/policies", use: policies)
        group.put("sla/policies", use: savePolicies)
        group.get("queues/:queue/routing", use: queueRouting)
        group.patch("queues/:queue/routing", use: updateQueueRouting)
        group.get("agents/:agent/routing", use: agentRouting)
        group.patch("agents/:agent/routing", use: updateAgentRouting)
        group.put("agents/:agent/presence", use: setPresence)
        group.post("assignments/next", use: next)
        group.post("tickets/:id/offer/accept", use: accept)
        group.post("tickets/:id/offer/decline", use: decline)
        group.get("tickets/:id/sla", use: sla)
        group.get("audit", use: audit)
    }

    struct RulesBody: Decodable { var rules: [RoutingRule] }
    struct PoliciesBody: Decodable { var policies: [SLAPolicy] }

    @Sendable func rules(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        return try JSON.response(["items": try await routing.rules()])
    }

    @Sendable func saveRules(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin("Only an admin can change routing rules.")
        let body = try await JSON.decode(RulesBody.self, from: request, limit: bodyLimit)
        let saved = try await routing.saveRules(body.rules, by: admin.id)
        book.invalidate()
        return try JSON.response(["items": saved])
    }

    @Sendable func policies(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        return try JSON.response(["items": try await routing.slaPolicies()])
    }

    @Sendable func savePolicies(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin("Only an admin can change SLA policies.")
        let body = try await JSON.decode(PoliciesBody.self, from: request, limit: bodyLimit)
        let saved = try await routing.saveSLAPolicies(body.policies, by: admin.id)
        book.invalidate()
        return try JSON.response(["items": saved])
    }

    /// A sample ticket, as routing sees it; `rules` and `policies` test unsaved lists ("what if").
    struct TestBody: Decodable {
        var channel: Channel
        var language: String?
        var market: String?
        var topic: Topic?
        var riskLevel: RiskLevel?
        var harms: [Harm]?
        var contactKind: ContactKind?
        var tier: String?
        var liveNow: Bool?
        var tags: [String]?
        var queue: String?
        var priority: TicketPriority?
        var rules: [RoutingRule]?
        var policies: [SLAPolicy]?
        enum CodingKeys: String, CodingKey {
            case channel, language, market, topic, harms, tier, tags, queue, priority, rules, policies
            case riskLevel = "risk_level", contactKind = "contact_kind", liveNow = "live_now"
        }
    }

    struct TestResult: Encodable {
        var queue: String?
        var rule: Int?
        var reason: String
        var priority: TicketPriority
        var priorityScore: Int
        var priorityReasons: [String]
        var slaPolicy: String?
        var slaDueAt: Date?
    }

    /// `POST /routing/test`: where this ticket would go, and why ("rule 3 'BR · Account access': …").
    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        let body = try await JSON.decode(TestBody.self, from: request, limit: bodyLimit)
        var config = try await routing.intakeRouting()
        if let rules = body.rules {
            let problems = RoutingRules.problems(rules, queues: try await queueSlugs())
            guard problems.isEmpty else { throw APIError.validation(problems) }
            config.rules = rules
        }
        if let policies = body.policies {
            let problems = SLAPolicy.problems(policies, queues: try await queueSlugs())
            guard problems.isEmpty else { throw APIError.validation(problems) }
            config.policies = policies
        }
        let sample = RoutingTicket(
            channel: body.channel, language: body.language, market: body.market?.uppercased(), topic: body.topic, riskLevel: body.riskLevel ?? .none,
            harms: body.harms ?? [], contactKind: body.contactKind ?? .user, tier: body.tier, liveNow: body.liveNow ?? false, tags: body.tags ?? [])
        let plan = config.plan(sample, namedQueue: body.queue, requested: body.priority ?? .low, now: Date())
        return try JSON.response(TestResult(
            queue: plan.note.queue, rule: plan.note.rule, reason: plan.note.reason, priority: plan.priority, priorityScore: plan.note.priorityScore,
            priorityReasons: plan.note.priorityReasons, slaPolicy: plan.policy?.name, slaDueAt: plan.slaDueAt))
    }

    func queueSlugs() async throws -> Set<String> { Set(try await directory.queues().map(\.slug)) }

    struct QueueRoutingBody: Decodable {
        var assignment: QueueAssignment?
        var members: [String]?
    }

    @Sendable func queueRouting(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        return try JSON.response(try await routing.queueRouting(try Self.parameter("queue", context)))
    }

    @Sendable func updateQueueRouting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin("Only an admin can change how a queue assigns tickets.")
        let body = try await JSON.decode(QueueRoutingBody.self, from: request, limit: bodyLimit)
        return try JSON.response(try await routing.updateQueueRouting(try Self.parameter("queue", context), assignment: body.assignment, members: body.members, by: admin.id))
    }

    struct AgentRoutingBody: Decodable {
        var skills: AgentSkills?
        var capacity: AgentCapacity?
    }

    @Sendable func agentRouting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        return try JSON.response(try await routing.agentRouting(try Self.agentParameter(context, me: agent)))
    }

    @Sendable func updateAgentRouting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin("Only an admin can change an agent's skills and capacity.")
        let body = try await JSON.decode(AgentRoutingBody.self, from: request, limit: bodyLimit)
        return try JSON.response(try await routing.updateAgentRouting(
            try Self.agentParameter(context, me: admin), skills: body.skills, capacity: body.capacity, by: admin.id))
    }

    struct PresenceBody: Decodable { var presence: Presence }

    /// `PUT /agents/{me|agent}/presence`: online, away (keeps work, gets no more) or offline (per queue: work kept or
    /// requeued). Leads and admins may set another agent's (someone who left without signing out).
    @Sendable func setPresence(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireAgent()
        let ref = try Self.agentParameter(context, me: caller)
        var target = caller.id
        if ref != caller.id.uuidString {
            guard caller.has(.lead) || caller.has(.admin) else {
                throw APIError(status: .forbidden, code: "forbidden", title: "Leads and admins only", detail: "Only a lead or an admin can set another agent's presence.")
            }
            target = try await routing.agentRouting(ref).agent.id
        }
        let body = try await JSON.decode(PresenceBody.self, from: request, limit: bodyLimit)
        return try JSON.response(try await assignments.setPresence(body.presence, for: target))
    }

    struct NextResult: Encodable {
        var ticket: TicketRecord?
        var reason: String
    }

    /// `POST /assignments/next`: the most urgent ticket the agent is qualified for, now theirs.
    @Sendable func next(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let (claim, reason) = try await assignments.next(for: agent.id)
        var ticket: TicketRecord?
        if let claim { ticket = try await tickets.find(.id(claim.ticketID), includeInternal: true) }
        return try JSON.response(NextResult(ticket: ticket, reason: reason))
    }

    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await respond(request, context: context, accept: true)
    }

    @Sendable func decline(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await respond(request, context: context, accept: false)
    }

    func respond(_ request: Request, context: AppRequestContext, accept: Bool) async throws -> Response {
        let agent = try context.requireAgent()
        let ref = try context.ticketRef()
        _ = try await assignments.respond(to: ref, agentID: agent.id, accept: accept)
        guard let ticket = try await tickets.find(ref, includeInternal: true) else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
        return try JSON.response(ticket)
    }

    struct SLAResult: Encodable {
        var policy: String?
        var measures: [Measure]
        struct Measure: Encodable {
            var metric: SLAMeasure.Metric
            var state: SLAMeasure.State
            var startedAt: Date
            var dueAt: Date?
            var achievedAt: Date?
        }
    }

    /// `GET /tickets/{ticket}/sla`: each target's state now, computed from the event log.
    @Sendable func sla(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        let found = try await slaWatch.measures(of: try context.ticketRef())
        return try JSON.response(SLAResult(
            policy: found?.policy,
            measures: (found?.measures ?? []).map { .init(metric: $0.metric, state: $0.state, startedAt: $0.startedAt, dueAt: $0.dueAt, achievedAt: $0.achievedAt) }))
    }

    /// `GET /audit?limit=&before=`: configuration changes, newest first.
    @Sendable func audit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin("Only an admin can read the audit log.")
        let query = request.uri.queryParameters
        var limit = 50
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...200).contains(value) else {
                throw APIError.validation([FieldProblem(field: "limit", problem: "A number from 1 to 200.")])
            }
            limit = value
        }
        var before: Date?
        if let text = query["before"].map(String.init) {
            guard let date = ISO8601DateFormatter().date(from: text) else {
                throw APIError.validation([FieldProblem(field: "before", problem: "A date and time such as 2026-11-22T10:00:00Z.")])
            }
            before = date
        }
        return try JSON.response(["items": try await routing.audit(limit: limit, before: before)])
    }

    static func parameter(_ name: String, _ context: AppRequestContext) throws -> String {
        (context.parameters.get(name) ?? "").removingPercentEncoding ?? ""
    }

    /// "me" is the caller.
    static func agentParameter(_ context: AppRequestContext, me: AgentRecord) throws -> String {
        let ref = try parameter("agent", context)
        return ref == "me" ? me.id.uuidString : ref
    }
}
