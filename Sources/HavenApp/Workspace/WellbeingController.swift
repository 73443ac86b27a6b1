import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// The agent's own wellbeing: shielded media revealed on purpose and counted, a page with what they have seen,
/// and the break the workspace suggests when critical content piles up. Nobody else reads an agent's record.
struct WellbeingController {
    let wellbeing: any WellbeingRepository
    let policy: WellbeingPolicy
    let attachments: any AttachmentRepository
    let tickets: any TicketRepository
    let assignments: any AssignmentRepository
    let now: @Sendable () -> Date

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("wellbeing", use: show)
        group.post("wellbeing/break", use: takeBreak)
        group.post("wellbeing/later", use: later)
        group.post("attachments/:id/reveal", use: reveal)
    }

    /// What this agent has seen in the last day and week, and the policy behind the break prompt.
    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let locale = context.locale
        let now = now()
        let summary = policy.summary(of: try await wellbeing.exposures(of: agent.id, since: now.addingTimeInterval(-7 * 24 * 3600)), now: now)
        func counts(_ counts: ExposureCounts) -> [String: String] {
            ["reveals": WorkspaceStrings.number(counts.reveals, locale), "risky": WorkspaceStrings.number(counts.riskyTickets, locale)]
        }
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "", "away": context.presence != .online,
            "day": counts(summary.day), "week": counts(summary.week),
            "sinceBreak": WorkspaceStrings.text("wellbeing.since_break", locale, WorkspaceStrings.number(summary.criticalSinceBreak, locale)),
            "policy": WorkspaceStrings.text("wellbeing.policy", locale)
                .replacingOccurrences(of: "{count}", with: WorkspaceStrings.number(policy.breakAfter, locale))
                .replacingOccurrences(of: "{minutes}", with: WorkspaceStrings.number(Int(policy.window / 60), locale)),
        ]
        let notice = WebQuery(request).get("notice") == "break" ? WorkspaceStrings.text("wellbeing.on_break", locale) : nil
        return WorkspacePage.html(
            WorkspaceLayout.render(title: WorkspaceStrings.text("wellbeing.title", locale), content: WorkspacePage.wellbeing.render(values), context: context, notice: notice))
    }

    /// The break: the agent goes away (offers to them are withdrawn and new ones wait) and the count starts again.
    @Sendable func takeBreak(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        _ = try await assignments.setPresence(.away, for: agent.id)
        try await wellbeing.record(.pause, agentID: agent.id, ticketID: nil, attachmentID: nil, level: nil)
        return WorkspacePage.redirect("/wellbeing?notice=break")
    }

    /// "Later": the prompt goes until as much critical content again; the agent stays on the page they were on.
    @Sendable func later(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        try await wellbeing.record(.snooze, agentID: agent.id, ticketID: nil, attachmentID: nil, level: nil)
        return WorkspacePage.redirect(Self.samePage(request.headers[.referer]) ?? "/inbox")
    }

    /// A shielded picture or video the agent chose to see: recorded, then shown. The page's script asks for JSON and
    /// unblurs in place; without it the ticket page comes back with the file shown.
    @Sendable func reveal(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let notFound = APIError.notFound(WorkspaceStrings.text("error.not_found", context.locale, context.parameters.get("id") ?? ""))
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let file = try await attachments.find(id),
            let ticketID = file.ticketID, let ticket = try await tickets.summary(.id(ticketID)), try context.maySee(ticket)
        else { throw notFound }
        // Only what was shielded is exposure: a file that was never blurred is not counted.
        if policy.shields(contentType: file.contentType, ticketRisk: ticket.riskLevel) {
            try await wellbeing.record(.reveal, agentID: agent.id, ticketID: ticket.id, attachmentID: file.id, level: ticket.riskLevel)
        }
        guard request.headers[.accept]?.contains("application/json") == true else {
            return WorkspacePage.redirect("/tickets/\(ticket.number)?reveal=\(id.uuidString.lowercased())#file-\(id.uuidString.lowercased())")
        }
        let summary = try await WebSessionMiddleware.exposure(of: agent.id, wellbeing: wellbeing, policy: policy, now: now())
        return try JSON.response(RevealAnswer(exposure: WorkspaceStrings.number(summary.day.total, context.locale), breakDue: summary.breakDue))
    }

    /// The path of the page a form was posted from, if it is one of ours.
    static func samePage(_ referer: String?) -> String? {
        guard let referer, let url = URL(string: referer), url.path.hasPrefix("/"), !url.path.hasPrefix("//") else { return nil }
        return url.path + (url.query.map { "?" + $0 } ?? "")
    }
}

/// What the page's script needs after a reveal: the header's new count (in the agent's digits) and whether to show
/// the break prompt.
struct RevealAnswer: Encodable {
    var exposure: String
    var breakDue: Bool
}
