import Foundation
import HavenCore
import HavenMail
import HavenStorage
import Hummingbird

/// The inbox: views with counts, filters, and the tickets of one view, most urgent first.
struct InboxController {
    static let pageSize = 50

    let inbox: any InboxRepository
    let tickets: any TicketRepository
    let assignments: any AssignmentRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("inbox", use: show)
        group.post("assignments/next", use: next)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let locale = context.locale
        let query = WebQuery(request)
        let visibility = TicketVisibility(roles: agent.roles)
        var filter = InboxFilter()
        filter.statuses = query.get("status").flatMap(TicketStatus.init(rawValue:)).map { [$0] } ?? []
        filter.channel = query.get("channel").flatMap(Channel.init(rawValue:))
        filter.language = query.get("language").flatMap { Self.languages.contains($0) ? $0 : nil }
        filter.priority = query.get("priority").flatMap(TicketPriority.init(rawValue:))
        filter.sort = query.get("sort").flatMap(InboxFilter.Sort.init(rawValue:)) ?? .priority
        let text = String((query.get("q") ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        // "#1042" or "1042" opens the ticket.
        if let ref = TicketRef(text), case .number = ref, let found = try await tickets.summary(ref), visibility.allows(queueSlug: found.queue?.slug) {
            return WorkspacePage.redirect("/tickets/\(found.number)")
        }
        filter.text = text.isEmpty ? nil : text

        let counts = try await inbox.counts(agentID: agent.id, visibility: visibility)
        let queueSlug = query.get("queue").flatMap { slug in counts.queues.contains { $0.slug == slug } ? slug : nil }
        let view: InboxView = queueSlug.map { .queue($0) } ?? Self.view(query.get("view")) ?? (counts.mine > 0 ? .mine : .unassigned)
        let page = max(1, min(Int(query.get("page") ?? "") ?? 1, 1000))
        let (found, hasMore) = try await inbox.tickets(
            view, filter: filter, agentID: agent.id, visibility: visibility, limit: Self.pageSize, offset: (page - 1) * Self.pageSize)

        let t = { (key: String) in WorkspaceStrings.text(key, locale) }
        let number = { (n: Int) in WorkspaceStrings.number(n, locale) }
        let views: [[String: Any]] = [(InboxView.mine, "mine", counts.mine), (.unassigned, "unassigned", counts.unassigned),
                                      (.breaching, "breaching", counts.breaching), (.chats, "chats", counts.chats), (.all, "all", counts.all)].map { item in
            ["href": "/inbox?view=\(item.1)", "label": t("view." + item.1), "count": number(item.2), "current": item.0 == view]
        }
        let queues: [[String: Any]] = counts.queues.map { queue in
            ["href": "/inbox?queue=\(WebSessionMiddleware.queryEncoded(queue.slug))", "label": queue.name, "count": number(queue.count),
             "current": view == .queue(queue.slug)]
        }
        let heading: String = switch view {
        case .queue(let slug): counts.queues.first { $0.slug == slug }?.name ?? slug
        default: t("view." + Self.name(view))
        }
        func link(page: Int) -> String {
            var items = query.values.filter { $0.key != "page" && !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(WebSessionMiddleware.queryEncoded($0.value))" }
            items.append("page=\(page)")
            return "/inbox?" + items.joined(separator: "&")
        }
        func options(_ values: [String], selected: String?, label: (String) -> String, any: String = t("filter.any")) -> [[String: Any]] {
            [["value": "", "label": any, "selected": selected == nil]] + values.map { ["value": $0, "label": label($0), "selected": $0 == selected] }
        }
        let selects: [[String: Any]] = [
            ["name": "status", "label": t("filter.status"), "options": options(TicketStatus.allCases.map(\.rawValue), selected: filter.statuses.first?.rawValue, label: { t("status." + $0) }, any: t("filter.unsolved"))],
            ["name": "priority", "label": t("filter.priority"), "options": options(TicketPriority.allCases.reversed().map(\.rawValue), selected: filter.priority?.rawValue, label: { t("priority." + $0) })],
            ["name": "channel", "label": t("filter.channel"), "options": options(Channel.allCases.map(\.rawValue), selected: filter.channel?.rawValue, label: { t("channel." + $0) })],
            ["name": "language", "label": t("filter.language"), "options": options(Self.languages, selected: filter.language, label: { WorkspaceStrings.names[$0] ?? $0 })],
            ["name": "sort", "label": t("filter.sort"), "options": InboxFilter.Sort.allCases.map { ["value": $0.rawValue, "label": t("sort." + $0.rawValue), "selected": $0 == filter.sort] }],
        ]
        // The chats view shows who holds how many of them, against each agent's chat capacity.
        let load: [[String: Any]] = view == .chats ? try await inbox.chatLoad().map { agent in
            [
                "name": agent.name, "presence": t("presence." + agent.presence.rawValue),
                "held": t("chats.held_of").replacingOccurrences(of: "{chats}", with: number(agent.chats)).replacingOccurrences(of: "{capacity}", with: number(agent.capacity)),
                "full": agent.chats >= agent.capacity,
            ]
        } : []
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "views": views, "hasLoad": !load.isEmpty, "load": load, "queues": queues, "heading": heading,
            "view": Self.name(view), "queue": queueSlug ?? false, "q": text, "selects": selects,
            "hasTickets": !found.isEmpty, "tickets": found.map { TicketSummaryView.values($0, locale: locale) },
            "previous": page > 1 ? link(page: page - 1) : false, "next": hasMore ? link(page: page + 1) : false,
            "pageLabel": WorkspaceStrings.text("inbox.page", locale, number(page)),
        ]
        let content = WorkspacePage.inbox.render(values)
        let notice = query.get("notice").flatMap { Self.notices[$0] }.map { key in
            key == "presence.changed" ? WorkspaceStrings.text(key, locale, t("presence." + context.presence.rawValue)) : t(key)
        }
        return WorkspacePage.html(WorkspaceLayout.render(title: heading, content: content, context: context, notice: notice, inInbox: true))
    }

    /// "Get next": the most urgent ticket the agent is qualified for, assigned to them and opened.
    @Sendable func next(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        do {
            let (claim, reason) = try await assignments.next(for: agent.id)
            if let claim { return WorkspacePage.redirect("/tickets/\(claim.number)?notice=taken") }
            let content = "<p><a href=\"/inbox\">\(HTML.escape(WorkspaceStrings.text("ticket.back", context.locale)))</a></p>"
            return WorkspacePage.html(WorkspaceLayout.render(
                title: WorkspaceStrings.text("inbox.get_next", context.locale), content: content, context: context,
                notice: WorkspaceStrings.text("inbox.none_next", context.locale) + " " + reason))
        } catch let conflict as AssignmentConflict {
            return WorkspaceErrors.page(conflict.detail, status: .conflict, context: context)
        }
    }

    static let languages = ["en", "pt", "ar", "fr"]
    static let notices = ["language": "language.changed", "presence": "presence.changed", "declined": "offers.declined"]

    static func view(_ name: String?) -> InboxView? {
        switch name {
        case "mine": .mine
        case "unassigned": .unassigned
        case "breaching": .breaching
        case "all": .all
        case "chats": .chats
        default: nil
        }
    }

    static func name(_ view: InboxView) -> String {
        switch view {
        case .mine: "mine"
        case .unassigned: "unassigned"
        case .breaching: "breaching"
        case .all: "all"
        case .chats: "chats"
        case .queue: "queue"
        }
    }
}

/// A ticket as one line of a list (the inbox, a contact's history).
enum TicketSummaryView {
    static func values(_ ticket: TicketRecord, locale: String) -> [String: Any] {
        let t = { (key: String) in WorkspaceStrings.text(key, locale) }
        var values: [String: Any] = [
            "number": ticket.number, "subject": ticket.subject, "language": ticket.language ?? false,
            "priority": ticket.priority.rawValue, "priorityLabel": t("priority." + ticket.priority.rawValue),
            "status": ticket.status.rawValue, "statusLabel": t("status." + ticket.status.rawValue),
            "channelLabel": t("channel." + ticket.channel.rawValue), "risk": ticket.riskLevel.rawValue,
            "riskLabel": ticket.riskLevel == .none ? false : t("risk." + ticket.riskLevel.rawValue),
            "requester": ticket.requester.name ?? ticket.requester.email ?? ticket.requester.externalID ?? "",
            "queueName": ticket.queue?.name ?? t("inbox.nobody"), "assignee": ticket.assignee?.name ?? t("inbox.nobody"),
            "updated": WorkspaceStrings.date(ticket.updatedAt, locale), "updatedISO": iso(ticket.updatedAt),
            "created": WorkspaceStrings.date(ticket.createdAt, locale), "iso": iso(ticket.createdAt),
        ]
        if let sla = ticket.sla, let due = sla.dueAt {
            values["sla"] = ["iso": iso(due), "text": WorkspaceStrings.date(due, locale), "state": sla.state?.rawValue ?? "running"]
        }
        return values
    }

    static func iso(_ date: Date) -> String { date.formatted(.iso8601) }
}
