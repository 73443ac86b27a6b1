import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Mustache

/// `/admin/mail-templates`: the system mails (acknowledgement, solved, chat transcript) in each language, as Haven
/// sends them now; an admin edits one with the API's checks (`MailOutController.validated`) or puts Haven's back.
struct MailTemplatesAdminController {
    let templates: any MailTemplateRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("admin/mail-templates", use: list)
        group.post("admin/mail-templates/:key/:locale", use: save)
        group.post("admin/mail-templates/:key/:locale/reset", use: reset)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        return try await page(context, notice: AdminPage.notice(request, ["saved": "admin.saved", "reset": "templates.reset_done"], locale: locale))
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(WorkspaceStrings.text("admin.only", context.locale))
        let (key, locale) = try MailOutController.templateKey(context)
        do {
            let (subject, body) = try MailOutController.validated(subject: context.form["subject"] ?? "", body: context.form["body"] ?? "")
            _ = try await templates.save(key: key, locale: locale, subject: subject, body: body, by: admin.id)
        } catch {
            let refusal = try AdminPage.refusal(error)
            let typed = (key: key, locale: locale, subject: context.form["subject"] ?? "", body: context.form["body"] ?? "")
            return try await page(context, typed: typed, problem: refusal.problem, status: refusal.status)
        }
        return WorkspacePage.redirect("/admin/mail-templates?notice=saved#\(key)-\(locale)")
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try AdminPage.admin(context)
        let (key, locale) = try MailOutController.templateKey(context)
        _ = try await templates.reset(key: key, locale: locale)
        return WorkspacePage.redirect("/admin/mail-templates?notice=reset#\(key)-\(locale)")
    }

    private func page(_ context: AppRequestContext, typed: (key: String, locale: String, subject: String, body: String)? = nil, notice: String? = nil,
                      problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let current = try await MailOutController.current(templates)
        let groups = SystemMailTemplates.keys.map { key -> [String: Any] in
            [
                "key": key, "title": WorkspaceStrings.text("templates." + key, locale),
                "items": current.filter { $0.key == key }.map { item -> [String: Any] in
                    let mine = typed.map { $0.key == item.key && $0.locale == item.locale } ?? false
                    return [
                        "key": item.key, "locale": item.locale, "language": WorkspaceStrings.names[item.locale] ?? item.locale,
                        "dir": WorkspaceStrings.direction(item.locale), "customized": item.customized, "open": mine,
                        "subject": mine ? typed!.subject : item.subject, "body": mine ? typed!.body : item.body,
                    ]
                },
            ]
        }
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "", "groups": groups,
            "variables": SystemMailTemplates.variables.sorted().map { "{{\($0)}}" }.joined(separator: " "),
        ]
        return AdminPage.render(.templates, content: Self.template.render(values), context: context, notice: notice, problem: problem, status: status)
    }

    static let template = try! MustacheTemplate(string: """
        <div class="admin">
        <h1>{{t.admin_templates}}</h1>
        <p class="hint">{{t.canned_variables}} <code dir="ltr">{{variables}}</code></p>
        {{#groups}}<h2>{{title}}</h2>
        {{#items}}<details class="admin-item" id="{{key}}-{{locale}}"{{#open}} open{{/open}}><summary><strong lang="{{locale}}">{{language}}</strong>{{#customized}} <span class="tag-internal">{{t.templates_edited}}</span>{{/customized}}</summary>
        <form method="post" action="/admin/mail-templates/{{key}}/{{locale}}" class="admin-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="subject-{{key}}-{{locale}}">{{t.templates_subject}}</label><input type="text" id="subject-{{key}}-{{locale}}" name="subject" value="{{subject}}" lang="{{locale}}" dir="{{dir}}">
        <label for="body-{{key}}-{{locale}}">{{t.templates_body}}</label><textarea id="body-{{key}}-{{locale}}" name="body" lang="{{locale}}" dir="{{dir}}">{{body}}</textarea>
        <button type="submit">{{t.canned_save}}</button>
        </form>
        {{#customized}}<form method="post" action="/admin/mail-templates/{{key}}/{{locale}}/reset" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="secondary">{{t.templates_reset}}</button></form>{{/customized}}
        </details>{{/items}}{{/groups}}
        </div>
        """)
}
