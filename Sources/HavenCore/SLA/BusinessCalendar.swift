import Foundation

/// When a support team counts time: opening hours per weekday in a time zone, minus holidays. SLA clocks run
/// only inside these hours. Hours are local wall-clock times, so a DST change moves them with the clock, and a
/// day that loses or gains an hour (at night, or at midnight as Brazil's did) has as many real hours as it had.
public struct BusinessCalendar: Sendable, Equatable, Codable {
    /// Opening hours within one day, in minutes after local midnight (`end` up to 1440, exclusive).
    public struct Hours: Sendable, Equatable, Codable {
        public var start: Int
        public var end: Int
        public init(start: Int, end: Int) {
            self.start = start
            self.end = end
        }
        /// "09:00-18:00".
        public init?(_ text: String) {
            let parts = text.split(separator: "-").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]), start < end else { return nil }
            self.init(start: start, end: end)
        }
        /// Stored and shown as "09:00-18:00".
        public init(from decoder: any Decoder) throws {
            let text = try decoder.singleValueContainer().decode(String.self)
            guard let hours = Hours(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not opening hours such as 09:00-18:00."))
            }
            self = hours
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(String(format: "%02d:%02d-%02d:%02d", start / 60, start % 60, end / 60, end % 60))
        }

        static func minutes(_ text: String) -> Int? {
            let parts = text.split(separator: ":")
            guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0..<60).contains(minute) else { return nil }
            let total = hour * 60 + minute
            return total <= 1440 ? total : nil
        }
    }

    /// An IANA time zone, e.g. "America/Sao_Paulo".
    public var timeZone: String
    /// Opening hours by weekday, 1 = Sunday … 7 = Saturday (Foundation's numbering); a day not listed is closed.
    public var week: [Int: [Hours]]
    /// Local dates the team is closed, "yyyy-MM-dd".
    public var holidays: Set<String>

    enum CodingKeys: String, CodingKey {
        case timeZone = "time_zone"
        case week, holidays
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timeZone = try container.decode(String.self, forKey: .timeZone)
        week = try container.decode([Int: [Hours]].self, forKey: .week)
        holidays = try container.decodeIfPresent(Set<String>.self, forKey: .holidays) ?? []
    }

    public init(timeZone: String, week: [Int: [Hours]], holidays: Set<String> = []) {
        self.timeZone = timeZone
        self.week = week
        self.holidays = holidays
    }

    /// Round the clock, every day (the safety queue's calendar).
    public static func alwaysOpen(timeZone: String = "UTC") -> BusinessCalendar {
        BusinessCalendar(timeZone: timeZone, week: Dictionary(uniqueKeysWithValues: (1...7).map { ($0, [Hours(start: 0, end: 1440)]) }))
    }

    /// Monday to Friday within these hours.
    public static func weekdays(_ hours: Hours, timeZone: String, holidays: Set<String> = []) -> BusinessCalendar {
        BusinessCalendar(timeZone: timeZone, week: Dictionary(uniqueKeysWithValues: (2...6).map { ($0, [hours]) }), holidays: holidays)
    }

    /// Every problem with the calendar, in words (an unknown zone, overlapping hours, a malformed holiday).
    public func problems(field: String = "calendar") -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if TimeZone(identifier: timeZone) == nil {
            problems.append(FieldProblem(field: "\(field).time_zone", problem: "'\(timeZone)' is not a time zone such as America/Sao_Paulo or Europe/Paris."))
        }
        for (day, hours) in week {
            if !(1...7).contains(day) { problems.append(FieldProblem(field: "\(field).week", problem: "Weekdays are 1 (Sunday) to 7 (Saturday).")) }
            let sorted = hours.sorted { $0.start < $1.start }
            for hour in sorted where hour.start < 0 || hour.end > 1440 || hour.start >= hour.end {
                problems.append(FieldProblem(field: "\(field).week", problem: "Opening hours run from 00:00 to 24:00, start before end."))
            }
            for (a, b) in zip(sorted, sorted.dropFirst()) where a.end > b.start {
                problems.append(FieldProblem(field: "\(field).week", problem: "Opening hours on day \(day) overlap."))
            }
        }
        for holiday in holidays where Self.localDay(holiday) == nil {
            problems.append(FieldProblem(field: "\(field).holidays", problem: "'\(holiday)' is not a date like 2026-12-25."))
        }
        return problems
    }

    static func localDay(_ text: String) -> DateComponents? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        return DateComponents(year: parts[0], month: parts[1], day: parts[2])
    }

    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? .gmt
        return calendar
    }

    /// The open intervals of the local day that contains `date`, as absolute times.
    func openIntervals(onDayOf date: Date) -> [Range<Date>] {
        let calendar = self.calendar
        let day = calendar.dateComponents([.year, .month, .day, .weekday], from: date)
        let key = String(format: "%04d-%02d-%02d", day.year!, day.month!, day.day!)
        guard !holidays.contains(key), let hours = week[day.weekday!], !hours.isEmpty else { return [] }
        let midnight = calendar.startOfDay(for: date)
        let nextMidnight = calendar.date(byAdding: .day, value: 1, to: midnight)!
        return hours.sorted { $0.start < $1.start }.compactMap { hours in
            let start = local(hours.start, on: day, calendar: calendar, midnight: midnight, nextMidnight: nextMidnight)
            let end = local(hours.end, on: day, calendar: calendar, midnight: midnight, nextMidnight: nextMidnight)
            return start < end ? start..<end : nil
        }
    }

    /// The absolute time of a local wall-clock minute on a day; a minute skipped by a DST change falls to the
    /// next one that exists, 24:00 is the next midnight.
    private func local(_ minute: Int, on day: DateComponents, calendar: Calendar, midnight: Date, nextMidnight: Date) -> Date {
        if minute == 0 { return midnight }
        if minute >= 1440 { return nextMidnight }
        var components = DateComponents(year: day.year, month: day.month, day: day.day, hour: minute / 60, minute: minute % 60)
        components.timeZone = calendar.timeZone
        return calendar.nextDate(after: midnight.addingTimeInterval(-1), matching: DateComponents(hour: minute / 60, minute: minute % 60),
                                 matchingPolicy: .nextTime, direction: .forward).flatMap { $0 < nextMidnight ? $0 : nil }
            ?? calendar.date(from: components) ?? midnight
    }

    /// The next local midnight after the day that contains `date`.
    func nextDay(after date: Date) -> Date {
        calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: date))!
    }
}
