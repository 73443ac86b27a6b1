import Foundation
import HavenApp
import HavenCore
@testable import HavenStorage
import Hummingbird
import HummingbirdTesting
import SQLKit
import Testing

/// Routing rules, SLA policies, assignment (pull, push, presence) through the API, on the real app and database.
@Suite struct RoutingAPITests {
    @Test func rulesAreValidatedTestableAuditedAndRouteNewTickets() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            _ = try await app.services.directory.addQueue(slug: "br-account", name: "BR · Account access", team: nil, isDefault: false)
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            let rules: [[String: Any]] = [
                ["name": "BR · Account access", "queue": "br-account",
                 "conditions": [["field": "language", "op": "is", "values": ["pt"]], ["field": "channel", "op": "is", "values": ["email"]]]],
            ]
            // Only admins change rules; a wrong rule is refused with every problem by field.
            try await client.execute(uri: "/api/v1/routing/rules", method: .put, headers: agent.header, body: json(["rules": rules])) {
                try expectProblem($0, .forbidden, code: "forbidden")
            }
            let wrong: [[String: Any]] = [
                ["name": "Everything", "queue": "general", "conditions": []],
                ["name": "", "queue": "nowhere", "conditions": [["field": "channel", "op": "is", "values": ["fax"]]]],
            ]
            try await client.execute(uri: "/api/v1/routing/rules", method: .put, headers: app.admin.header, body: json(["rules": wrong])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["rules[1].name", "rules[1].queue", "rules[1].conditions[0].values", "rules[1]"])
            }
            try await client.execute(uri: "/api/v1/routing/rules", method: .put, headers: app.admin.header, body: json(["rules": rules])) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
            // "This ticket would go to …, because rule 1."
            try await client.execute(
                uri: "/api/v1/routing/test", method: .post, headers: agent.header, body: json(["channel": "email", "language": "pt-BR", "tier": "gold"])
            ) {
                let result = try object($0)
                #expect(result["queue"] as? String == "br-account")
                #expect(result["rule"] as? Int == 1)
                #expect(result["reason"] as? String == "rule 1 'BR · Account access': language is pt-BR, channel is email")
                #expect(result["priority_reasons"] as? [String] == ["white-glove tier gold"])
            }
            try await client.execute(uri: "/api/v1/routing/test", method: .post, headers: agent.header, body: json(["channel": "web", "language": "pt-BR"])) {
                let result = try object($0)
                #expect(result["queue"] as? String == "general")
                #expect(result["reason"] as? String == "no rule matched: the default queue")
            }
            // New tickets follow the rules, with the reason on the ticket and in its log.
            let routed = try await client.createTicket(agent, ticketBody("Não consigo entrar na minha conta desde ontem"))
            #expect((routed["queue"] as? [String: Any])?["slug"] as? String == "br-account")
            #expect(routed["routing_reason"] as? String == "rule 1 'BR · Account access': language is pt-BR, channel is email")
            let other = try await client.createTicket(agent, ticketBody("I cannot log in", email: "bo@example.com", locale: "en"))
            #expect((other["queue"] as? [String: Any])?["slug"] as? String == "general")
            let named = try await client.createTicket(agent, ticketBody("Outra pergunta", extra: ["queue": "general"]))
            #expect(named["routing_reason"] as? String == "the request named the queue 'general'")
            // The change is in the audit log, with the rules before and after.
            try await client.execute(uri: "/api/v1/audit", method: .get, headers: app.admin.header) {
                let entries = try #require(try object($0)["items"] as? [[String: Any]])
                #expect(entries.count == 1)
                #expect(entries.first?["action"] as? String == "routing_rules.replaced")
                #expect(entries.first?["actor_id"] as? String == app.admin.agent.id.uuidString)
                #expect((entries.first?["before"] as? [Any])?.isEmpty == true)
                #expect(((entries.first?["after"] as? [[String: Any]])?.first)?["name"] as? String == "BR · Account access")
            }
            try await client.execute(uri: "/api/v1/audit", method: .get, headers: agent.header) { try expectProblem($0, .forbidden, code: "forbidden") }
            try await client.execute(uri: "/api/v1/audit?limit=0", method: .get, headers: app.admin.header) {
                try expectProblem($0, .unprocessableContent, code: "validation_failed")
            }
        }
    }

    /// An in-app request from a creator whose LIVE is on: routed by the rule on `live_now` and the stored contact's
    /// market, urgent, and explained.
    @Test func aLiveCreatorsInAppRequestIsRoutedAndUrgent() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            _ = try await app.services.directory.addQueue(slug: "br-live", name: "BR · LIVE", team: nil, isDefault: false)
            _ = try await app.services.routing.saveRules(
                [RoutingRule(name: "BR · LIVE", conditions: [RoutingCondition(.liveNow, .is, ["true"]), RoutingCondition(.market, .is, ["BR"])], queue: "br-live")],
                by: app.admin.agent.id)
            let secret = try await client.registerApp(app)
            let user = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-7"), secret: secret))
            let created = try await client.createRequest(user, requestBody("A live caiu no meio da transmissão", category: "bug", extra: ["live_now": true]))
            let id = try #require(created["id"] as? String)
            let ticket = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .get, headers: app.admin.header) { try object($0) }
            #expect((ticket["queue"] as? [String: Any])?["slug"] as? String == "br-live")
            #expect(ticket["routing_reason"] as? String == "rule 1 'BR · LIVE': live_now is true, market is BR")
            #expect(ticket["priority"] as? String == "urgent")
            #expect(ticket["priority_reasons"] as? [String] == ["creator is LIVE now", "white-glove tier gold"])
            #expect((ticket["details"] as? [String: Any])?["live_now"] as? Bool == true)
            let quiet = try await client.createRequest(user, requestBody("Pergunta sobre a live de ontem", category: "bug"))
            let other = try await client.execute(uri: "/api/v1/tickets/\(quiet["id"] as! String)", method: .get, headers: app.admin.header) { try object($0) }
            #expect((other["queue"] as? [String: Any])?["slug"] as? String == "general")
            #expect(other["priority"] as? String == "high")
            #expect(other["priority_reasons"] as? [String] == ["white-glove tier gold"])
        }
    }

    /// Presence follows the agent: idle, online becomes away and then offline (a held ticket goes back to a queue
    /// whose offline policy says so); a page the agent opens brings them back online when Haven had set them away,
    /// a page's own refresh does not, and a presence the agent chose stands.
    @Test func presenceFollowsTheAgent() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            let policy = PresencePolicy(awayAfter: 600, offlineAfter: 3_600)
            let queue = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let ana = try await addAgent(app.services, email: "ana@haven.test")
            var settings = QueueAssignment()
            settings.offline = .requeue
            _ = try await app.services.routing.updateQueueRouting(queue.slug, assignment: settings, members: [ana.agent.id.uuidString], by: app.admin.agent.id)
            let presence = { try await app.services.routing.agentRouting(ana.agent.id.uuidString).presence }
            var browser = Browser(client: client)
            _ = try await browser.signIn("ana@haven.test", testPassword)
            let navigate = ["Sec-Fetch-Mode": "navigate"]
            _ = try await browser.send("/inbox", method: .get, headers: navigate)
            #expect(try await presence() == .online)
            let created = try await client.createTicket(app.admin, ticketBody("My account is locked"))
            let number = try #require(created["number"] as? Int)
            _ = try await app.services.tickets.update(.number(number), with: TicketUpdate(assignee: .some(ana.agent.id.uuidString)),
                                                      actor: .agent(app.admin.agent.id.uuidString.lowercased()))

            // The test clock also runs with real time: a margin either side of the ten minutes.
            clock.advance(by: 500)
            #expect(try await app.services.assignments.applyIdle(policy) == 0)
            clock.advance(by: 200)
            #expect(try await app.services.assignments.applyIdle(policy) == 1)
            #expect(try await presence() == .away)
            // A page's own refresh (a fetch) is not the agent at work.
            _ = try await browser.get("/inbox")
            #expect(try await presence() == .away)
            // Opening a page is: online again at once, and the page shows it.
            let page = try await browser.send("/inbox", method: .get, headers: navigate)
            #expect(try await presence() == .online)
            #expect(page.text.contains(#"<option value="online" selected>"#))

            // An hour without activity: offline, by the system, and the ticket is back in its queue.
            clock.advance(by: 3_600)
            #expect(try await app.services.assignments.applyIdle(policy) == 1)
            #expect(try await presence() == .offline)
            let events = try #require(try await app.services.tickets.events(of: .number(number)))
            let unassigned = try #require(events.last { $0.type == "assignee.changed" })
            #expect(unassigned.actor.kind == .system)
            #expect(try await app.services.tickets.find(.number(number), includeInternal: false)?.assignee == nil)
            _ = try await browser.send("/inbox", method: .get, headers: navigate)
            #expect(try await presence() == .online)

            // Away by the agent's own choice stays away when they are active.
            clock.advance(by: 120)
            _ = try await browser.post("/settings/presence", ["presence": "away", "csrf": try #require(page.value(of: "csrf"))])
            clock.advance(by: 120)
            _ = try await browser.send("/inbox", method: .get, headers: navigate)
            #expect(try await presence() == .away)
        }
    }

    @Test func slaPoliciesWarnBreachAndActFromTheEventLog() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            _ = try await app.services.directory.addQueue(slug: "escalations", name: "Escalations", team: nil, isDefault: false)
            let policies: [[String: Any]] = [[
                "name": "Portuguese", "conditions": [["field": "language", "op": "is", "values": ["pt"]]],
                "targets": ["first_reply_seconds": 3_600], "calendar": ["time_zone": "UTC", "week": (1...7).reduce(into: [String: Any]()) { $0["\($1)"] = ["00:00-24:00"] }],
                "warn_before_seconds": 600,
                "on_breach": [["action": "raise_priority", "priority": "urgent"], ["action": "move_queue", "queue": "escalations"], ["action": "notify_leads"]],
            ]]
            var wrong = policies[0]
            wrong["on_breach"] = [["action": "move_queue", "queue": "nowhere"]]
            wrong["calendar"] = ["time_zone": "Mars/Olympus", "week": [:] as [String: Any]]
            try await client.execute(uri: "/api/v1/sla/policies", method: .put, headers: app.admin.header, body: json(["policies": [wrong]])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["policies[0].calendar.time_zone", "policies[0].on_breach[0].queue"])
            }
            try await client.execute(uri: "/api/v1/sla/policies", method: .put, headers: app.admin.header, body: json(["policies": policies])) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
            let created = try await client.createTicket(app.admin, ticketBody("Minha live caiu e ninguém responde"))
            let id = try #require(created["id"] as? String)
            let sla = try #require(created["sla"] as? [String: Any])
            #expect(sla["policy"] as? String == "Portuguese")
            #expect(sla["state"] as? String == "running")
            // Nothing is due yet.
            #expect(try await app.services.slaWatch.checkDue(limit: 100) == 0)

            clock.advance(by: 3_100)
            #expect(try await app.services.slaWatch.checkDue(limit: 100) == 1)
            var ticket = try #require(try await app.services.tickets.find(.id(UUID(uuidString: id)!), includeInternal: true))
            #expect(ticket.sla?.state == .warning)
            // Priority follows the clock: eight minutes left is worth "high", and the reason says so.
            #expect(ticket.priority == .high && ticket.priorityReasons.contains("SLA due in 8 min"), "\(ticket.priorityReasons)")
            clock.advance(by: 600)
            #expect(try await app.services.slaWatch.checkDue(limit: 100) == 1)
            ticket = try #require(try await app.services.tickets.find(.id(UUID(uuidString: id)!), includeInternal: true))
            #expect(ticket.sla?.state == .breached)
            #expect(ticket.priority == .urgent)
            #expect(ticket.queue?.slug == "escalations")
            let types = try #require(try await app.services.tickets.events(of: .id(ticket.id))).map(\.type)
            #expect(Array(types.suffix(5)) == ["sla.warning", "priority.changed", "sla.breached", "priority.changed", "queue.changed"])
            // Looked at again, nothing more happens: the breach is recorded once.
            #expect(try await app.services.slaWatch.checkDue(limit: 100) == 0)
            let notes = try await app.services.notifications.notifications(forAgent: app.admin.agent.id, unreadOnly: true, limit: 10)
            #expect(notes.map(\.text) == ["Ticket #\(ticket.number) breached its SLA."])
            try await client.execute(uri: "/api/v1/tickets/\(id)/sla", method: .get, headers: app.admin.header) {
                let result = try object($0)
                #expect(result["policy"] as? String == "Portuguese")
                let measures = try #require(result["measures"] as? [[String: Any]])
                #expect(measures.map { $0["metric"] as? String } == ["first_reply"])
                #expect(measures.first?["state"] as? String == "breached")
            }
        }
    }

    @Test func priorityIsScoredAgainAsTheClockRunsButAnAgentsChoiceStands() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let policies: [[String: Any]] = [[
                "name": "Everyone", "targets": ["first_reply_seconds": 7_200], "warn_before_seconds": 1_200,
                "calendar": ["time_zone": "UTC", "week": (1...7).reduce(into: [String: Any]()) { $0["\($1)"] = ["00:00-24:00"] }],
            ]]
            try await client.execute(uri: "/api/v1/sla/policies", method: .put, headers: app.admin.header, body: json(["policies": policies])) {
                #expect($0.status == .ok, "\(String(buffer: $0.body))")
            }
            let left = try #require(try await client.createTicket(app.admin, ticketBody("Esqueci minha senha"))["id"] as? String)
            let chosen = try #require(try await client.createTicket(app.admin, ticketBody("Esqueci minha senha", email: "bia@example.com"))["id"] as? String)
            // An agent sets the second one low: from then on only they change it.
            try await client.execute(uri: "/api/v1/tickets/\(chosen)", method: .patch, headers: app.admin.header, body: json(["priority": "low"])) {
                #expect($0.status == .ok)
            }
            func ticket(_ id: String) async throws -> TicketRecord { try #require(try await app.services.tickets.summary(.id(UUID(uuidString: id)!))) }
            let before = try await ticket(left)
            #expect(before.priority == .normal && before.priorityScore == 100)

            // The warning's look, twenty minutes before the deadline (19 and some seconds left): about 170 more, still normal.
            clock.advance(by: 6_000)
            _ = try await app.services.slaWatch.checkDue(limit: 100)
            let warned = try await ticket(left)
            #expect(warned.priority == .normal && warned.priorityScore > before.priorityScore, "\(warned.priorityScore)")
            #expect(warned.priorityReasons == ["SLA due in 19 min", "waiting 1 h 40 min"], "\(warned.priorityReasons)")
            // Breached: 300 more, "high", raised by the system with an event; the agent's "low" stays low, rescored.
            clock.advance(by: 1_200)
            _ = try await app.services.slaWatch.checkDue(limit: 100)
            let breached = try await ticket(left)
            #expect(breached.priority == .high && breached.priorityReasons.contains("SLA breached"))
            let events = try #require(try await app.services.tickets.events(of: .id(breached.id)))
            #expect(events.last { $0.type == "priority.changed" }?.actor == .system)
            let kept = try await ticket(chosen)
            #expect(kept.priority == .low && kept.priorityReasons.contains("SLA breached"))
        }
    }

    @Test func getNextGivesTheMostUrgentTicketTheAgentIsQualifiedFor() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            _ = try await app.services.directory.addQueue(slug: "support", name: "Support", team: nil, isDefault: true)
            let ana = try await addAgent(app.services, email: "ana@haven.test", languages: ["pt-BR"])
            let bob = try await addAgent(app.services, email: "bob@haven.test", languages: ["en"])
            try await client.execute(
                uri: "/api/v1/queues/support/routing", method: .patch, headers: app.admin.header,
                body: json(["members": ["ana@haven.test", "bob@haven.test"], "assignment": ["mode": "pull", "strategy": "least_loaded",
                    "offer_timeout_seconds": 60, "relax_after_seconds": 600, "relax_to_languages": ["en"], "offline": "requeue"]])
            ) {
                let routing = try object($0)
                #expect((routing["members"] as? [[String: Any]])?.count == 2)
            }
            // Offline agents get nothing.
            try await client.execute(uri: "/api/v1/assignments/next", method: .post, headers: ana.header) { try expectProblem($0, .conflict, code: "not_online") }
            for agent in [ana, bob] {
                try await client.execute(uri: "/api/v1/agents/me/presence", method: .put, headers: agent.header, body: json(["presence": "online"])) {
                    #expect($0.status == .ok)
                }
            }
            let normal = try await client.createTicket(app.admin, ticketBody("Pergunta sobre presentes na live", email: "c1@example.com"))
            let high = try await client.createTicket(app.admin, ticketBody("Outra pergunta", email: "c2@example.com", extra: ["priority": "high"]))
            let english = try await client.createTicket(app.admin, ticketBody("A question about gifts", email: "c3@example.com", locale: "en"))

            func next(_ agent: SignedIn) async throws -> [String: Any] {
                try await client.execute(uri: "/api/v1/assignments/next", method: .post, headers: agent.header) {
                    #expect($0.status == .ok, "\(String(buffer: $0.body))")
                    return try object($0)
                }
            }
            // Ana speaks Portuguese: the high-priority one first, then the normal one; Bob gets the English one.
            #expect((try await next(ana)["ticket"] as? [String: Any])?["id"] as? String == high["id"] as? String)
            #expect((try await next(bob)["ticket"] as? [String: Any])?["id"] as? String == english["id"] as? String)
            #expect(try await next(bob)["reason"] as? String == "No ticket you can take is waiting in your queues.")
            // A claim stamps the agent's last assignment ("longest idle" reads it); asking and getting nothing does not.
            func lastAssigned(_ agent: SignedIn) async throws -> Date? {
                try await app.services.database.reader.sql().raw("SELECT last_assigned_at FROM agents WHERE id = \(bind: agent.agent.id)")
                    .first()?.decode(column: "last_assigned_at", as: Date?.self)
            }
            let anaStamp = try #require(try await lastAssigned(ana)), bobStamp = try #require(try await lastAssigned(bob))
            // Capacity: with room for one ticket, Ana holds one and gets no more.
            try await client.execute(
                uri: "/api/v1/agents/ana@haven.test/routing", method: .patch, headers: app.admin.header, body: json(["capacity": ["chat": 0, "ticket": 1]])
            ) { #expect($0.status == .ok) }
            #expect(try await next(ana)["reason"] as? String == "You are at your capacity (1 tickets, 0 chats).")
            // Skills relax after the queue's wait: after 10 minutes Bob (English) may take the Portuguese ticket.
            clock.advance(by: 601)
            let relaxed = try await next(bob)
            #expect((relaxed["ticket"] as? [String: Any])?["id"] as? String == normal["id"] as? String)
            #expect(relaxed["reason"] as? String == "waited over 10 min: offered in en; the customer writes pt-BR")
            #expect(try await lastAssigned(ana) == anaStamp)
            #expect(try await lastAssigned(bob).map { $0.timeIntervalSince(bobStamp) >= 600 } == true)
            // Going offline returns their tickets to the queue (the queue's policy is requeue).
            try await client.execute(uri: "/api/v1/agents/me/presence", method: .put, headers: bob.header, body: json(["presence": "offline"])) {
                let change = try object($0)
                #expect(change["requeued"] as? Int == 2)
            }
            let back = try #require(try await app.services.tickets.find(.id(UUID(uuidString: english["id"] as! String)!), includeInternal: false))
            #expect(back.assignee == nil)
            // Only leads and admins set someone else's presence.
            try await client.execute(uri: "/api/v1/agents/ana@haven.test/presence", method: .put, headers: bob.header, body: json(["presence": "away"])) {
                try expectProblem($0, .forbidden, code: "forbidden")
            }
            try await client.execute(uri: "/api/v1/agents/ana@haven.test/routing", method: .get, headers: bob.header) {
                let routing = try object($0)
                #expect(routing["presence"] as? String == "online")
                #expect((routing["load"] as? [String: Any])?["tickets"] as? Int == 1)
                #expect(routing["queues"] as? [String] == ["support"])
            }
        }
    }

    @Test func pushOffersMoveOnWhenDeclinedOrUnanswered() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            _ = try await app.services.directory.addQueue(slug: "live", name: "MENA · LIVE", team: nil, isDefault: true)
            let ana = try await addAgent(app.services, email: "ana@haven.test", languages: ["ar"])
            let bob = try await addAgent(app.services, email: "bob@haven.test", languages: ["ar", "en"])
            _ = try await app.services.routing.updateQueueRouting(
                "live", assignment: QueueAssignment(mode: .push, strategy: .longestIdle, offerTimeout: 30), members: ["ana@haven.test", "bob@haven.test"],
                by: app.admin.agent.id)
            _ = try await app.services.assignments.setPresence(.online, for: ana.agent.id)
            _ = try await app.services.assignments.setPresence(.online, for: bob.agent.id)
            let created = try await client.createTicket(app.admin, ticketBody("البث المباشر توقف فجأة", email: "c@example.com", locale: "ar"))
            let id = try #require(UUID(uuidString: created["id"] as! String))
            func offeredTo() async throws -> UUID? { try await app.services.tickets.find(.id(id), includeInternal: false)?.offer?.agentID }

            #expect(try await app.services.assignments.offerWaiting() == 1)
            let first = try #require(try await offeredTo())
            let (firstAgent, secondAgent) = first == ana.agent.id ? (ana, bob) : (bob, ana)
            // Nobody else can accept it.
            try await client.execute(uri: "/api/v1/tickets/\(id)/offer/accept", method: .post, headers: secondAgent.header) {
                try expectProblem($0, .conflict, code: "no_open_offer")
            }
            try await client.execute(uri: "/api/v1/tickets/\(id)/offer/decline", method: .post, headers: firstAgent.header) { #expect($0.status == .ok) }
            #expect(try await app.services.assignments.offerWaiting() == 1)
            #expect(try await offeredTo() == secondAgent.agent.id)
            // Unanswered, the offer comes back after its timeout and nobody who passed on it is asked again.
            clock.advance(by: 31)
            #expect(try await app.services.assignments.expireOffers() == 1)
            #expect(try await app.services.assignments.offerWaiting() == 0)
            #expect(try await offeredTo() == nil)
            let types = try #require(try await app.services.tickets.events(of: .id(id))).map(\.type)
            #expect(Array(types.suffix(4)) == ["offer.made", "offer.ended", "offer.made", "offer.ended"])

            // A new ticket is offered and accepted: it is the agent's.
            let second = try await client.createTicket(app.admin, ticketBody("مشكلة في الهدايا", email: "d@example.com", locale: "ar"))
            let secondID = try #require(second["id"] as? String)
            #expect(try await app.services.assignments.offerWaiting() == 1)
            let taker = try #require(try await app.services.tickets.find(.id(UUID(uuidString: secondID)!), includeInternal: false)?.offer?.agentID)
            let header = taker == ana.agent.id ? ana.header : bob.header
            try await client.execute(uri: "/api/v1/tickets/\(secondID)/offer/accept", method: .post, headers: header) {
                let ticket = try object($0)
                #expect((ticket["assignee"] as? [String: Any])?["id"] as? String == taker.uuidString)
                #expect(ticket["offer"] == nil)
            }
        }
    }

    /// Many agents pull at once: every ticket goes to exactly one agent, and nobody goes over capacity.
    @Test func concurrentGetNextNeverAssignsATicketTwice() async throws {
        try await withApp { app, _ in
            try await Self.raceForTickets(app: app, nodes: [app.services])
        }
    }

    /// The same on PostgreSQL with two Haven nodes (two service graphs, two connection pools) on one database.
    @Test(.enabled(if: TestDatabase.postgresURL != nil)) func twoNodesPullingAtOnceNeverAssignATicketTwice() async throws {
        try await withApp { app, _ in
            let second = try HavenDatabase(location: app.location, logger: TestDatabase.logger, poolSize: 4)
            let node = try HavenServices(database: second, logger: TestDatabase.logger, dataDirectory: NSTemporaryDirectory())
            do {
                try await Self.raceForTickets(app: app, nodes: [app.services, node])
            } catch {
                await second.shutdown()
                throw error
            }
            await second.shutdown()
        }
    }

    static func raceForTickets(app: TestApp, nodes: [HavenServices]) async throws {
        let services = app.services
        _ = try await services.directory.addQueue(slug: "support", name: "Support", team: nil, isDefault: true)
        var agents: [UUID] = []
        for index in 0..<16 {
            let agent = try await addAgent(services, email: "agent\(index)@haven.test", languages: ["en"])
            _ = try await services.routing.updateAgentRouting(agent.agent.id.uuidString, skills: nil, capacity: AgentCapacity(chat: 1, ticket: 3), by: app.admin.agent.id)
            _ = try await services.assignments.setPresence(.online, for: agent.agent.id)
            agents.append(agent.agent.id)
        }
        _ = try await services.routing.updateQueueRouting("support", assignment: nil, members: agents.map(\.uuidString), by: app.admin.agent.id)
        let ticketCount = 60
        for index in 0..<ticketCount {
            _ = try await services.intake.submit(
                NewTicketDraft(subject: "Help \(index)", body: "Please help me with my account \(index)", channel: .api,
                               requester: RequesterDraft(email: "c\(index)@example.com", locale: "en")),
                actor: .system)
        }
        // Every agent pulls until they get nothing, all at once, spread over the nodes.
        let claims = try await withThrowingTaskGroup(of: [Claim].self) { group in
            for (index, agent) in agents.enumerated() {
                let node = nodes[index % nodes.count]
                group.addTask {
                    var mine: [Claim] = []
                    while let claim = try await node.assignments.next(for: agent).claim { mine.append(claim) }
                    return mine
                }
            }
            return try await group.reduce(into: [Claim]()) { $0 += $1 }
        }
        // 16 agents × 3 = 48 of the 60 tickets; each ticket once.
        #expect(claims.count == 48)
        #expect(Set(claims.map(\.ticketID)).count == claims.count)
        let assigned = try await services.tickets.list({ var query = TicketListQuery(); query.limit = 100; return query }()).items
        var perAgent: [UUID: Int] = [:]
        for ticket in assigned {
            if let assignee = ticket.assignee { perAgent[assignee.id, default: 0] += 1 }
            let events = try #require(try await services.tickets.events(of: .id(ticket.id)))
            #expect(events.filter { $0.type == "assignee.changed" }.count == (ticket.assignee == nil ? 0 : 1))
        }
        #expect(perAgent.count == 16)
        #expect(perAgent.values.allSatisfy { $0 == 3 })
    }
}
