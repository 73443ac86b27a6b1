import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Mustache

/// `/admin/queues`: each queue's email sender and acknowledgements, how it hands out tickets (pull or push, the
/// strategy, the offer timeout, skill relaxation, what happens when an agent goes offline) and who serves it; saved
/// through the same repository calls, checks and audit as the API.
struct QueuesAdminController {
    let directory: any DirectoryRepository
    let routing: any RoutingRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("admin/queues", use: list)
        group.post("admin/queues/:queue", use: save)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        return try await page(context, notice: AdminPage.notice(request, ["saved": "admin.saved"], locale: locale))
    }

    @Sendable func save(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(WorkspaceStrings.text("admin.only", context.locale))
        let slug = context.parameters.get("queue") ?? ""
        let form = context.form
        do {
            let mail = try QueueController.mailSettings(address: form["email_address"] ?? "", name: form["email_name"], acknowledge: form["acknowledge_\(slug)"] == "on")
            let relaxAfter = try form["relax_after"].flatMap { $0.isEmpty ? nil : $0 }.map { text -> Int in
                guard let minutes = Int(text) else { throw DomainError.invalid([FieldProblem(field: "relax_after", problem: "'\(text)' is not a number of minutes.")]) }
                return minutes * 60
            }
            let assignment = QueueAssignment(
                mode: form["mode"].flatMap(QueueAssignment.Mode.init(rawValue:)) ?? .pull,
                strategy: form["strategy"].flatMap(QueueAssignment.Strategy.init(rawValue:)) ?? .leastLoaded,
                offerTimeout: Int(form["offer_timeout"] ?? "") ?? 0, relaxAfter: relaxAfter,
                relaxTo: (form["relax_to"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                offline: form["offline"].flatMap(QueueAssignment.OfflinePolicy.init(rawValue:)) ?? .keep)
            // Checked before anything is written, so a refused form changes nothing.
            let problems = assignment.problems()
            guard problems.isEmpty else { throw DomainError.invalid(problems) }
            // Named per queue: every queue's form on the page lists the same agents.
            let members = try await directory.agents().filter { form["member_\(slug)_" + $0.id.uuidString.lowercased()] == "on" }.map { $0.id.uuidString.lowercased() }
            _ = try await routing.updateQueueRouting(slug, assignment: assignment, members: members, by: admin.id)
            _ = try await directory.updateQueueMail(slug, mail)
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await page(context, problem: refusal.problem, status: refusal.status)
        }
        return WorkspacePage.redirect("/admin/queues?notice=saved#queue-\(WebSessionMiddleware.queryEncoded(slug))")
    }

    private func page(_ context: AppRequestContext, notice: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let t = { (key: String) in WorkspaceStrings.text(key, locale) }
        let agents = try await directory.agents().filter(\.active)
        var queues: [[String: Any]] = []
        for queue in try await directory.queues() {
            let settings = try await routing.queueRouting(queue.slug)
            let assignment = settings.assignment, members = Set(settings.members.map(\.id))
            func options<T: RawRepresentable & CaseIterable>(_ type: T.Type, _ selected: T, prefix: String) -> [[String: Any]] where T.RawValue == String, T: Equatable {
                T.allCases.map { ["value": $0.rawValue, "label": t(prefix + $0.rawValue), "selected": $0 == selected] }
            }
            queues.append([
                "slug": queue.slug, "name": queue.name, "default": queue.isDefault,
                "address": queue.emailAddress ?? "", "senderName": queue.emailName ?? "", "acknowledge": queue.acknowledgeEmail,
                "modes": options(QueueAssignment.Mode.self, assignment.mode, prefix: "assignment.mode_"),
                "strategies": options(QueueAssignment.Strategy.self, assignment.strategy, prefix: "assignment.strategy_"),
                "offlines": options(QueueAssignment.OfflinePolicy.self, assignment.offline, prefix: "assignment.offline_"),
                "offerTimeout": assignment.offerTimeout, "relaxAfter": assignment.relaxAfter.map { String($0 / 60) } ?? "",
                "relaxTo": assignment.relaxTo.joined(separator: ", "),
                "summary": "\(t("assignment.mode_" + assignment.mode.rawValue)) · \(WorkspaceStrings.text("admin.members", locale, WorkspaceStrings.number(members.count, locale)))",
                "agents": agents.map { ["id": $0.id.uuidString.lowercased(), "name": $0.name, "member": members.contains($0.id)] },
            ])
        }
        let values: [String: Any] = ["t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "", "queues": queues]
        return AdminPage.render(.queues, content: Self.template.render(values), context: context, notice: notice, problem: problem, status: status)
    }

    static let template = try! MustacheTemplate(string: """
        <div class="admin">
        <h1>{{t.admin_queues}}</h1>
        {{#queues}}<details class="admin-item" id="queue-{{slug}}"><summary><strong>{{name}}</strong> <span class="hint" dir="ltr">{{slug}}</span>{{#default}} <span class="tag-internal">{{t.admin_default}}</span>{{/default}} · <span>{{summary}}</span></summary>
        <form method="post" action="/admin/queues/{{slug}}" class="admin-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset><legend>{{t.admin_email}}</legend>
        <label for="addr-{{slug}}">{{t.admin_sender_address}}</label><input type="email" id="addr-{{slug}}" name="email_address" value="{{address}}" dir="ltr">
        <label for="sender-{{slug}}">{{t.admin_sender_name}}</label><input type="text" id="sender-{{slug}}" name="email_name" value="{{senderName}}">
        <label class="choice"><input type="checkbox" name="acknowledge_{{slug}}"{{#acknowledge}} checked{{/acknowledge}}> {{t.admin_acknowledge}}</label>
        </fieldset>
        <fieldset><legend>{{t.admin_assignment}}</legend>
        <label for="mode-{{slug}}">{{t.admin_mode}}</label><select id="mode-{{slug}}" name="mode">{{#modes}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/modes}}</select>
        <label for="strategy-{{slug}}">{{t.admin_strategy}}</label><select id="strategy-{{slug}}" name="strategy">{{#strategies}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/strategies}}</select>
        <label for="timeout-{{slug}}">{{t.admin_offer_timeout}}</label><input type="number" id="timeout-{{slug}}" name="offer_timeout" value="{{offerTimeout}}" min="10" max="3600">
        <label for="relax-{{slug}}">{{t.admin_relax_after}}</label><input type="number" id="relax-{{slug}}" name="relax_after" value="{{relaxAfter}}" min="0">
        <label for="relaxto-{{slug}}">{{t.admin_relax_to}}</label><input type="text" id="relaxto-{{slug}}" name="relax_to" value="{{relaxTo}}" dir="ltr">
        <label for="offline-{{slug}}">{{t.admin_offline}}</label><select id="offline-{{slug}}" name="offline">{{#offlines}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/offlines}}</select>
        </fieldset>
        <fieldset><legend>{{t.admin_served_by}}</legend>
        {{#agents}}<label class="choice"><input type="checkbox" name="member_{{slug}}_{{id}}"{{#member}} checked{{/member}}> {{name}}</label>{{/agents}}
        </fieldset>
        <button type="submit">{{t.canned_save}}</button>
        </form></details>{{/queues}}
        </div>
        """)
}
