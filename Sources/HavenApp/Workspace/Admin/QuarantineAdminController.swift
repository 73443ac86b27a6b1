import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Mustache

/// `/admin/mail-quarantine`: mail that could not become a ticket, with why; the original to download, and
/// "Reprocess" (into a queue, when the reason was the queue) with the API's own checks (`MailController.reprocess`).
struct QuarantineAdminController {
    let mail: any MailRepository
    let intake: MailIntake
    let directory: any DirectoryRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("admin/mail-quarantine", use: list)
        group.get("admin/mail-quarantine/:id/raw", use: raw)
        group.post("admin/mail-quarantine/:id/reprocess", use: reprocess)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        return try await page(context, notice: AdminPage.notice(request, ["reprocessed": "quarantine.reprocessed"], locale: locale))
    }

    @Sendable func raw(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try AdminPage.admin(context)
        return try await MailController.original(try await item(context), intake: intake)
    }

    @Sendable func reprocess(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try AdminPage.admin(context)
        let item = try await item(context)
        let queue = context.form["queue"].map(TextNormalizer.line).flatMap { $0.isEmpty ? nil : $0 }
        do {
            _ = try await MailController.reprocess(item, queue: queue, intake: intake)
        } catch let error as APIError {
            return try await page(context, problem: error.detail, status: error.status)
        }
        return WorkspacePage.redirect("/admin/mail-quarantine?notice=reprocessed")
    }

    private func item(_ context: AppRequestContext) async throws -> QuarantineRecord {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let item = try await mail.quarantined(id: id) else {
            throw APIError.notFound(WorkspaceStrings.text("quarantine.missing", context.locale))
        }
        return item
    }

    private func page(_ context: AppRequestContext, notice: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let queues = try await directory.queues().map { ["slug": $0.slug, "name": $0.name] }
        let items = try await mail.quarantined(status: nil, limit: 200).map { item -> [String: Any] in
            [
                "id": item.id.uuidString.lowercased(), "reason": item.reason, "source": item.source,
                "size": WorkspaceStrings.number(max(1, item.rawSize / 1024), locale), "held": item.status == "held",
                "status": WorkspaceStrings.text("quarantine." + (item.status == "held" ? "held" : "reprocessed"), locale),
                "iso": TicketSummaryView.iso(item.createdAt), "received": WorkspaceStrings.date(item.createdAt, locale),
            ]
        }
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "", "items": items, "hasItems": !items.isEmpty,
            "queues": queues,
        ]
        return AdminPage.render(.quarantine, content: Self.template.render(values), context: context, notice: notice, problem: problem, status: status)
    }

    static let template = try! MustacheTemplate(string: """
        <div class="admin">
        <h1>{{t.admin_quarantine}}</h1>
        <p>{{t.quarantine_intro}}</p>
        {{#hasItems}}<table class="admin-list"><thead><tr><th scope="col">{{t.quarantine_received}}</th><th scope="col">{{t.quarantine_reason}}</th><th scope="col">{{t.quarantine_source}}</th><th scope="col">{{t.quarantine_status}}</th><th scope="col">{{t.quarantine_actions}}</th></tr></thead><tbody>
        {{#items}}<tr id="q-{{id}}"><td><time datetime="{{iso}}">{{received}}</time></td><td lang="en" dir="ltr">{{reason}}</td><td>{{source}}</td><td>{{status}}</td>
        <td><a href="/admin/mail-quarantine/{{id}}/raw">{{t.quarantine_original}} ({{size}} KB)</a>
        {{#held}}<form method="post" action="/admin/mail-quarantine/{{id}}/reprocess" class="inline"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="queue-{{id}}">{{t.props_queue}}</label> <select id="queue-{{id}}" name="queue"><option value="">{{t.quarantine_default_queue}}</option>{{#queues}}<option value="{{slug}}">{{name}}</option>{{/queues}}</select>
        <button type="submit">{{t.quarantine_reprocess}}</button></form>{{/held}}</td></tr>{{/items}}
        </tbody></table>{{/hasItems}}
        {{^hasItems}}<p class="empty">{{t.quarantine_none}}</p>{{/hasItems}}
        </div>
        """)
}
