import Foundation
import HavenCore
import Testing

/// SLA time arithmetic: business hours in a team's time zone, weekends, holidays, DST changes (Europe's, and
/// Brazil's midnight change of 2018; Brazil has had none since 2019), and pauses.
@Suite struct SLAClockTests {
    /// "2026-03-27 17:00" in a zone, as an absolute time.
    static func at(_ text: String, _ zone: String) -> Date {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone)
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.date(from: text)!
    }

    static let hour: TimeInterval = 3600
    static let office = BusinessCalendar.Hours("09:00-18:00")!

    @Test func aTargetRunsOverTheWeekendAndHolidays() {
        let zone = "America/Sao_Paulo"
        let brazil = BusinessCalendar.weekdays(Self.office, timeZone: zone, holidays: ["2026-12-25"])
        // Friday 17:00 + 2 business hours: one hour on Friday, one on Monday.
        #expect(SLAClock.deadline(after: Self.at("2026-11-20 17:00", zone), seconds: 2 * Self.hour, calendar: brazil) == Self.at("2026-11-23 10:00", zone))
        // Christmas Eve (Thursday) 17:00: Friday is a holiday, so Monday.
        #expect(SLAClock.deadline(after: Self.at("2026-12-24 17:00", zone), seconds: 2 * Self.hour, calendar: brazil) == Self.at("2026-12-28 10:00", zone))
        // A request at night starts counting at opening time.
        #expect(SLAClock.deadline(after: Self.at("2026-11-24 02:00", zone), seconds: 30 * 60, calendar: brazil) == Self.at("2026-11-24 09:30", zone))
        #expect(SLAClock.elapsed(from: Self.at("2026-11-20 17:00", zone), to: Self.at("2026-11-23 10:00", zone), calendar: brazil) == 2 * Self.hour)
    }

    @Test func europesDaylightSavingChangesMoveTheHoursWithTheClock() {
        let zone = "Europe/Paris"
        let always = BusinessCalendar.alwaysOpen(timeZone: zone)
        // 29 March 2026 has 23 hours, 25 October 2026 has 25.
        #expect(SLAClock.elapsed(from: Self.at("2026-03-29 00:00", zone), to: Self.at("2026-03-30 00:00", zone), calendar: always) == 23 * Self.hour)
        #expect(SLAClock.elapsed(from: Self.at("2026-10-25 00:00", zone), to: Self.at("2026-10-26 00:00", zone), calendar: always) == 25 * Self.hour)
        // Office hours keep to the wall clock: Friday 17:00 (UTC+1) + 2 h is Monday 10:00 (UTC+2), 08:00 UTC.
        let paris = BusinessCalendar.weekdays(Self.office, timeZone: zone)
        let due = SLAClock.deadline(after: Self.at("2026-03-27 17:00", zone), seconds: 2 * Self.hour, calendar: paris)
        #expect(due == Self.at("2026-03-30 08:00", "UTC"))
    }

    @Test func brazilsMidnightChangeOf2018AndNoneSince() {
        let zone = "America/Sao_Paulo"
        let always = BusinessCalendar.alwaysOpen(timeZone: zone)
        // 4 November 2018: clocks jumped from 00:00 to 01:00, so the day had 23 hours (and no midnight).
        #expect(SLAClock.elapsed(from: Self.at("2018-11-03 12:00", zone), to: Self.at("2018-11-04 12:00", zone), calendar: always) == 23 * Self.hour)
        #expect(SLAClock.deadline(after: Self.at("2018-11-03 23:30", zone), seconds: Self.hour, calendar: always) == Self.at("2018-11-04 01:30", zone))
        // Brazil has no DST since 2019: the same dates in 2026 are 24 hours.
        #expect(SLAClock.elapsed(from: Self.at("2026-11-03 12:00", zone), to: Self.at("2026-11-04 12:00", zone), calendar: always) == 24 * Self.hour)
    }

    @Test func pausedTimeDoesNotCount() {
        let zone = "America/Sao_Paulo"
        let brazil = BusinessCalendar.weekdays(Self.office, timeZone: zone)
        let start = Self.at("2026-11-24 09:00", zone)
        // Waiting on the customer from 10:00 to 15:00.
        let pause = Self.at("2026-11-24 10:00", zone)..<Self.at("2026-11-24 15:00", zone)
        #expect(SLAClock.elapsed(from: start, to: Self.at("2026-11-24 16:00", zone), calendar: brazil, paused: [pause]) == 2 * Self.hour)
        #expect(SLAClock.deadline(after: start, seconds: 2 * Self.hour, calendar: brazil, paused: [pause]) == Self.at("2026-11-24 16:00", zone))
        // A pause over a weekend changes nothing that was closed anyway.
        let weekend = Self.at("2026-11-27 18:00", zone)..<Self.at("2026-11-30 09:00", zone)
        #expect(SLAClock.deadline(after: Self.at("2026-11-27 17:00", zone), seconds: 2 * Self.hour, calendar: brazil, paused: [weekend])
            == Self.at("2026-11-30 10:00", zone))
    }

    @Test func aCalendarIsCheckedAndOneNeverOpenHasNoDeadline() {
        let bad = BusinessCalendar(
            timeZone: "Mars/Olympus", week: [2: [BusinessCalendar.Hours(start: 540, end: 720), BusinessCalendar.Hours(start: 600, end: 900)], 9: []],
            holidays: ["25/12/2026"])
        #expect(Set(bad.problems().map(\.field)) == ["calendar.time_zone", "calendar.week", "calendar.holidays"])
        #expect(BusinessCalendar.Hours("18:00-09:00") == nil && BusinessCalendar.Hours("9-18") == nil && BusinessCalendar.Hours("00:00-24:00") != nil)
        let closed = BusinessCalendar(timeZone: "UTC", week: [:])
        #expect(SLAClock.deadline(after: Date(), seconds: 60, calendar: closed) == nil)
        #expect(BusinessCalendar.weekdays(Self.office, timeZone: "Europe/Paris").problems().isEmpty)
    }
}
