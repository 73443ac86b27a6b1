import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Mustache

/// `/admin/canned-responses`: admins write the responses agents insert, one text per language, with the same
/// checks as the API (`CannedReplies.validated`); a refused form comes back with what was typed and what to fix.
struct CannedResponsesAdminController {
    let responses: any CannedResponseRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("admin/canned-responses", use: list)
        group.post("admin/canned-responses", use: create)
        group.get("admin/canned-responses/:id", use: edit)
        group.post("admin/canned-responses/:id", use: update)
        group.post("admin/canned-responses/:id/delete", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        let notice = AdminPage.notice(request, ["saved": "canned.saved", "deleted": "canned.deleted"], locale: locale)
        return try await page(context, form: Self.form(nil, locale: locale), notice: notice)
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        let response = try await existing(context)
        return try await page(context, form: Self.form(response, locale: locale), editing: true)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await save(id: nil, context: context)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await save(id: try await existing(context).id, context: context)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try AdminPage.admin(context)
        _ = try await responses.delete(try await existing(context).id, by: context.agent?.id)
        return WorkspacePage.redirect("/admin/canned-responses?notice=deleted")
    }

    private func save(id: UUID?, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        let name = context.form["name"] ?? ""
        let texts = Dictionary(uniqueKeysWithValues: CannedResponse.locales.map { ($0, context.form["text_" + $0] ?? "") })
        do {
            let (name, texts) = try CannedReplies.validated(name: name, texts: texts)
            _ = try await responses.save(id: id, name: name, texts: texts, by: context.agent?.id)
        } catch let error as DomainError {
            var form = Self.form(nil, locale: locale)
            form["id"] = id?.uuidString.lowercased() ?? false
            form["name"] = name
            form["texts"] = Self.textFields(texts, locale: locale)
            return try await page(context, form: form, editing: id != nil, problem: error.explanation, status: .unprocessableContent)
        }
        return WorkspacePage.redirect("/admin/canned-responses?notice=saved")
    }

    private func page(_ context: AppRequestContext, form: [String: Any], editing: Bool = false, notice: String? = nil, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let items = try await responses.all().map { response -> [String: Any] in
            [
                "id": response.id.uuidString.lowercased(), "name": response.name,
                "languages": CannedResponse.locales.filter { response.texts[$0] != nil }.map { WorkspaceStrings.names[$0] ?? $0 }.joined(separator: ", "),
                "iso": TicketSummaryView.iso(response.updatedAt), "updated": WorkspaceStrings.date(response.updatedAt, locale),
            ]
        }
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "", "items": items, "hasItems": !items.isEmpty,
            "form": form, "editing": editing,
            "variables": CannedReplies.variables.sorted().map { "{{\($0)}}" }.joined(separator: " "),
        ]
        return AdminPage.render(.canned, content: Self.template.render(values), context: context, notice: notice, problem: problem, status: status)
    }

    private func existing(_ context: AppRequestContext) async throws -> CannedResponse {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let found = try await responses.find(id) else {
            throw APIError.notFound(WorkspaceStrings.text("canned.missing", context.locale))
        }
        return found
    }

    static func form(_ response: CannedResponse?, locale: String) -> [String: Any] {
        ["id": response?.id.uuidString.lowercased() ?? false, "name": response?.name ?? "", "texts": textFields(response?.texts ?? [:], locale: locale)]
    }

    static func textFields(_ texts: [String: String], locale: String) -> [[String: Any]] {
        CannedResponse.locales.map { code in
            [
                "code": code, "label": WorkspaceStrings.text("canned.text_in", locale, WorkspaceStrings.names[code] ?? code),
                "dir": WorkspaceStrings.direction(code), "text": texts[code] ?? "",
            ]
        }
    }

    static let template = try! MustacheTemplate(string: """
        <div class="admin">
        <h1>{{t.canned_title}}</h1>
        {{#hasItems}}<table class="admin-list"><thead><tr><th scope="col">{{t.canned_name}}</th><th scope="col">{{t.canned_languages}}</th><th scope="col">{{t.canned_updated}}</th></tr></thead><tbody>
        {{#items}}<tr><td><a href="/admin/canned-responses/{{id}}">{{name}}</a></td><td>{{languages}}</td><td><time datetime="{{iso}}">{{updated}}</time></td></tr>{{/items}}
        </tbody></table>{{/hasItems}}
        {{^hasItems}}<p class="empty">{{t.canned_none}}</p>{{/hasItems}}
        {{#form}}<form method="post" action="/admin/canned-responses{{#id}}/{{id}}{{/id}}" class="admin-form" id="canned-form">
        <h2>{{#editing}}{{t.canned_edit}}{{/editing}}{{^editing}}{{t.canned_new}}{{/editing}}</h2>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="canned-name">{{t.canned_name}}</label><input type="text" id="canned-name" name="name" value="{{name}}" required maxlength="100">
        {{#texts}}<label for="text-{{code}}">{{label}}</label><textarea id="text-{{code}}" name="text_{{code}}" lang="{{code}}" dir="{{dir}}">{{text}}</textarea>{{/texts}}
        <p class="hint">{{t.canned_variables}} <code dir="ltr">{{variables}}</code></p>
        <button type="submit" id="canned-save">{{t.canned_save}}</button>
        </form>
        {{#id}}<form method="post" action="/admin/canned-responses/{{id}}/delete" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary" id="canned-delete">{{t.canned_delete}}</button></form>
        <p><a href="/admin/canned-responses">{{t.canned_new}}</a></p>{{/id}}{{/form}}
        </div>
        """)
}
