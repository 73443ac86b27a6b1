import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Mustache
import NIOCore

/// `/admin/routing`: the routing rules and SLA policies, edited as the JSON the API takes (`PUT /routing/rules`,
/// `PUT /sla/policies`) and checked the same way, and a sample ticket tried against what is saved ("this ticket
/// would go to …, because rule 3"). A refused list comes back as typed, with every problem.
struct RoutingAdminController {
    let routing: any RoutingRepository
    let book: RoutingBook

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("admin/routing", use: show)
        group.post("admin/routing/rules", use: saveRules)
        group.post("admin/routing/policies", use: savePolicies)
        group.post("admin/routing/test", use: test)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        return try await page(context, notice: AdminPage.notice(request, ["rules": "routing.rules_saved", "policies": "routing.policies_saved"], locale: locale))
    }

    @Sendable func saveRules(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await saveList("rules", context: context) { (rules: [RoutingRule], admin) in _ = try await routing.saveRules(rules, by: admin) }
    }

    @Sendable func savePolicies(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await saveList("policies", context: context) { (policies: [SLAPolicy], admin) in _ = try await routing.saveSLAPolicies(policies, by: admin) }
    }

    /// One list from its textarea (`field`), read as the API reads it and saved; refused, the page comes back with the
    /// text as typed and every problem.
    private func saveList<T: Decodable>(_ field: String, context: AppRequestContext, save: (T, UUID) async throws -> Void) async throws -> Response {
        let admin = try context.requireAdmin(WorkspaceStrings.text("admin.only", context.locale))
        let text = context.form[field] ?? ""
        do {
            try await save(try JSON.decode(T.self, from: ByteBuffer(string: text)), admin.id)
        } catch {
            let refusal = try AdminPage.refusal(error, withFields: true)
            return try await page(context, rules: field == "rules" ? text : nil, policies: field == "policies" ? text : nil, problem: refusal.problem, status: .unprocessableContent)
        }
        book.invalidate()
        return WorkspacePage.redirect("/admin/routing?notice=\(field)#\(field)")
    }

    /// A sample ticket planned with the saved rules and policies: the queue, the rule and why, the priority, the SLA.
    @Sendable func test(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        let form = context.form
        let sample = RoutingTicket(
            channel: form["channel"].flatMap(Channel.init(rawValue:)) ?? .email, language: form["language"].flatMap { $0.isEmpty ? nil : $0 },
            market: form["market"].flatMap { $0.isEmpty ? nil : $0.uppercased() }, topic: form["topic"].flatMap(Topic.init(rawValue:)),
            riskLevel: form["risk"].flatMap(RiskLevel.init(rawValue:)) ?? .none, harms: [],
            contactKind: form["kind"].flatMap(ContactKind.init(rawValue:)) ?? .user, tier: form["tier"].flatMap { $0.isEmpty ? nil : $0 },
            liveNow: form["live"] == "on", tags: (form["tags"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        let plan = try await routing.intakeRouting().plan(sample, namedQueue: nil, requested: .low, now: Date())
        let result: [String: Any] = [
            "queue": plan.note.queue ?? WorkspaceStrings.text("routing.default_queue", locale), "reason": plan.note.reason,
            "priority": WorkspaceStrings.text("priority." + plan.priority.rawValue, locale), "reasons": plan.note.priorityReasons.joined(separator: ", "),
            "policy": plan.policy?.name ?? "—",
        ]
        return try await page(context, sample: form, result: result)
    }

    private func page(_ context: AppRequestContext, rules: String? = nil, policies: String? = nil, sample: [String: String] = [:], result: [String: Any]? = nil,
                      notice: String? = nil, problem: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        func pretty(_ value: some Encodable) throws -> String { String(decoding: try JSON.prettyEncoder.encode(value), as: UTF8.self) }
        func options(_ values: [String], selected: String?, label: (String) -> String) -> [[String: Any]] {
            values.map { ["value": $0, "label": label($0), "selected": $0 == selected] }
        }
        let t = { (key: String) in WorkspaceStrings.text(key, locale) }
        let rulesText: String, policiesText: String
        if let rules { rulesText = rules } else { rulesText = try pretty(try await routing.rules()) }
        if let policies { policiesText = policies } else { policiesText = try pretty(try await routing.slaPolicies()) }
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "",
            "rules": rulesText, "policies": policiesText,
            "channels": options(Channel.allCases.map(\.rawValue), selected: sample["channel"]) { t("channel." + $0) },
            "risks": options(RiskLevel.allCases.map(\.rawValue), selected: sample["risk"]) { t("risk." + $0) },
            "kinds": options(ContactKind.allCases.map(\.rawValue), selected: sample["kind"]) { t("kind." + $0) },
            "language": sample["language"] ?? "", "market": sample["market"] ?? "", "tier": sample["tier"] ?? "", "tags": sample["tags"] ?? "",
            "live": sample["live"] == "on", "result": result ?? false,
        ]
        return AdminPage.render(.routing, content: Self.template.render(values), context: context, notice: notice, problem: problem, status: status)
    }

    static let template = try! MustacheTemplate(string: """
        <div class="admin">
        <h1>{{t.admin_routing}}</h1>
        <form method="post" action="/admin/routing/test" class="admin-form" id="routing-test">
        <h2>{{t.routing_test}}</h2>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <div class="row">
        <label for="test-channel">{{t.filter_channel}}</label><select id="test-channel" name="channel">{{#channels}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/channels}}</select>
        <label for="test-language">{{t.filter_language}}</label><input type="text" id="test-language" name="language" value="{{language}}" dir="ltr" size="6">
        <label for="test-market">{{t.contact_market}}</label><input type="text" id="test-market" name="market" value="{{market}}" dir="ltr" size="3">
        <label for="test-risk">{{t.triage_title}}</label><select id="test-risk" name="risk">{{#risks}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/risks}}</select>
        <label for="test-kind">{{t.contact_kind}}</label><select id="test-kind" name="kind">{{#kinds}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/kinds}}</select>
        <label for="test-tier">{{t.contact_tier}}</label><input type="text" id="test-tier" name="tier" value="{{tier}}" size="10">
        <label for="test-tags">{{t.props_tags}}</label><input type="text" id="test-tags" name="tags" value="{{tags}}">
        <label class="choice"><input type="checkbox" name="live"{{#live}} checked{{/live}}> {{t.details_live}}</label>
        </div>
        <button type="submit" id="routing-try">{{t.routing_try}}</button>
        {{#result}}<div class="result" id="routing-result" role="status"><p><strong>{{t.props_queue}}:</strong> {{queue}}</p><p lang="en" dir="ltr">{{reason}}</p>
        <p><strong>{{t.props_priority}}:</strong> {{priority}} <span lang="en" dir="ltr">{{reasons}}</span></p><p><strong>{{t.sla_title}}:</strong> {{policy}}</p></div>{{/result}}
        </form>
        <form method="post" action="/admin/routing/rules" class="admin-form" id="rules">
        <h2>{{t.routing_rules}}</h2>
        <p class="hint">{{t.routing_rules_hint}}</p>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="rules-json">{{t.routing_json}}</label><textarea id="rules-json" name="rules" dir="ltr" lang="en" class="code" spellcheck="false">{{rules}}</textarea>
        <button type="submit" id="rules-save">{{t.canned_save}}</button>
        </form>
        <form method="post" action="/admin/routing/policies" class="admin-form" id="policies">
        <h2>{{t.routing_policies}}</h2>
        <p class="hint">{{t.routing_policies_hint}}</p>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="policies-json">{{t.routing_json}}</label><textarea id="policies-json" name="policies" dir="ltr" lang="en" class="code" spellcheck="false">{{policies}}</textarea>
        <button type="submit" id="policies-save">{{t.canned_save}}</button>
        </form>
        </div>
        """)
}
