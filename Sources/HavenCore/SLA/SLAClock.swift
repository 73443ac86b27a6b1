import Foundation

/// Business-time arithmetic for SLA targets: when a target falls due, and how much business time has passed,
/// with paused spans (a ticket waiting on the customer) left out. Pure functions of a calendar and the times.
public enum SLAClock {
    /// No SLA looks further ahead than this; a calendar with no open hours at all would otherwise loop forever.
    static let horizonDays = 800

    /// When `seconds` of business time will have passed after `start` (not counting `paused` spans).
    /// Nil when the calendar is never open within the horizon.
    public static func deadline(after start: Date, seconds: TimeInterval, calendar: BusinessCalendar, paused: [Range<Date>] = []) -> Date? {
        var remaining = seconds
        if remaining <= 0 { return start }
        var day = start
        for _ in 0..<horizonDays {
            for interval in calendar.openIntervals(onDayOf: day) {
                for piece in subtract(paused, from: interval) where piece.upperBound > start {
                    let from = max(piece.lowerBound, start)
                    let available = piece.upperBound.timeIntervalSince(from)
                    if available >= remaining { return from.addingTimeInterval(remaining) }
                    remaining -= available
                }
            }
            day = calendar.nextDay(after: day)
        }
        return nil
    }

    /// Business time between `start` and `end` (zero when `end` is not after `start`), without `paused` spans.
    public static func elapsed(from start: Date, to end: Date, calendar: BusinessCalendar, paused: [Range<Date>] = []) -> TimeInterval {
        guard end > start else { return 0 }
        var total: TimeInterval = 0
        var day = start
        for _ in 0..<horizonDays {
            guard day < end else { break }
            for interval in calendar.openIntervals(onDayOf: day) {
                for piece in subtract(paused, from: interval) {
                    let from = max(piece.lowerBound, start), to = min(piece.upperBound, end)
                    if to > from { total += to.timeIntervalSince(from) }
                }
            }
            day = calendar.nextDay(after: day)
        }
        return total
    }

    /// `interval` with the `paused` spans cut out.
    static func subtract(_ paused: [Range<Date>], from interval: Range<Date>) -> [Range<Date>] {
        var pieces = [interval]
        for pause in paused {
            pieces = pieces.flatMap { piece -> [Range<Date>] in
                guard pause.overlaps(piece) else { return [piece] }
                var rest: [Range<Date>] = []
                if piece.lowerBound < pause.lowerBound { rest.append(piece.lowerBound..<pause.lowerBound) }
                if pause.upperBound < piece.upperBound { rest.append(pause.upperBound..<piece.upperBound) }
                return rest
            }
        }
        return pieces
    }
}
