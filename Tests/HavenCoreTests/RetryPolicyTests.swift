import Foundation
import HavenCore
import Testing

@Suite struct RetryPolicyTests {
    let policy = RetryPolicy()

    @Test func delaysDoubleUpToTheCeiling() {
        #expect(policy.delay(afterAttempt: 1, jitter: 1) == 30)
        #expect(policy.delay(afterAttempt: 2, jitter: 1) == 60)
        #expect(policy.delay(afterAttempt: 5, jitter: 1) == 480)
        #expect(policy.delay(afterAttempt: 6, jitter: 1) == 900)
        #expect(policy.delay(afterAttempt: 60, jitter: 1) == 900)
    }

    @Test func jitterSpreadsBetweenHalfAndAll() {
        #expect(policy.delay(afterAttempt: 3, jitter: 0) == 60)
        #expect(policy.delay(afterAttempt: 3, jitter: 0.5) == 90)
        let spread = Set((0..<200).map { _ in policy.delay(afterAttempt: 4, jitter: Double.random(in: 0...1)) })
        #expect(spread.count > 100)
        #expect(spread.allSatisfy { (120...240).contains($0) })
    }

    @Test func anHourDownCostsAboutEightTries() {
        // Worst case (no jitter shortening): the tries within the first hour.
        var elapsed: TimeInterval = 0, tries = 1
        while true {
            elapsed += policy.delay(afterAttempt: tries, jitter: 1)
            if elapsed > 3600 { break }
            tries += 1
        }
        #expect(tries == 8)
    }

    @Test func givesUpAfterTwoDays() {
        let created = Date(timeIntervalSince1970: 0)
        #expect(policy.nextAttempt(afterAttempt: 3, created: created, now: created.addingTimeInterval(3600), jitter: 1) != nil)
        #expect(policy.nextAttempt(afterAttempt: 200, created: created, now: created.addingTimeInterval(48 * 3600 - 60), jitter: 1) == nil)
    }
}
