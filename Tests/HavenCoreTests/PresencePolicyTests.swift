import Foundation
import HavenCore
import Testing

struct PresencePolicyTests {
    let policy = PresencePolicy(awayAfter: 600, offlineAfter: 3_600)
    let active = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func anIdleAgentIsAwayThenOffline() {
        #expect(policy.idle(.online, activeAt: active, now: active.addingTimeInterval(599)) == nil)
        #expect(policy.idle(.online, activeAt: active, now: active.addingTimeInterval(600)) == .away)
        #expect(policy.idle(.away, activeAt: active, now: active.addingTimeInterval(1_800)) == nil)
        #expect(policy.idle(.away, activeAt: active, now: active.addingTimeInterval(3_600)) == .offline)
        // Straight to offline when both are due (a node that was down for the hour).
        #expect(policy.idle(.online, activeAt: active, now: active.addingTimeInterval(4_000)) == .offline)
        #expect(policy.idle(.offline, activeAt: active, now: active.addingTimeInterval(9_000)) == nil)
    }

    @Test func anAgentNeverSeenOrAManualPolicyIsLeftAlone() {
        #expect(policy.idle(.online, activeAt: nil, now: active) == nil)
        #expect(PresencePolicy.manual.idle(.online, activeAt: active, now: active.addingTimeInterval(86_400)) == nil)
        #expect(PresencePolicy.manual.firstThreshold == nil)
        #expect(PresencePolicy(awayAfter: nil, offlineAfter: 3_600).idle(.online, activeAt: active, now: active.addingTimeInterval(3_000)) == nil)
        #expect(policy.firstThreshold == 600)
    }

    @Test func onlyWhatHavenSetComesBackOnline() {
        #expect(PresencePolicy.returning(.away, setByHaven: true) == .online)
        #expect(PresencePolicy.returning(.offline, setByHaven: true) == .online)
        #expect(PresencePolicy.returning(.away, setByHaven: false) == nil)
        #expect(PresencePolicy.returning(.online, setByHaven: true) == nil)
    }
}
