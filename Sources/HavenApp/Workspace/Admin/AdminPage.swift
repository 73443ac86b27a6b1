import Foundation
import HavenCore
import HavenMail
import Hummingbird

/// The admin area's frame: its sections, and the check that only admins come in.
enum AdminPage {
    enum Section: String, CaseIterable {
        case agents, queues, routing
        case canned = "canned-responses"
        case templates = "mail-templates"
        case quarantine = "mail-quarantine"

        var titleKey: String {
            switch self {
            case .agents: "admin.agents"
            case .queues: "admin.queues"
            case .routing: "admin.routing"
            case .canned: "canned.title"
            case .templates: "admin.templates"
            case .quarantine: "admin.quarantine"
            }
        }
    }

    /// The agent's language, once it is sure they are an admin; anyone else gets a page saying only admins may.
    static func admin(_ context: AppRequestContext) throws -> String {
        _ = try context.requireAdmin(WorkspaceStrings.text("admin.only", context.locale))
        return context.locale
    }

    static func render(_ section: Section, content: String, context: AppRequestContext, notice: String? = nil, problem: String? = nil,
                       status: HTTPResponse.Status = .ok) -> Response {
        let locale = context.locale
        let links = Section.allCases.map { item in
            "<li><a href=\"/admin/\(item.rawValue)\"\(item == section ? " aria-current=\"page\"" : "")>\(HTML.escape(WorkspaceStrings.text(item.titleKey, locale)))</a></li>"
        }.joined()
        let nav = "<nav class=\"admin-nav\" aria-label=\"\(HTML.escape(WorkspaceStrings.text("nav.admin", locale)))\"><ul>\(links)</ul></nav>"
        return WorkspacePage.html(
            WorkspaceLayout.render(
                title: WorkspaceStrings.text(section.titleKey, locale), content: nav + content, context: context, notice: notice, problem: problem,
                inAdmin: true),
            status: status)
    }

    /// A refused change as a page says it: every problem in words (with the field where the form is JSON), and the
    /// status; an error that is not the user's is thrown on.
    static func refusal(_ error: any Error, withFields: Bool = false) throws -> (problem: String, status: HTTPResponse.Status) {
        guard let known = APIError.from(error) else { throw error }
        let problems = (known.errors ?? []).map { withFields ? "\($0.field): \($0.problem)" : $0.problem }
        return ((problems.isEmpty ? [known.detail] : problems).joined(separator: " "), known.status)
    }

    /// A notice named in the query (`?notice=saved`), in words.
    static func notice(_ request: Request, _ keys: [String: String], locale: String) -> String? {
        WebQuery(request).get("notice").flatMap { keys[$0] }.map { WorkspaceStrings.text($0, locale) }
    }
}
