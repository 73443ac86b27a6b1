import Foundation
import HavenCore
import Testing

/// SLA clocks computed from the event log: first reply, next reply, periodic update and resolution, with
/// pending pausing them, warnings before a breach, and the policy chosen by the ticket's fields.
@Suite struct SLAEvaluationTests {
    static let zone = "Europe/Paris"
    static func at(_ time: String) -> Date { SLAClockTests.at("2026-11-23 " + time, zone) }  // a Monday
    static let policy = SLAPolicy(
        name: "Standard", conditions: [],
        targets: SLATargets(firstReply: 3600, nextReply: 2 * 3600, periodicUpdate: 4 * 3600, resolution: 8 * 3600),
        calendar: BusinessCalendar.weekdays(BusinessCalendar.Hours("09:00-18:00")!, timeZone: zone), warnBefore: 15 * 60)
    static let agent = Actor.agent("a-1"), customer = Actor.contact("c-1")
    static let state = TicketState(subject: "s", channel: .email, requesterID: "c-1")

    func created(at time: String) -> SLAEvaluation.Event { .init(at: Self.at(time), change: .created(Self.state)) }
    func message(_ author: Actor, at time: String, visibility: MessageVisibility = .public) -> SLAEvaluation.Event {
        .init(at: Self.at(time), change: .messageAdded(messageID: UUID().uuidString, author: author, visibility: visibility))
    }
    func status(_ from: TicketStatus, _ to: TicketStatus, at time: String) -> SLAEvaluation.Event {
        .init(at: Self.at(time), change: .statusChanged(from: from, to: to))
    }
    func measure(_ events: [SLAEvaluation.Event], at time: String) -> [SLAMeasure.Metric: SLAMeasure] {
        Dictionary(uniqueKeysWithValues: SLAEvaluation.measure(events, policy: Self.policy, now: Self.at(time)).map { ($0.metric, $0) })
    }

    @Test func firstReplyRunsWarnsBreachesOrIsAchieved() {
        let start = [created(at: "09:00"), message(Self.customer, at: "09:00")]
        #expect(measure(start, at: "09:30")[.firstReply]?.state == .running)
        #expect(measure(start, at: "09:50")[.firstReply]?.state == .warning)
        let late = measure(start, at: "10:01")[.firstReply]
        #expect(late?.state == .breached && late?.dueAt == Self.at("10:00"))
        // An internal note is not a reply; a public one is.
        #expect(measure(start + [message(Self.agent, at: "09:40", visibility: .internal)], at: "10:01")[.firstReply]?.state == .breached)
        let answered = measure(start + [message(Self.agent, at: "09:40")], at: "12:00")[.firstReply]
        #expect(answered?.state == .achieved && answered?.achievedAt == Self.at("09:40"))
        #expect(measure(start + [message(Self.agent, at: "10:20")], at: "12:00")[.firstReply]?.state == .breached)
    }

    @Test func aRequestAnAgentFiledIsNotItsOwnReply() {
        // An agent types in a customer's phone call: the first message is the request; the clock runs until a reply.
        let filed = [created(at: "09:00"), message(Self.agent, at: "09:00")]
        #expect(measure(filed, at: "10:01")[.firstReply]?.state == .breached)
        #expect(measure(filed + [message(Self.agent, at: "09:30")], at: "10:01")[.firstReply]?.achievedAt == Self.at("09:30"))
    }

    @Test func pendingPausesTheClocksAndTheCustomersReplyStartsTheNext() {
        let events = [
            created(at: "09:00"), message(Self.customer, at: "09:00"),
            message(Self.agent, at: "09:10"), status(.new, .pending, at: "09:10"),
            message(Self.customer, at: "11:00"), status(.pending, .open, at: "11:00"),
        ]
        let now = measure(events, at: "12:00")
        // The customer's reply starts a 2-hour next-reply clock.
        #expect(now[.nextReply]?.startedAt == Self.at("11:00") && now[.nextReply]?.dueAt == Self.at("13:00") && now[.nextReply]?.state == .running)
        // Resolution: 8 business hours from 09:00 without the 1 h 50 min spent pending: Monday gives 7 h 10 min
        // (09:00–18:00 less the pause), Tuesday the last 50 minutes.
        #expect(now[.resolution]?.dueAt == SLAClockTests.at("2026-11-24 09:50", Self.zone))
        // While pending, the clocks wait.
        let waiting = measure(Array(events.prefix(4)), at: "10:00")
        #expect(waiting[.resolution]?.state == .paused)
        #expect(waiting[.nextReply] == nil)
        // The periodic update is due 4 business hours after support's last public message.
        #expect(now[.periodicUpdate]?.dueAt == SLAClockTests.at("2026-11-23 15:00", Self.zone))
    }

    @Test func resolutionIsAchievedWhenSolvedAndRunsAgainWhenReopened() {
        let solved = [created(at: "09:00"), message(Self.customer, at: "09:00"), message(Self.agent, at: "09:30"), status(.new, .solved, at: "10:00")]
        let done = measure(solved, at: "18:00")
        #expect(done[.resolution]?.state == .achieved && done[.resolution]?.achievedAt == Self.at("10:00"))
        #expect(done[.periodicUpdate] == nil && done[.nextReply] == nil)
        let reopened = measure(solved + [message(Self.customer, at: "11:00"), status(.solved, .open, at: "11:00")], at: "18:00")
        #expect(reopened[.resolution]?.state == .breached && reopened[.resolution]?.achievedAt == nil)
        #expect(reopened[.nextReply]?.state == .breached)
    }

    @Test func thePolicyIsChosenByTheTicketsFields() {
        let vip = SLAPolicy(name: "Creators · White-glove", conditions: [RoutingCondition(.contactKind, .is, ["creator"]), RoutingCondition(.tier, .is, ["gold"])],
                            targets: SLATargets(firstReply: 900), calendar: .alwaysOpen())
        let arabic = SLAPolicy(name: "Arabic", conditions: [RoutingCondition(.language, .is, ["ar"])], targets: SLATargets(firstReply: 7200), calendar: .alwaysOpen(timeZone: "Asia/Riyadh"))
        let policies = [vip, arabic, Self.policy]
        #expect(SLAPolicy.choose(for: RoutingTicket(channel: .chat, language: "ar", contactKind: .creator, tier: "gold"), among: policies)?.name == "Creators · White-glove")
        #expect(SLAPolicy.choose(for: RoutingTicket(channel: .chat, language: "ar"), among: policies)?.name == "Arabic")
        #expect(SLAPolicy.choose(for: RoutingTicket(channel: .email, language: "fr"), among: policies)?.name == "Standard")
    }
}
