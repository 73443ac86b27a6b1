import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// The admin pages on the real app and database: only admins get in; agents, queues, routing rules and SLA
/// policies, and the mail quarantine are changed with the API's checks, and a refused form says why and keeps what
/// was typed. Each page is also checked with axe in Chromium (scripts/e2e-workspace.py).
@Suite struct AdminPagesTests {
    func signedInAdmin(_ app: TestApp, _ client: any TestClientProtocol) async throws -> (Browser, String) {
        var browser = Browser(client: client)
        _ = try await browser.signIn(app.admin.agent.email, testPassword)
        let csrf = try #require(try await browser.get("/inbox").value(of: "csrf"))
        return (browser, csrf)
    }

    @Test func onlyAdminsGetIn() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let lead = try await addAgent(app.services, email: "lead2@haven.test", roles: [.lead, .safety])
            var browser = Browser(client: client)
            _ = try await browser.signIn(lead.agent.email, testPassword)
            let csrf = try #require(try await browser.get("/inbox").value(of: "csrf"))
            for page in ["/admin/agents", "/admin/queues", "/admin/routing", "/admin/mail-quarantine", "/admin/canned-responses", "/admin/mail-templates"] {
                let answer = try await browser.get(page)
                #expect(answer.status == .forbidden && answer.text.contains("Only an admin can change this."), "\(page)")
            }
            for form in ["/admin/agents", "/admin/queues/general", "/admin/routing/rules", "/admin/routing/policies", "/admin/teams",
                         "/admin/agents/\(lead.agent.id.uuidString.lowercased())", "/admin/mail-templates/solved/en"] {
                #expect(try await browser.post(form, ["csrf": csrf]).status == .forbidden, "\(form)")
            }
            #expect(try await app.services.directory.agents().count == 2)
            let (admin, _) = try await signedInAdmin(app, client)
            var adminBrowser = admin
            #expect(try await adminBrowser.get("/admin").headers[.location] == "/admin/agents")
        }
    }

    @Test func anAdminAddsAnAgentAndSetsWhatRoutingKnowsOfThem() async throws {
        try await withApp { app, client in
            var (browser, csrf) = try await signedInAdmin(app, client)
            let refused = try await browser.post("/admin/agents", ["email": "not an email", "name": "Karim", "password": "short", "role_safety": "on", "csrf": csrf])
            #expect(refused.status == .unprocessableContent)
            #expect(refused.plain.contains("Give the agent's email address.") && refused.text.contains("at least 10 characters"))
            #expect(refused.text.contains("value=\"Karim\"") && !refused.text.contains("value=\"short\""))
            let added = try await browser.post(
                "/admin/agents", ["email": "Karim@Haven.test", "name": "Karim Naceur", "password": "a long first password", "role_agent": "on", "role_safety": "on",
                                  "languages": "ar, fr", "csrf": csrf])
            #expect(added.headers[.location] == "/admin/agents?notice=added")
            let karim = try #require(try await app.services.directory.agents().first { $0.email == "karim@haven.test" })
            #expect(karim.roles == [.agent, .safety] && karim.languages == ["ar", "fr"])
            var theirs = Browser(client: client)
            #expect(try await theirs.signIn("karim@haven.test", "a long first password").headers[.location] == "/inbox")
            #expect(try await browser.post("/admin/agents", ["email": "karim@haven.test", "name": "K", "password": "another long one", "csrf": csrf])
                .text.contains("An agent with the email karim@haven.test already exists."))

            let id = karim.id.uuidString.lowercased()
            let bad = try await browser.post("/admin/agents/\(id)/routing", ["skill_languages": "ar:perfect", "chats": "2", "tickets": "8", "csrf": csrf])
            #expect(bad.status == .unprocessableContent && bad.plain.contains("'ar:perfect': the level after ':' is one of basic, working, fluent, native."))
            let saved = try await browser.post(
                "/admin/agents/\(id)/routing", ["skill_languages": "ar:native, fr", "markets": "sa, ma", "topic_\(id)_live_gifts": "on", "chats": "2", "tickets": "8", "csrf": csrf])
            #expect(saved.status == .seeOther, "\(saved.text)")
            let routing = try await app.services.routing.agentRouting(id)
            #expect(routing.skills.languages == [.init("ar", .native), .init("fr", .fluent)] && routing.skills.markets == ["SA", "MA"])
            #expect(routing.skills.topics == [.liveGifts] && routing.capacity == AgentCapacity(chat: 2, ticket: 8))
            #expect(try await browser.get("/admin/agents").text.contains("0/2 chats, 0/8 tickets"))
        }
    }

    @Test func anAdminSetsAQueuesSenderAssignmentAndMembers() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "br-account", name: "BR · Account access", team: nil, isDefault: true)
            let rafaela = try await addAgent(app.services, email: "rafaela@haven.test", name: "Rafaela Costa")
            var (browser, csrf) = try await signedInAdmin(app, client)
            #expect(try await browser.get("/admin/queues").text.contains("id=\"queue-br-account\""))
            // Refused: nothing changes, and the page says why.
            let refused = try await browser.post("/admin/queues/br-account", ["email_address": "suporte@", "mode": "push", "offer_timeout": "60", "csrf": csrf])
            #expect(refused.status == .unprocessableContent && refused.plain.contains("'suporte@' is not an email address."))
            let timeout = try await browser.post("/admin/queues/br-account", ["mode": "push", "offer_timeout": "5", "csrf": csrf])
            #expect(timeout.status == .unprocessableContent && timeout.text.contains("Between 10 and 3600 seconds."))
            #expect(try await app.services.routing.queueRouting("br-account").assignment.mode == .pull)

            let saved = try await browser.post("/admin/queues/br-account", [
                "email_address": "Suporte@Haven.test", "email_name": "Suporte BR", "acknowledge_br-account": "on", "mode": "push", "strategy": "longest_idle",
                "offer_timeout": "90", "relax_after": "10", "relax_to": "en", "offline": "requeue",
                "member_br-account_\(rafaela.agent.id.uuidString.lowercased())": "on", "csrf": csrf,
            ])
            #expect(saved.status == .seeOther, "\(saved.text)")
            let routing = try await app.services.routing.queueRouting("br-account")
            #expect(routing.assignment == QueueAssignment(mode: .push, strategy: .longestIdle, offerTimeout: 90, relaxAfter: 600, relaxTo: ["en"], offline: .requeue))
            #expect(routing.members.map(\.id) == [rafaela.agent.id])
            let queue = try #require(try await app.services.directory.queues().first)
            #expect(queue.emailAddress == "suporte@haven.test" && queue.emailName == "Suporte BR" && queue.acknowledgeEmail)
            #expect(try await app.services.routing.audit(limit: 10, before: nil).contains { $0.action.hasPrefix("queue") })
        }
    }

    @Test func routingRulesAndPoliciesAreEditedAndASampleTicketTried() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            _ = try await app.services.directory.addQueue(slug: "br-account", name: "BR · Account access", team: nil, isDefault: false)
            var (browser, csrf) = try await signedInAdmin(app, client)
            let wrong = #"[{"name": "BR", "queue": "nowhere", "conditions": []}]"#
            let refused = try await browser.post("/admin/routing/rules", ["rules": wrong, "csrf": csrf])
            #expect(refused.status == .unprocessableContent && refused.text.contains("rules[0].queue"))
            #expect(refused.text.contains("&quot;nowhere&quot;"))
            let malformed = try await browser.post("/admin/routing/rules", ["rules": "[{", "csrf": csrf])
            #expect(malformed.status == .unprocessableContent)
            let rules = #"[{"name": "BR · Account access", "queue": "br-account", "conditions": [{"field": "language", "op": "is", "values": ["pt"]}]}]"#
            #expect(try await browser.post("/admin/routing/rules", ["rules": rules, "csrf": csrf]).headers[.location] == "/admin/routing?notice=rules#rules")
            #expect(try await app.services.routing.rules().map(\.queue) == ["br-account"])
            let page = try await browser.get("/admin/routing")
            #expect(page.text.contains("&quot;br-account&quot;"))

            let tried = try await browser.post("/admin/routing/test", ["channel": "email", "language": "pt-BR", "risk": "none", "kind": "user", "csrf": csrf])
            #expect(tried.text.contains("id=\"routing-result\"") && tried.text.contains("br-account"))
            #expect(tried.text.contains("rule 1"))
            let critical = try await browser.post("/admin/routing/test", ["channel": "email", "language": "pt-BR", "risk": "critical", "kind": "user", "csrf": csrf])
            #expect(critical.text.contains("critical risk: the safety queue, before any rule"))

            // A policy without targets is refused as the API refuses it; with them, saved.
            let noTargets = try await browser.post("/admin/routing/policies", ["policies": #"[{"name": "Everyone"}]"#, "csrf": csrf])
            #expect(noTargets.status == .unprocessableContent && noTargets.text.contains("targets"))
            let policies = #"[{"name": "Everyone", "targets": {"first_reply_seconds": 3600}}]"#
            #expect(try await browser.post("/admin/routing/policies", ["policies": policies, "csrf": csrf]).status == .seeOther)
            #expect(try await app.services.routing.slaPolicies().map(\.name) == ["Everyone"])
        }
    }

    @Test func aQuarantinedMailIsDownloadedAndReprocessedIntoAQueue() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let raw = mail(id: "q@example.com", body: "Para a fila errada.")
            let held = try await app.services.mailIntake.ingest(raw, queue: "no-such-queue", source: "test")
            let id = try #require(held.quarantineID).uuidString.lowercased()
            var (browser, csrf) = try await signedInAdmin(app, client)
            let page = try await browser.get("/admin/mail-quarantine")
            #expect(page.text.contains("id=\"q-\(id)\"") && page.text.contains("no-such-queue"))
            let original = try await browser.get("/admin/mail-quarantine/\(id)/raw")
            #expect(original.status == .ok && original.text.contains("Para a fila errada."))
            let reprocessed = try await browser.post("/admin/mail-quarantine/\(id)/reprocess", ["queue": "general", "csrf": csrf])
            #expect(reprocessed.headers[.location] == "/admin/mail-quarantine?notice=reprocessed")
            #expect(try await app.services.mail.quarantined(id: UUID(uuidString: id)!)?.status == "reprocessed")
            // Twice: a page that says it was already done.
            let again = try await browser.post("/admin/mail-quarantine/\(id)/reprocess", ["csrf": csrf])
            #expect(again.status == .conflict && again.text.contains("already reprocessed"))
        }
    }
}

extension AdminPagesTests {
    @Test func anAdminChangesRolesAndTeamsAndSwitchesAnAgentOffButNotThemselves() async throws {
        try await withApp { app, client in
            let bob = try await addAgent(app.services, email: "bob@haven.test", name: "Bob Costa")
            var theirs = Browser(client: client)
            _ = try await theirs.signIn(bob.agent.email, testPassword)
            #expect(try await theirs.get("/inbox").status == .ok)
            var (browser, csrf) = try await signedInAdmin(app, client)
            #expect(try await browser.post("/admin/teams", ["name": "BR", "csrf": csrf]).headers[.location] == "/admin/agents?notice=team#teams")
            let team = try #require(try await app.services.directory.teams().first)
            let id = bob.agent.id.uuidString.lowercased()
            let saved = try await browser.post("/admin/agents/\(id)", [
                "role_\(id)_agent": "on", "role_\(id)_safety": "on", "team": team.id.uuidString.lowercased(), "active_\(id)": "on", "csrf": csrf,
            ])
            #expect(saved.status == .seeOther, "\(saved.text)")
            var stored = try #require(try await app.services.directory.agents().first { $0.id == bob.agent.id })
            #expect(stored.roles == [.agent, .safety] && stored.teamID == team.id && stored.active)
            #expect(try await browser.get("/admin/agents").text.contains("BR · 1"))
            // Switched off: they go offline, their session ends at once, and the change is audited.
            #expect(try await app.services.routing.agentRouting(id).presence == .online)
            let off = try await browser.post("/admin/agents/\(id)", ["role_\(id)_agent": "on", "team": "", "csrf": csrf])
            #expect(off.status == .seeOther, "\(off.text)")
            #expect(try await app.services.routing.agentRouting(id).presence == .offline)
            stored = try #require(try await app.services.directory.agents().first { $0.id == bob.agent.id })
            #expect(!stored.active && stored.teamID == nil)
            #expect(try await theirs.get("/inbox").headers[.location]?.hasPrefix("/login") == true)
            #expect(try await app.services.routing.audit(limit: 5, before: nil).filter { $0.action == "agent.updated" }.count == 2)
            // Not themselves.
            let me = app.admin.agent.id.uuidString.lowercased()
            let refused = try await browser.post("/admin/agents/\(me)", ["role_\(me)_agent": "on", "active_\(me)": "on", "csrf": csrf])
            #expect(refused.status == .unprocessableContent && refused.plain.contains("You cannot take your own admin role"))
            #expect(try await app.services.directory.agents().first { $0.id == app.admin.agent.id }?.roles.contains(.admin) == true)
        }
    }

    @Test func anAdminEditsASystemMailAndPutsHavensBack() async throws {
        try await withApp { app, client in
            var (browser, csrf) = try await signedInAdmin(app, client)
            let page = try await browser.get("/admin/mail-templates")
            #expect(page.status == .ok && page.text.contains("id=\"acknowledgement-pt-BR\""))
            let refused = try await browser.post("/admin/mail-templates/acknowledgement/pt-BR", ["subject": "Recebemos {{assunto}}", "body": "Olá", "csrf": csrf])
            #expect(refused.status == .unprocessableContent && refused.plain.contains("uses {{assunto}}"))
            #expect(refused.text.contains("value=\"Recebemos {{assunto}}\""))
            let saved = try await browser.post(
                "/admin/mail-templates/acknowledgement/pt-BR", ["subject": "Recebemos o pedido #{{ticket_number}}", "body": "Olá, {{customer_name}}!", "csrf": csrf])
            #expect(saved.headers[.location] == "/admin/mail-templates?notice=saved#acknowledgement-pt-BR")
            #expect(try await app.services.mailTemplates.override(key: "acknowledgement", locale: "pt-BR")?.subject == "Recebemos o pedido #{{ticket_number}}")
            _ = try await browser.post("/admin/mail-templates/acknowledgement/pt-BR/reset", ["csrf": csrf])
            #expect(try await app.services.mailTemplates.override(key: "acknowledgement", locale: "pt-BR") == nil)
            #expect(try await browser.post("/admin/mail-templates/nonsense/pt-BR", ["subject": "x", "body": "y", "csrf": csrf]).status == .notFound)
        }
    }
}
