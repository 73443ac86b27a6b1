import Foundation
import Synchronization

/// Requests per minute per key (an app, an app's user), with bursts of a quarter of a minute's allowance (plus one): the
/// generic cell rate algorithm, one timestamp per key. Kept in memory per node, so with several nodes each
/// allows the rate (the limit protects the desk from a runaway client, it is not a quota).
final class RateLimiter: Sendable {
    private let state = Mutex<[String: Date]>([:])
    private let now: @Sendable () -> Date
    private static let maxKeys = 200_000

    init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    /// nil when allowed (and counted); otherwise the seconds until a request with this key would be.
    func check(_ key: String, perMinute rate: Int) -> Int? {
        let interval = 60 / Double(max(1, rate))
        let tolerance = interval * Double(max(1, rate / 4))
        let now = self.now()
        return state.withLock { theoretical in
            if theoretical.count > Self.maxKeys { theoretical = theoretical.filter { $0.value > now } }
            // The theoretical arrival time runs ahead of the clock by one interval per request; a request is allowed
            // while it is at most `tolerance` ahead (so a quarter minute's allowance, plus one, can come at once).
            let arrival = max(theoretical[key] ?? now, now)
            let wait = arrival.timeIntervalSince(now) - tolerance
            if wait > 0 { return Int(wait.rounded(.up)) }
            theoretical[key] = arrival.addingTimeInterval(interval)
            return nil
        }
    }
}
