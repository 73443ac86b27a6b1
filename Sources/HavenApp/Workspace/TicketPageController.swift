import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import NIOPosix

/// One ticket: its conversation across channels, triage, SLA, the requester and their history, and the forms that
/// reply, add notes and change the ticket. A refused change shows the page again with what was typed kept.
struct TicketPageController {
    let tickets: any TicketRepository
    let inbox: any InboxRepository
    let directory: any DirectoryRepository
    let attachments: any AttachmentRepository
    let store: AttachmentStore
    let chats: any ChatRepository
    let assignments: any AssignmentRepository
    let wellbeing: any WellbeingRepository
    let cannedResponses: any CannedResponseRepository
    let policy: WellbeingPolicy
    let now: @Sendable () -> Date

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("tickets/:id", use: show)
        group.post("tickets/:id/reply", use: reply)
        group.post("tickets/:id/canned", use: insertCanned)
        group.get("tickets/:id/canned/:canned", use: cannedText)
        group.post("tickets/:id/update", use: update)
        group.post("tickets/:id/take", use: take)
        group.post("tickets/:id/chat/end", use: endChat)
        group.post("tickets/:id/offer/accept", use: acceptOffer)
        group.post("tickets/:id/offer/decline", use: declineOffer)
        group.get("attachments/:id", use: download)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let ticket = try await visibleTicket(context)
        let query = WebQuery(request)
        let notice = query.get("notice").flatMap { Self.notices[$0] }.map { WorkspaceStrings.text($0, context.locale) }
        var context = context
        // Opening a high- or critical-risk ticket is exposure: counted once per ticket within the policy's window.
        if ticket.riskLevel >= policy.criticalFrom, let agent = context.agent {
            let now = now()
            if try await wellbeing.recordTicketOpened(agentID: agent.id, ticketID: ticket.id, level: ticket.riskLevel, since: now.addingTimeInterval(-policy.window)) {
                context.exposure = try await WebSessionMiddleware.exposure(of: agent.id, wellbeing: wellbeing, policy: policy, now: now)
            }
        }
        // A picture revealed without the page's script comes back here named, and is shown unblurred this once.
        let revealed = Set(query.get("reveal").flatMap(UUID.init(uuidString:)).map { [$0] } ?? [])
        return try await page(ticket, context: context, notice: notice, revealed: revealed)
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ticket = try await visibleTicket(context, withMessages: false)
        let body = context.form["body"] ?? ""
        let visibility: MessageVisibility = context.form["visibility"] == "internal" ? .internal : .public
        let status = context.form["status"].flatMap(TicketStatus.init(rawValue:))
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return try await page(ticket, context: context, problem: WorkspaceStrings.text("reply.error.empty", context.locale), draft: body, status: .unprocessableContent)
        }
        do {
            let files = try await storedFiles(context.formFiles.filter { $0.field == "attachments" }, by: agent)
            _ = try await tickets.addMessage(
                to: .id(ticket.id), NewMessage(body: body, visibility: visibility, status: status, newAttachments: files), actor: Self.actor(agent))
        } catch let error as DomainError {
            return try await page(ticket, context: context, problem: Self.describe(error), draft: body, status: .unprocessableContent)
        }
        return WorkspacePage.redirect("/tickets/\(ticket.number)?notice=\(visibility == .internal ? "noted" : "sent")")
    }

    /// A reply's files, stored (on the thread pool) as rows to write with the message. Agents may send any kind of
    /// file; it is served back as a safe type (`AttachmentController.servedType`). Empty files and more than ten are
    /// refused, saying so.
    private func storedFiles(_ files: [FormData.File], by agent: AgentRecord) async throws -> [NewAttachment] {
        if files.count > Self.maxFiles { throw DomainError.invalid([FieldProblem(field: "attachments", problem: "Attach at most \(Self.maxFiles) files to one reply.")]) }
        var stored: [NewAttachment] = []
        for file in files {
            let filename = AttachmentController.filename(file.filename)
            guard !file.bytes.isEmpty, AttachmentController.filenameProblem(filename) == nil else {
                throw DomainError.invalid([FieldProblem(field: "attachments", problem: "'\(filename)' is empty or has no usable name; choose the file again.")])
            }
            let type = file.contentType.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.contains("/") && $0.count <= 200 ? $0 : nil }
            let digest = try await NIOThreadPool.singleton.runIfActive { [store] in try store.put(file.bytes) }
            stored.append(NewAttachment(sha256: digest, size: file.bytes.count, contentType: type ?? "application/octet-stream", filename: filename, uploadedBy: agent.id))
        }
        return stored
    }

    static let maxFiles = 10

    /// A canned response put into the reply box, without the page's script: the page comes back with the draft and
    /// the response after it, in the customer's language, nothing sent.
    @Sendable func insertCanned(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ticket = try await visibleTicket(context)
        let draft = context.form["body"] ?? ""
        guard let id = context.form["canned"].flatMap(UUID.init(uuidString:)), let response = try await cannedResponses.find(id),
            let (_, text) = CannedReplies.render(response, ticket: ticket, agent: agent)
        else {
            return try await page(ticket, context: context, problem: WorkspaceStrings.text("reply.canned_missing", context.locale), draft: draft, status: .unprocessableContent)
        }
        let trimmed = draft.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await page(ticket, context: context, draft: trimmed.isEmpty ? text : trimmed + "\n\n" + text)
    }

    /// A canned response filled in for this ticket, for the page's script to insert where the cursor is.
    @Sendable func cannedText(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ticket = try await visibleTicket(context, withMessages: false)
        guard let id = context.parameters.get("canned").flatMap(UUID.init(uuidString:)), let response = try await cannedResponses.find(id),
            let (locale, text) = CannedReplies.render(response, ticket: ticket, agent: agent)
        else { throw APIError.notFound(WorkspaceStrings.text("reply.canned_missing", context.locale)) }
        return try JSON.response(CannedTextDTO(locale: locale, text: text))
    }

    /// Ends a live chat from the agent's side; the ticket stays, and goes on by email.
    @Sendable func endChat(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ticket = try await visibleTicket(context, withMessages: false)
        _ = try await chats.end(ticket: ticket.id, by: Self.actor(agent))
        return WorkspacePage.redirect("/tickets/\(ticket.number)?notice=chat_ended")
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ticket = try await visibleTicket(context, withMessages: false)
        let form = context.form
        var change = TicketUpdate()
        if let status = form["status"].flatMap(TicketStatus.init(rawValue:)), status != ticket.status { change.status = status }
        if let priority = form["priority"].flatMap(TicketPriority.init(rawValue:)), priority != ticket.priority { change.priority = priority }
        if let queue = form["queue"], queue != (ticket.queue?.slug ?? "") { change.queue = .some(queue.isEmpty ? nil : queue) }
        if let assignee = form["assignee"], assignee != (ticket.assignee?.id.uuidString.lowercased() ?? "") {
            change.assignee = .some(assignee.isEmpty ? nil : assignee)
        }
        if let tags = form["tags"] {
            let list = tags.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if list != ticket.tags { change.tags = list }
        }
        return try await apply(change, to: ticket, agent: agent, context: context, notice: "saved")
    }

    @Sendable func take(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let ticket = try await visibleTicket(context, withMessages: false)
        return try await apply(TicketUpdate(assignee: .some(agent.id.uuidString.lowercased())), to: ticket, agent: agent, context: context, notice: "taken")
    }

    /// An offer from a push queue, answered from the banner above every page: accepted, the ticket opens as the agent's.
    @Sendable func acceptOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await answerOffer(context, accept: true)
    }

    @Sendable func declineOffer(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await answerOffer(context, accept: false)
    }

    private func answerOffer(_ context: AppRequestContext, accept: Bool) async throws -> Response {
        let agent = try context.requireAgent()
        guard let number = context.parameters.get("id").flatMap(Int.init) else { throw APIError.notFound("There is no such ticket.") }
        do {
            _ = try await assignments.respond(to: .number(number), agentID: agent.id, accept: accept)
        } catch let conflict as AssignmentConflict {
            return WorkspaceErrors.page(conflict.detail, status: .conflict, context: context)
        }
        return WorkspacePage.redirect(accept ? "/tickets/\(number)?notice=taken" : "/inbox?notice=declined")
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let record = try await attachments.find(id) else {
            throw APIError.notFound("There is no such attachment.")
        }
        if let ticketID = record.ticketID, let ticket = try await tickets.summary(.id(ticketID)), try !context.maySee(ticket) {
            throw APIError.notFound("There is no such attachment.")
        }
        return try await AttachmentController.download(record, from: store)
    }

    private func apply(_ change: TicketUpdate, to ticket: TicketRecord, agent: AgentRecord, context: AppRequestContext, notice: String) async throws -> Response {
        if change != TicketUpdate() {
            do {
                _ = try await tickets.update(.id(ticket.id), with: change, actor: Self.actor(agent))
            } catch let error as DomainError {
                return try await page(ticket, context: context, problem: Self.describe(error), status: .unprocessableContent)
            }
        }
        return WorkspacePage.redirect("/tickets/\(ticket.number)?notice=\(notice)")
    }

    /// The ticket the path names, with its internal notes, if this agent may see it: a safety-queue ticket is
    /// "not found" to others, exactly like a ticket that does not exist.
    /// Forms read only the ticket's row (one query); the page reads its messages too.
    private func visibleTicket(_ context: AppRequestContext, withMessages: Bool = true) async throws -> TicketRecord {
        let ref = try context.ticketRef()
        let found = withMessages ? try await tickets.find(ref, includeInternal: true) : try await tickets.summary(ref)
        guard let ticket = found, try context.maySee(ticket) else { throw APIError.notFound(WorkspaceStrings.text("error.not_found", context.locale, ref.description)) }
        return ticket
    }

    private func page(_ ticket: TicketRecord, context: AppRequestContext, notice: String? = nil, problem: String? = nil, draft: String? = nil,
                      revealed: Set<UUID> = [], status: HTTPResponse.Status = .ok) async throws -> Response {
        let agent = try context.requireAgent()
        let visibility = TicketVisibility(roles: agent.roles)
        // A refused form shows the page again: then the conversation is read too.
        let ticket = ticket.messages != nil ? ticket : try await tickets.find(.id(ticket.id), includeInternal: true) ?? ticket
        async let eventsRead = tickets.events(of: .id(ticket.id))
        async let historyRead = inbox.history(ofContact: ticket.requester.id, excluding: ticket.id, visibility: visibility, limit: 10)
        async let agentsRead = directory.agents()
        async let queuesRead = directory.queues()
        // The agent's other open tickets beside this one: several at once, one click (or [ and ]) apart.
        async let mineRead = inbox.tickets(.mine, filter: InboxFilter(), agentID: agent.id, visibility: visibility, limit: 20, offset: 0)
        async let chatRead = ticket.channel == .chat ? chats.conversation(ticket: .id(ticket.id)) : nil
        async let cannedRead = cannedResponses.all()
        let (events, history, agents, queues, mine) = try await (eventsRead ?? [], historyRead, agentsRead, queuesRead, mineRead.tickets)
        let chat = try await chatRead
        let canned = try await cannedRead
        let values = TicketPageView(
            ticket: ticket, events: events, history: history, agents: agents, queues: queues.filter { visibility.allows(queueSlug: $0.slug) },
            mine: mine, viewer: agent, locale: context.locale, csrf: context.webSession?.csrfToken ?? "", draft: draft, now: now(), chat: chat,
            wellbeing: policy, revealed: revealed, canned: canned
        ).values()
        let content = WorkspacePage.ticket.render(values)
        return WorkspacePage.html(
            WorkspaceLayout.render(title: "#\(ticket.number) \(ticket.subject)", content: content, context: context, notice: notice, problem: problem),
            status: status)
    }

    static let notices = ["sent": "reply.sent", "noted": "reply.noted", "saved": "props.saved", "taken": "props.taken", "chat_ended": "chat.ended"]

    static func actor(_ agent: AgentRecord) -> Actor { .agent(agent.id.uuidString.lowercased()) }

    /// A refused change in words: the domain's own explanation (English for now, like the API's problem details).
    static func describe(_ error: DomainError) -> String { error.explanation }
}
