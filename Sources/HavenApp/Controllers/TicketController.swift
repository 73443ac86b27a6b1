import HavenCore
import HavenStorage
import Foundation
import Hummingbird

struct TicketController {
    let tickets: any TicketRepository
    let intake: TicketIntake
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("tickets", use: create)
        group.get("tickets", use: list)
        group.get("tickets/:id", use: show)
        group.patch("tickets/:id", use: update)
        group.get("tickets/:id/events", use: events)
        group.post("tickets/:id/messages", use: addMessage)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let body = try await JSON.decode(CreateTicketBody.self, from: request, limit: bodyLimit)
        let ticket = try await intake.submit(body.draft, actor: .agent(agent.id.uuidString.lowercased()))
        var response = try JSON.response(ticket, status: .created)
        response.headers[.location] = "/api/v1/tickets/\(ticket.id.uuidString.lowercased())"
        return response
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        var query = try TicketListParameters.parse(request.uri.queryParameters, agent: agent)
        query.visibility = TicketVisibility(roles: agent.roles)
        return try JSON.response(try await tickets.list(query))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ref = try context.ticketRef()
        guard let ticket = try await tickets.find(ref, includeInternal: true), try context.maySee(ticket) else {
            throw RecordNotFound(kind: "ticket", reference: ref.description)
        }
        return try JSON.response(ticket)
    }

    @Sendable func events(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ref = try await visibleRef(context)
        guard let events = try await tickets.events(of: ref) else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
        return try JSON.response(EventsResponse(events: events))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ref = try await visibleRef(context)
        let body = try await JSON.decode(UpdateTicketBody.self, from: request, limit: bodyLimit)
        let ticket = try await tickets.update(ref, with: body.update, actor: .agent(agent.id.uuidString.lowercased()))
        return try JSON.response(ticket)
    }

    @Sendable func addMessage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ref = try await visibleRef(context)
        let body = try await JSON.decode(CreateMessageBody.self, from: request, limit: bodyLimit)
        let message = try await tickets.addMessage(to: ref, body.message, actor: .agent(agent.id.uuidString.lowercased()))
        return try JSON.response(message, status: message.duplicate ? .ok : .created)
    }

    /// The ticket the path names, if the caller may see it; else "no such ticket", as for one that does not exist.
    func visibleRef(_ context: AppRequestContext) async throws -> TicketRef {
        let ref = try context.ticketRef()
        guard let ticket = try await tickets.summary(ref), try context.maySee(ticket) else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
        return .id(ticket.id)
    }
}

/// Reads the list endpoint's query string, refusing unknown values with a clear problem.
enum TicketListParameters {
    static let known: Set<String> = ["status", "queue", "assignee", "channel", "language", "priority", "requester", "sort", "order", "limit", "cursor"]

    static func parse(_ parameters: Parameters, agent: AgentRecord) throws -> TicketListQuery {
        var query = TicketListQuery()
        var problems: [FieldProblem] = []
        for (key, _) in parameters where !known.contains(String(key)) {
            problems.append(FieldProblem(field: String(key), problem: "Unknown filter. Known: \(known.sorted().joined(separator: ", "))."))
        }
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) -> [T] where T.RawValue == String {
            parameters.getAll(name).flatMap { $0.split(separator: ",") }.compactMap { raw in
                if let value = T(rawValue: String(raw)) { return value }
                problems.append(FieldProblem(field: name, problem: "'\(raw)' is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))."))
                return nil
            }
        }
        query.statuses = choice("status", TicketStatus.self)
        query.channel = choice("channel", Channel.self).first
        query.priority = choice("priority", TicketPriority.self).first
        query.sort = choice("sort", TicketListQuery.Sort.self).first ?? .updated
        query.order = choice("order", TicketListQuery.Order.self).first ?? .desc
        query.queue = parameters.get("queue")
        query.language = parameters.get("language").flatMap { LocaleTag.normalize($0) ?? $0 }
        query.requester = parameters.get("requester")
        query.cursor = parameters.get("cursor")
        switch parameters.get("assignee") {
        case nil: break
        case "none": query.assignee = .unassigned
        case "me": query.assignee = .agent(agent.id.uuidString)
        case let other?: query.assignee = .agent(other)
        }
        if let limit = parameters.get("limit") {
            if let value = Int(limit), (1...100).contains(value) { query.limit = value }
            else { problems.append(FieldProblem(field: "limit", problem: "A limit is a whole number from 1 to 100.")) }
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return query
    }
}
