import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Mustache

/// `/admin/agents`: who works the desk, with their roles, presence and load; adding an agent (as `haven user add`
/// does) and setting what routing knows of them: languages with proficiency, markets, topics, chat and ticket
/// capacity (the API's `PATCH /agents/{id}/routing`, with its checks and audit).
struct AgentsAdminController {
    let directory: any DirectoryRepository
    let routing: any RoutingRepository
    let assignments: any AssignmentRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("admin", use: { _, _ in WorkspacePage.redirect("/admin/agents") })
        group.get("admin/agents", use: list)
        group.post("admin/agents", use: add)
        group.post("admin/agents/:agent/routing", use: saveRouting)
        group.post("admin/agents/:agent", use: saveAccount)
        group.post("admin/teams", use: addTeam)
    }

    /// Roles, team, and whether the agent may sign in. Switched off, their sessions and tokens stop working at once
    /// and they go offline (their offers withdrawn). An admin cannot take their own admin role or switch themselves
    /// off: the desk would be one admin short of getting them back.
    @Sendable func saveAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(WorkspaceStrings.text("admin.only", context.locale))
        guard let id = context.parameters.get("agent").flatMap(UUID.init(uuidString:)) else {
            throw APIError.notFound(WorkspaceStrings.text("admin.no_agent", context.locale))
        }
        let form = context.form
        let roles = AgentRole.allCases.filter { form["role_\(id.uuidString.lowercased())_" + $0.rawValue] == "on" }
        let active = form["active_\(id.uuidString.lowercased())"] == "on"
        if id == admin.id && (!roles.contains(.admin) || !active) {
            return try await page(context, problem: WorkspaceStrings.text("admin.not_yourself", context.locale), status: .unprocessableContent)
        }
        let team = form["team"].flatMap { $0.isEmpty ? nil : UUID(uuidString: $0) }
        _ = try await directory.updateAgent(id, AgentUpdate(roles: roles.isEmpty ? [.agent] : roles, team: .some(team), active: active), by: admin.id)
        if !active { _ = try await assignments.setPresence(.offline, for: id) }
        return WorkspacePage.redirect("/admin/agents?notice=saved#agent-\(id.uuidString.lowercased())")
    }

    @Sendable func addTeam(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try AdminPage.admin(context)
        let name = TextNormalizer.line(context.form["name"] ?? "")
        guard !name.isEmpty, name.count <= 100 else {
            return try await page(context, problem: WorkspaceStrings.text("admin.team_name", context.locale), status: .unprocessableContent)
        }
        _ = try await directory.addTeam(name: name)
        return WorkspacePage.redirect("/admin/agents?notice=team#teams")
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        return try await page(context, notice: AdminPage.notice(request, ["added": "admin.agent_added", "saved": "admin.saved", "team": "admin.team_added"], locale: locale))
    }

    @Sendable func add(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = try AdminPage.admin(context)
        let form = context.form
        var problems: [String] = []
        let email = EmailAddress.normalize(form["email"] ?? "")
        if email == nil { problems.append(WorkspaceStrings.text("admin.bad_email", locale)) }
        let name = TextNormalizer.line(form["name"] ?? "")
        if name.isEmpty { problems.append(WorkspaceStrings.text("admin.no_name", locale)) }
        let password = form["password"] ?? ""
        if password.count < Passwords.minimumLength {
            problems.append(WorkspaceStrings.text("admin.short_password", locale, WorkspaceStrings.number(Passwords.minimumLength, locale)))
        }
        let roles = AgentRole.allCases.filter { form["role_" + $0.rawValue] == "on" }
        let languages = (form["languages"] ?? "").split(separator: ",").compactMap { LocaleTag.normalize($0.trimmingCharacters(in: .whitespaces)) }
        if let email, problems.isEmpty {
            do {
                _ = try await directory.addAgent(NewAgent(
                    email: email, name: name, passwordHash: try await Passwords.hash(password), roles: roles.isEmpty ? [.agent] : roles,
                    languages: languages.isEmpty ? ["en"] : languages))
                return WorkspacePage.redirect("/admin/agents?notice=added")
            } catch is DuplicateName {
                problems.append(WorkspaceStrings.text("admin.email_taken", locale, email))
            }
        }
        // The password is not sent back.
        var typed = form
        typed["password"] = nil
        return try await page(context, typed: typed, problem: problems.joined(separator: " "), status: .unprocessableContent)
    }

    @Sendable func saveRouting(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(WorkspaceStrings.text("admin.only", context.locale))
        let agent = context.parameters.get("agent") ?? ""
        let form = context.form
        do {
            let skills = AgentSkills(
                languages: try Self.languages(form["skill_languages"] ?? ""),
                markets: (form["markets"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty },
                // Named per agent: every agent's form on the page has the same checkboxes.
                topics: Topic.allCases.filter { form["topic_\(agent.lowercased())_" + $0.rawValue] == "on" })
            let capacity = AgentCapacity(chat: Int(form["chats"] ?? "") ?? -1, ticket: Int(form["tickets"] ?? "") ?? -1)
            _ = try await routing.updateAgentRouting(agent, skills: skills, capacity: capacity, by: admin.id)
        } catch {
            let refusal = try AdminPage.refusal(error)
            return try await page(context, problem: refusal.problem, status: refusal.status)
        }
        return WorkspacePage.redirect("/admin/agents?notice=saved#agent-\(WebSessionMiddleware.queryEncoded(agent))")
    }

    /// "pt-BR:native, en:fluent, fr" (a language without a level is fluent).
    static func languages(_ text: String) throws -> [AgentSkills.Language] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { item in
            let parts = item.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 1 || AgentSkills.Language.Level(rawValue: parts[1].lowercased()) != nil else {
                let levels = AgentSkills.Language.Level.allCases.map(\.rawValue).joined(separator: ", ")
                throw DomainError.invalid([FieldProblem(field: "skills.languages", problem: "'\(item)': the level after ':' is one of \(levels).")])
            }
            return AgentSkills.Language(parts[0], parts.count == 2 ? AgentSkills.Language.Level(rawValue: parts[1].lowercased())! : .fluent)
        }
    }

    private func page(_ context: AppRequestContext, typed: [String: String] = [:], notice: String? = nil, problem: String? = nil,
                      status: HTTPResponse.Status = .ok) async throws -> Response {
        let locale = context.locale
        let t = { (key: String) in WorkspaceStrings.text(key, locale) }
        let teams = try await directory.teams()
        let allAgents = try await directory.agents()
        let routings = try await routing.agentRoutings()
        var agents: [[String: Any]] = []
        for agent in allAgents {
            guard let settings = routings[agent.id] else { continue }
            let id = agent.id.uuidString.lowercased()
            agents.append([
                "id": id, "name": agent.name, "email": agent.email, "active": agent.active,
                "roles": agent.roles.map { t("role." + $0.rawValue) }.joined(separator: ", "),
                "presence": t("presence." + settings.presence.rawValue),
                "load": WorkspaceStrings.text("admin.load", locale)
                    .replacingOccurrences(of: "{chats}", with: WorkspaceStrings.number(settings.load.chats, locale))
                    .replacingOccurrences(of: "{chat_capacity}", with: WorkspaceStrings.number(settings.capacity.chat, locale))
                    .replacingOccurrences(of: "{tickets}", with: WorkspaceStrings.number(settings.load.tickets, locale))
                    .replacingOccurrences(of: "{ticket_capacity}", with: WorkspaceStrings.number(settings.capacity.ticket, locale)),
                "skillLanguages": settings.skills.languages.map { "\($0.tag):\($0.level.rawValue)" }.joined(separator: ", "),
                "markets": settings.skills.markets.joined(separator: ", "),
                "topics": Topic.allCases.map { ["value": $0.rawValue, "label": ContactFormStrings.category($0, locale), "checked": settings.skills.topics.contains($0)] },
                "chats": settings.capacity.chat, "tickets": settings.capacity.ticket,
                "roleChoices": AgentRole.allCases.map { ["value": $0.rawValue, "label": t("role." + $0.rawValue), "checked": agent.roles.contains($0)] },
                "teamChoices": [["value": "", "label": "—", "selected": agent.teamID == nil]]
                    + teams.map { ["value": $0.id.uuidString.lowercased(), "label": $0.name, "selected": $0.id == agent.teamID] },
                "team": teams.first { $0.id == agent.teamID }?.name ?? false,
            ])
        }
        let values: [String: Any] = [
            "t": WorkspaceStrings.mustache(locale), "csrf": context.webSession?.csrfToken ?? "", "agents": agents,
            "roles": AgentRole.allCases.map { ["value": $0.rawValue, "label": t("role." + $0.rawValue), "checked": typed["role_" + $0.rawValue] == "on" || (typed.isEmpty && $0 == .agent)] },
            "email": typed["email"] ?? "", "name": typed["name"] ?? "", "languages": typed["languages"] ?? "",
            "teams": teams.map { team in ["name": team.name, "count": WorkspaceStrings.number(allAgents.filter { $0.teamID == team.id }.count, locale)] },
            "hasTeams": !teams.isEmpty,
        ]
        return AdminPage.render(.agents, content: Self.template.render(values), context: context, notice: notice, problem: problem, status: status)
    }

    static let template = try! MustacheTemplate(string: """
        <div class="admin">
        <h1>{{t.admin_agents}}</h1>
        {{#agents}}<details class="admin-item" id="agent-{{id}}"><summary><strong>{{name}}</strong> <span dir="ltr">{{email}}</span> · {{roles}}{{#team}} · {{team}}{{/team}} · {{presence}} · {{load}}{{^active}} · {{t.admin_inactive}}{{/active}}</summary>
        <form method="post" action="/admin/agents/{{id}}" class="admin-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset><legend>{{t.admin_roles}}</legend>{{#roleChoices}}<label class="choice"><input type="checkbox" name="role_{{id}}_{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/roleChoices}}</fieldset>
        <label for="team-{{id}}">{{t.admin_team}}</label><select id="team-{{id}}" name="team">{{#teamChoices}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/teamChoices}}</select>
        <label class="choice"><input type="checkbox" name="active_{{id}}"{{#active}} checked{{/active}} id="active-{{id}}"> {{t.admin_may_sign_in}}</label>
        <button type="submit">{{t.canned_save}}</button>
        </form>
        <form method="post" action="/admin/agents/{{id}}/routing" class="admin-form">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="langs-{{id}}">{{t.admin_skill_languages}}</label><input type="text" id="langs-{{id}}" name="skill_languages" value="{{skillLanguages}}" dir="ltr">
        <label for="markets-{{id}}">{{t.admin_markets}}</label><input type="text" id="markets-{{id}}" name="markets" value="{{markets}}" dir="ltr">
        <fieldset><legend>{{t.admin_topics}}</legend>{{#topics}}<label class="choice"><input type="checkbox" name="topic_{{id}}_{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/topics}}</fieldset>
        <label for="chats-{{id}}">{{t.admin_chat_capacity}}</label><input type="number" id="chats-{{id}}" name="chats" value="{{chats}}" min="0">
        <label for="tickets-{{id}}">{{t.admin_ticket_capacity}}</label><input type="number" id="tickets-{{id}}" name="tickets" value="{{tickets}}" min="0">
        <button type="submit">{{t.canned_save}}</button>
        </form></details>{{/agents}}
        <section id="teams"><h2>{{t.admin_teams}}</h2>
        {{#hasTeams}}<ul>{{#teams}}<li>{{name}} · {{count}}</li>{{/teams}}</ul>{{/hasTeams}}
        <form method="post" action="/admin/teams" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><label for="team-name">{{t.admin_new_team}}</label> <input type="text" id="team-name" name="name" required maxlength="100"> <button type="submit" id="team-add">{{t.admin_add}}</button></form>
        </section>
        <form method="post" action="/admin/agents" class="admin-form" id="add-agent">
        <h2>{{t.admin_add_agent}}</h2>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label for="agent-email">{{t.signin_email}}</label><input type="email" id="agent-email" name="email" value="{{email}}" dir="ltr" required>
        <label for="agent-name">{{t.canned_name}}</label><input type="text" id="agent-name" name="name" value="{{name}}" required>
        <label for="agent-password">{{t.admin_first_password}}</label><input type="password" id="agent-password" name="password" autocomplete="new-password" dir="ltr" required>
        <fieldset><legend>{{t.admin_roles}}</legend>{{#roles}}<label class="choice"><input type="checkbox" name="role_{{value}}"{{#checked}} checked{{/checked}}> {{label}}</label>{{/roles}}</fieldset>
        <label for="agent-languages">{{t.admin_languages}}</label><input type="text" id="agent-languages" name="languages" value="{{languages}}" dir="ltr" placeholder="pt-BR, en">
        <button type="submit" id="agent-add">{{t.admin_add}}</button>
        </form>
        </div>
        """)
}
