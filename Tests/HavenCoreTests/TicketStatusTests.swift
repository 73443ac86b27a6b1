import HavenCore
import Testing

@Suite struct TicketStatusTests {
    @Test func closedIsTerminalAndNewIsNeverReentered() {
        #expect(TicketStatus.closed.allowedTransitions.isEmpty)
        for status in TicketStatus.allCases {
            #expect(!status.canTransition(to: .new), "\(status) must not go back to new")
        }
    }

    @Test func onlySolvedTicketsClose() {
        for status in TicketStatus.allCases {
            #expect(status.canTransition(to: .closed) == (status == .solved))
        }
    }

    @Test func solvedCanReopen() {
        #expect(TicketStatus.solved.canTransition(to: .open))
        #expect(!TicketStatus.solved.canTransition(to: .pending))
    }

    @Test func priorityRanksSortAndRoundTrip() {
        #expect(TicketPriority.allCases.sorted() == [.low, .normal, .high, .urgent])
        for priority in TicketPriority.allCases { #expect(TicketPriority(rank: priority.rank) == priority) }
        #expect(TicketPriority(rank: 9) == nil)
    }
}

@Suite struct TicketChangeTests {
    let state = TicketState(subject: "Hacked", channel: .email, requesterID: "c1")

    @Test func patchProducesOneEventPerChangedField() throws {
        let changes = try state.changes(applying: TicketPatch(status: .open, priority: .high, assigneeID: .some("a1"), tags: ["VIP", "vip", "conta hackeada"]))
        #expect(changes == [
            .statusChanged(from: .new, to: .open),
            .priorityChanged(from: .normal, to: .high),
            .assigneeChanged(from: nil, to: "a1"),
            .tagsChanged(from: [], to: ["vip", "conta-hackeada"]),
        ])
    }

    @Test func unchangedFieldsProduceNoEvents() throws {
        #expect(try state.changes(applying: TicketPatch(status: .new, priority: .normal, queueID: .some(nil))).isEmpty)
    }

    @Test func forbiddenTransitionIsRefusedWithTheAllowedOnes() {
        #expect(throws: DomainError.forbiddenTransition(from: .new, to: .closed)) {
            try state.changes(applying: TicketPatch(status: .closed))
        }
        #expect(DomainError.forbiddenTransition(from: .new, to: .closed).detail.hasSuffix("it can move to: on_hold, open, pending, solved."))
    }

    @Test func closedTicketRefusesEveryChange() {
        var closed = state
        closed.status = .closed
        #expect(throws: DomainError.ticketClosed) { try closed.changes(applying: TicketPatch(priority: .high)) }
    }

    @Test func messagesMoveStatusLikeASupportTeamExpects() {
        var ticket = state
        #expect(ticket.statusAfterMessage(by: .agent, visibility: .public) == .open)
        #expect(ticket.statusAfterMessage(by: .agent, visibility: .internal) == nil)
        #expect(ticket.statusAfterMessage(by: .contact, visibility: .public) == nil)
        for waiting in [TicketStatus.pending, .onHold, .solved] {
            ticket.status = waiting
            #expect(ticket.statusAfterMessage(by: .contact, visibility: .public) == .open)
        }
    }

    @Test func replayRebuildsTheState() throws {
        let changes: [TicketChange] = [
            .created(state),
            .messageAdded(messageID: "m1", author: .contact("c1"), visibility: .public),
            .statusChanged(from: .new, to: .open),
            .queueChanged(from: nil, to: "q1"),
            .tagsChanged(from: [], to: ["x"]),
        ]
        let replayed = try #require(TicketState.replay(changes))
        #expect(replayed.status == .open)
        #expect(replayed.queueID == "q1")
        #expect(replayed.tags == ["x"])
        #expect(TicketState.replay(Array(changes.dropFirst())) == nil)
    }

    @Test func everyChangeSurvivesItsStoredForm() throws {
        let all: [TicketChange] = [
            .created(state), .messageAdded(messageID: "m", author: .agent("a"), visibility: .internal),
            .statusChanged(from: .open, to: .solved), .priorityChanged(from: .low, to: .urgent),
            .queueChanged(from: "q1", to: nil), .assigneeChanged(from: nil, to: "a2"), .tagsChanged(from: ["a"], to: []),
        ]
        for change in all {
            #expect(try TicketChange(type: change.type, payloadJSON: change.payloadJSON()) == change)
        }
        #expect(throws: TicketChangeCodingError.unknownType("nope")) { try TicketChange(type: "nope", payloadJSON: "{}") }
    }
}

@Suite struct IntakeValidationTests {
    @Test func draftIsNormalizedAndSubjectDerived() throws {
        let draft = NewTicketDraft(
            subject: nil, body: "  Não consigo entrar\r\nna minha conta  ", channel: .inApp, tags: [" Conta Hackeada "],
            requester: RequesterDraft(email: " Ana@Example.COM ", name: "  Ana   Souza ", locale: "pt_br", market: "br"))
        let valid = try draft.validated()
        #expect(valid.body == "Não consigo entrar\nna minha conta")
        #expect(valid.subject == "Não consigo entrar")
        #expect(valid.tags == ["conta-hackeada"])
        #expect(valid.requester.email == "ana@example.com")
        #expect(valid.requester.name == "Ana Souza")
        #expect(valid.requester.locale == "pt-BR")
        #expect(valid.requester.market == "BR")
    }

    @Test func decomposedAccentsAreComposed() throws {
        let decomposed = "nao\u{0303}".replacingOccurrences(of: "nao\u{0303}", with: "na\u{0303}o")
        let valid = try NewTicketDraft(subject: decomposed, body: decomposed, channel: .api, requester: RequesterDraft(externalID: "u1")).validated()
        #expect(valid.body.unicodeScalars.count == 3)
    }

    @Test func everyProblemIsReportedAtOnce() {
        let draft = NewTicketDraft(
            subject: String(repeating: "x", count: 300), body: " ", channel: .web, tags: ["ok", "bad<tag>"], language: "klingon!",
            requester: RequesterDraft(email: "not-an-email", locale: "??", market: "Brazil"))
        do {
            _ = try draft.validated()
            Issue.record("validation should fail")
        } catch {
            let fields = Set(error.problems.map(\.field))
            #expect(fields == ["body", "subject", "tags[1]", "language", "requester.email", "requester.locale", "requester.market"])
        }
    }

    @Test func requesterNeedsAnIdentity() {
        #expect(throws: DomainError.self) { try RequesterDraft(name: "Anon").validated() }
    }

    @Test(arguments: [
        ("a@b.co", true), ("user.name+tag@example.com.br", true), ("no-at.example.com", false), ("a@b", false),
        ("a b@c.com", false), ("@c.com", false), ("a@-c.com", false),
    ])
    func emailAddresses(address: String, valid: Bool) {
        #expect((EmailAddress.normalize(address) != nil) == valid)
    }

    @Test func localeTags() {
        #expect(LocaleTag.normalize("PT-br") == "pt-BR")
        #expect(LocaleTag.normalize("ar") == "ar")
        #expect(LocaleTag.normalize("zh-hant-tw") == "zh-Hant-TW")
        #expect(LocaleTag.normalize("english") == nil)
        #expect(LocaleTag.language(of: "fr-CA") == "fr")
    }

    @Test func tagsInAnyScriptButNoMarkup() throws {
        #expect(try TagList.normalize(["حساب", "LIVE:gifts", "conta_hackeada"], field: "tags") == ["حساب", "live:gifts", "conta_hackeada"])
        #expect(throws: DomainError.self) { try TagList.normalize(["<script>"], field: "tags") }
        #expect(throws: DomainError.self) { try TagList.normalize((0..<31).map { "t\($0)" }, field: "tags") }
    }
}

@Suite struct TriageCorrectionDomainTests {
    let state = TicketState(subject: "Help", channel: .web, priority: .normal, requesterID: "c1")

    @Test func aCorrectionIsOneEventAndCriticalEscalates() throws {
        let falseAlarm = try RiskCorrection(level: .none, harms: []).changes(from: (.critical, [.selfHarm]), state: state, settingPriority: false)
        #expect(falseAlarm == [.riskCorrected(from: .critical, to: .none, harmsFrom: [.selfHarm], harmsTo: [])])
        let missed = try RiskCorrection(level: .critical, harms: [.violentThreat]).changes(from: (.none, []), state: state, settingPriority: false)
        #expect(missed == [.riskCorrected(from: .none, to: .critical, harmsFrom: [], harmsTo: [.violentThreat]), .priorityChanged(from: .normal, to: .urgent)])
        // The agent setting the priority in the same change decides it.
        #expect(try RiskCorrection(level: .critical, harms: [.violentThreat]).changes(from: (.none, []), state: state, settingPriority: true).count == 1)
        // Agreeing with triage (harms in any order) changes nothing.
        #expect(try RiskCorrection(level: .high, harms: [.hateSpeech, .bullying]).changes(from: (.high, [.bullying, .hateSpeech]), state: state, settingPriority: false).isEmpty)
    }

    @Test func levelAndHarmsMustAgree() {
        #expect(throws: DomainError.self) { try RiskCorrection(level: .none, harms: [.bullying]).changes(from: (.none, []), state: state, settingPriority: false) }
        #expect(throws: DomainError.self) { try RiskCorrection(level: .high, harms: []).changes(from: (.none, []), state: state, settingPriority: false) }
    }
}
