import Foundation
import HavenCore
import Testing

/// Who gets offered a ticket: qualification (language, relaxation, markets, topics, safety), room, and the queue's strategy.
@Suite struct AssignmentTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static func agent(_ languages: [(String, AgentSkills.Language.Level)], tickets: Int = 0, capacity: Int = 10, idleSince: TimeInterval = 0,
                      safety: Bool = false, markets: [String] = [], presence: Presence = .online) -> AssignableAgent {
        AssignableAgent(
            id: UUID(), skills: AgentSkills(languages: languages.map { AgentSkills.Language($0.0, $0.1) }, markets: markets), safetyTrained: safety,
            capacity: AgentCapacity(chat: 1, ticket: capacity), presence: presence, tickets: tickets, lastAssignedAt: now.addingTimeInterval(-idleSince))
    }
    static func ticket(_ language: String?, risk: RiskLevel = .none, market: String? = nil, waited: TimeInterval = 0) -> AssignableTicket {
        AssignableTicket(id: UUID(), channel: .email, language: language, market: market, riskLevel: risk, queuedAt: now.addingTimeInterval(-waited))
    }

    @Test func theLeastLoadedQualifiedAgentWinsAndTheBetterSpeakerBreaksATie() {
        let busy = Self.agent([("pt-BR", .native)], tickets: 5), calm = Self.agent([("pt", .basic)], tickets: 1)
        let english = Self.agent([("en", .native)])
        let queue = QueueAssignment(mode: .push)
        #expect(Assignment.choose(for: Self.ticket("pt-BR"), among: [busy, calm, english], queue: queue, now: Self.now)?.agent == calm)
        let native = Self.agent([("pt-BR", .native)], tickets: 1)
        let chosen = Assignment.choose(for: Self.ticket("pt-BR"), among: [calm, native], queue: queue, now: Self.now)
        #expect(chosen?.agent == native)
        #expect(chosen?.why.description == "speaks pt-BR (native)")
    }

    @Test func longestIdleAndRoomAndPresenceAndPasses() {
        let recent = Self.agent([("ar", .fluent)], idleSince: 60), idle = Self.agent([("ar", .fluent)], idleSince: 3_600)
        let full = Self.agent([("ar", .fluent)], tickets: 10, idleSince: 7_200), away = Self.agent([("ar", .fluent)], idleSince: 9_000, presence: .away)
        let queue = QueueAssignment(mode: .push, strategy: .longestIdle)
        var ticket = Self.ticket("ar")
        #expect(Assignment.choose(for: ticket, among: [recent, idle, full, away], queue: queue, now: Self.now)?.agent == idle)
        ticket.passedBy = [idle.id]
        #expect(Assignment.choose(for: ticket, among: [recent, idle, full, away], queue: queue, now: Self.now)?.agent == recent)
    }

    @Test func skillsRelaxAfterTheQueuesWaitAndSafetyNeverDoes() {
        let english = Self.agent([("en", .fluent)])
        let queue = QueueAssignment(mode: .push, relaxAfter: 600, relaxTo: ["en"])
        #expect(Assignment.choose(for: Self.ticket("fr", waited: 599), among: [english], queue: queue, now: Self.now) == nil)
        let relaxed = Assignment.choose(for: Self.ticket("fr", waited: 600), among: [english], queue: queue, now: Self.now)
        #expect(relaxed?.why.description == "waited over 10 min: offered in en; the customer writes fr")
        // High risk needs safety training, whatever the wait; markets limit where the agent has some.
        #expect(Assignment.qualification(of: english, for: Self.ticket("en", risk: .high), queue: queue, now: Self.now) == nil)
        #expect(Assignment.qualification(of: Self.agent([("en", .fluent)], safety: true), for: Self.ticket("en", risk: .critical), queue: queue, now: Self.now) != nil)
        let brazil = Self.agent([("en", .fluent)], markets: ["BR"])
        #expect(Assignment.qualification(of: brazil, for: Self.ticket("en", market: "SA"), queue: queue, now: Self.now) == nil)
        #expect(Assignment.qualification(of: brazil, for: Self.ticket("en", market: "br"), queue: queue, now: Self.now) == .speaks("en", .fluent))
        #expect(Assignment.qualification(of: english, for: Self.ticket(nil), queue: queue, now: Self.now) == .anyLanguage)
    }

    @Test func skillsAndSettingsAreValidated() throws {
        #expect(throws: DomainError.self) { try AgentSkills(languages: [AgentSkills.Language("klingon!!")], markets: ["Brazil"]).validated() }
        #expect(try AgentSkills(languages: [AgentSkills.Language("PT-br")], markets: ["br"]).validated().markets == ["BR"])
        #expect(AgentCapacity(chat: -1, ticket: 10).problems().map(\.field) == ["capacity.chat"])
        #expect(QueueAssignment(offerTimeout: 1, relaxTo: ["??"]).problems().map(\.field) == ["assignment.offer_timeout_seconds", "assignment.relax_to_languages[0]"])
    }
}
