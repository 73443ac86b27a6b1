import HavenCore
import Testing

/// Priority is computed from risk, tier, LIVE, SLA time left and waiting, explained, and overridable.
@Suite struct PriorityScoreTests {
    @Test func whatMattersRaisesPriorityAndSaysWhy() {
        #expect(PriorityScore.compute(.init()).priority == .normal)
        let critical = PriorityScore.compute(.init(riskLevel: .critical))
        #expect(critical.priority == .urgent && critical.reasons == ["critical risk"])
        let live = PriorityScore.compute(.init(liveNow: true))
        #expect(live.priority == .urgent && live.reasons == ["creator is LIVE now"])
        #expect(PriorityScore.compute(.init(tier: "Gold")).priority == .high)
        #expect(PriorityScore.compute(.init(riskLevel: .high)).priority == .high)
        let breached = PriorityScore.compute(.init(slaRemaining: -60))
        #expect(breached.priority == .high && breached.reasons == ["SLA breached"])
        // The last hour before an SLA deadline raises the score as it runs out.
        let soon = PriorityScore.compute(.init(slaRemaining: 600)), later = PriorityScore.compute(.init(slaRemaining: 3_000))
        #expect(soon.score > later.score && soon.reasons == ["SLA due in 10 min"])
        // Waiting counts slowly and is capped, so an old low ticket never outranks a LIVE creator.
        let old = PriorityScore.compute(.init(waiting: 30 * 86_400))
        #expect(old.score == 200 && old.priority == .normal && live.score > old.score)
    }

    @Test func scoredAgainAPriorityOnlyRisesAndNeverOverAnAgentsChoice() {
        let breached = PriorityScore.compute(.init(slaRemaining: -60))
        #expect(breached.raise(from: .normal, setByAgent: false) == .high)
        #expect(breached.raise(from: .urgent, setByAgent: false) == nil, "never lowered")
        #expect(breached.raise(from: .high, setByAgent: false) == nil, "nothing to change")
        #expect(breached.raise(from: .low, setByAgent: true) == nil, "an agent's choice stands")
    }

    @Test func anAgentsChoiceWinsAndTheComputationIsStillShown() {
        let set = PriorityScore.compute(.init(riskLevel: .critical, override: .normal))
        #expect(set.priority == .normal)
        #expect(set.reasons.first == "set by an agent (computed: urgent)")
    }
}
