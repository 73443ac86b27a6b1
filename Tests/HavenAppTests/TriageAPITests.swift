import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// Triage in the intake pipeline: every channel's customer messages get a language and a risk assessment; a
/// critical one makes the ticket urgent and sends it to the safety queue at once. On SQLite and PostgreSQL.
@Suite struct TriageAPITests {
    @Test func aCriticalRequestIsUrgentAndGoesToTheSafetyQueue() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            _ = try await app.services.directory.addQueue(slug: "safety", name: "Safety · Critical", team: nil, isDefault: false)
            let created = try await client.createTicket(app.admin, [
                "body": "Não consigo mais, não quero mais viver. Só queria apagar minha conta.", "channel": "web",
                "requester": ["email": "lia@example.com"],
            ])
            #expect(created["priority"] as? String == "urgent")
            #expect((created["queue"] as? [String: Any])?["slug"] as? String == "safety")
            #expect(created["risk_level"] as? String == "critical")
            #expect(created["harms"] as? [String] == ["self_harm"])
            #expect(created["language"] as? String == "pt")

            let number = try #require(created["number"] as? Int)
            let shown = try await client.execute(uri: "/api/v1/tickets/\(number)", method: .get, headers: app.admin.header) { try object($0) }
            #expect(shown["risk_level"] as? String == "critical")
            let risk = try #require((shown["messages"] as? [[String: Any]])?.first?["risk"] as? [String: Any])
            #expect(risk["level"] as? String == "critical")
            #expect((risk["signals"] as? [String])?.first == "self-harm: 'não quero mais viver' (pt), first person, no negation")
            let events = try await client.execute(uri: "/api/v1/tickets/\(number)/events", method: .get, headers: app.admin.header) { try object($0) }
            let types = (events["events"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types == ["ticket.created", "message.added", "risk.detected", "ticket.routed"])
            let routed = (events["events"] as? [[String: Any]])?.last?["payload"] as? [String: Any]
            #expect(routed?["reason"] as? String == "critical risk: the safety queue, before any rule")
            #expect(routed?["queue"] as? String == "safety")

            // An ordinary request: no risk, its own queue and priority.
            let ordinary = try await client.createTicket(app.admin, [
                "body": "My LIVE gifts disappeared and I didn't get my coins", "channel": "web", "requester": ["email": "max@example.com"],
            ])
            #expect(ordinary["risk_level"] as? String == "none")
            #expect(ordinary["priority"] as? String == "normal")
            #expect((ordinary["queue"] as? [String: Any])?["slug"] as? String == "general")
            #expect(ordinary["language"] as? String == "en")
        }
    }

    @Test func withoutASafetyQueueACriticalRequestIsStillTaken() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            let created = try await client.createTicket(app.admin, [
                "body": "je vais me suicider ce soir", "channel": "web", "requester": ["email": "jo@example.com"],
            ])
            #expect(created["priority"] as? String == "urgent")
            #expect((created["queue"] as? [String: Any])?["slug"] as? String == "general")
        }
    }

    @Test func aThreatInAReplyRaisesTheTicket() async throws {
        try await withApp { app, client in
            let first = Array("From: Rui <rui@example.com>\r\nTo: support@haven.test\r\nSubject: Conta\r\nMessage-ID: <c1@example.com>\r\n\r\nOlá, não consigo sacar meus ganhos desde ontem.\r\n".utf8)
            let created = try await app.services.mailIntake.ingest(first, queue: nil, source: "test")
            let number = try #require(created.ticketNumber)
            let reply = Array("From: Rui <rui@example.com>\r\nTo: support@haven.test\r\nSubject: Re: Conta\r\nMessage-ID: <c2@example.com>\r\nIn-Reply-To: <c1@example.com>\r\n\r\nSe não resolverem hoje, vou te matar, sei onde você mora.\r\n".utf8)
            let appended = try await app.services.mailIntake.ingest(reply, queue: nil, source: "test")
            #expect(appended.outcome == .appended)
            let shown = try await client.execute(uri: "/api/v1/tickets/\(number)", method: .get, headers: app.admin.header) { try object($0) }
            #expect(shown["risk_level"] as? String == "critical")
            #expect(shown["harms"] as? [String] == ["violent_threat"])
            #expect(shown["priority"] as? String == "urgent")
            let events = try await client.execute(uri: "/api/v1/tickets/\(number)/events", method: .get, headers: app.admin.header) { try object($0) }
            let types = (events["events"] as? [[String: Any]] ?? []).compactMap { $0["type"] as? String }
            #expect(types.suffix(3) == ["message.added", "risk.detected", "priority.changed"])
            // The event log still replays to the stored row.
            let stored = try #require(try await app.services.tickets.find(.number(number), includeInternal: true))
            let log = try #require(try await app.services.tickets.events(of: .number(number)))
            #expect(TicketState.replay(try log.map { try $0.change() }) == stored.state)
        }
    }
}

/// A safety admin's lexicon files, added without a rebuild.
@Suite struct RiskLexiconFolderTests {
    @Test func extraFilesAreAddedAndABadOneIsNamed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("haven-lexicon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let extra = #"{"version":1,"phrases":[{"harm":"bullying","level":"high","language":"pt","phrase":"seu * inútil"}],"negations":{},"hyperbole":{}}"#
        try Data(extra.utf8).write(to: folder.appendingPathComponent("br-slang.json"))
        let detector = try TriageModels.risk(extraDirectory: folder.path)
        #expect(detector.assess("cala a boca seu bicho inútil").harms == [.bullying])
        #expect(detector.assess("não quero mais viver").level == .critical)  // the shipped lexicon is still there

        try Data(#"{"version":1,"phrases":[{"harm":"bullying","level":"severe","language":"pt","phrase":"x"}],"negations":{},"hyperbole":{}}"#.utf8)
            .write(to: folder.appendingPathComponent("typo.json"))
        do {
            _ = try TriageModels.risk(extraDirectory: folder.path)
            Issue.record("a bad lexicon file was accepted")
        } catch {
            #expect(error.description.contains("typo.json"), "\(error.description)")
        }
    }
}
