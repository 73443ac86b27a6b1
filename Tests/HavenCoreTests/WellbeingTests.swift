import Foundation
import HavenCore
import Testing

/// Which media is shielded, what counts as exposure, and when a break is suggested.
@Suite struct WellbeingTests {
    let policy = WellbeingPolicy(breakAfter: 3, window: 3600)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func at(_ minutesAgo: Double) -> Date { now.addingTimeInterval(-minutesAgo * 60) }

    @Test func picturesAndVideosOnRiskyTicketsAreShielded() {
        #expect(policy.shields(contentType: "image/png", ticketRisk: .medium))
        #expect(policy.shields(contentType: "video/mp4", ticketRisk: .critical))
        #expect(policy.shields(contentType: "IMAGE/JPEG; name=x.jpg", ticketRisk: .high))
        // Not risky, or not something a browser shows inline: nothing to blur.
        #expect(!policy.shields(contentType: "image/png", ticketRisk: .none))
        #expect(!policy.shields(contentType: "application/pdf", ticketRisk: .critical))
        #expect(!policy.shields(contentType: "image/heic", ticketRisk: .critical))
        #expect(MediaDisplay(contentType: "video/webm") == .video && MediaDisplay(contentType: "text/plain") == .download)
    }

    @Test func criticalContentWithinTheWindowSuggestsABreak() {
        let exposures = [
            Exposure(kind: .reveal, level: .critical, at: at(50)),
            Exposure(kind: .riskyTicket, level: .high, at: at(20)),
            // Medium risk is shielded and counted in the totals, but is not critical content.
            Exposure(kind: .reveal, level: .medium, at: at(10)),
            // Outside the window.
            Exposure(kind: .reveal, level: .critical, at: at(90)),
        ]
        let summary = policy.summary(of: exposures, now: now)
        #expect(summary.criticalSinceBreak == 2 && !summary.breakDue)
        #expect(summary.day == ExposureCounts(reveals: 3, riskyTickets: 1))
        let more = policy.summary(of: exposures + [Exposure(kind: .riskyTicket, level: .critical, at: at(1))], now: now)
        #expect(more.criticalSinceBreak == 3 && more.breakDue)
    }

    @Test func aBreakOrLaterStartsTheCountAgain() {
        let content = (1...4).map { Exposure(kind: .reveal, level: .critical, at: at(Double(40 - $0))) }
        #expect(policy.summary(of: content, now: now).breakDue)
        let snoozed = policy.summary(of: content + [Exposure(kind: .snooze, at: at(30))], now: now)
        #expect(snoozed.criticalSinceBreak == 0 && !snoozed.breakDue)
        // The totals still count everything: a break does not erase what was seen.
        #expect(snoozed.day.reveals == 4)
        let afterBreak = content + [Exposure(kind: .pause, at: at(38)), Exposure(kind: .reveal, level: .high, at: at(5))]
        #expect(policy.summary(of: afterBreak, now: now).criticalSinceBreak == 3)
    }

    @Test func theWeekAndTheDayAreCountedApart() {
        let exposures = [Exposure(kind: .reveal, level: .medium, at: at(3 * 24 * 60)), Exposure(kind: .riskyTicket, level: .high, at: at(8 * 24 * 60))]
        let summary = policy.summary(of: exposures, now: now)
        #expect(summary.day.total == 0 && summary.week == ExposureCounts(reveals: 1, riskyTickets: 0))
        // A policy with no threshold never prompts.
        let never = WellbeingPolicy(breakAfter: 0).summary(of: (0..<50).map { Exposure(kind: .reveal, level: .critical, at: at(Double($0))) }, now: now)
        #expect(!never.breakDue)
    }
}
