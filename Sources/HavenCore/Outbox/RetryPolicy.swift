import Foundation

/// When to try a failed delivery again: exponential backoff with jitter, up to a ceiling, and when to give up.
///
/// Attempt n waits base·2^(n-1), capped at `maxDelay`, then scaled by a random factor in [0.5, 1] ("equal
/// jitter"), so deliveries that failed together (the SMTP server was down) do not all come back at once.
/// Defaults: 30 s, 1 min, 2 min … at most 15 min between tries, for up to 48 hours: a server that is down for
/// an hour costs about eight tries and the mail goes out within 15 minutes of it coming back.
public struct RetryPolicy: Sendable, Equatable {
    public var baseDelay: TimeInterval = 30
    public var maxDelay: TimeInterval = 15 * 60
    /// Past this age a job that still fails temporarily is failed for good.
    public var giveUpAfter: TimeInterval = 48 * 3600

    public init(baseDelay: TimeInterval = 30, maxDelay: TimeInterval = 15 * 60, giveUpAfter: TimeInterval = 48 * 3600) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.giveUpAfter = giveUpAfter
    }

    /// The wait after failed attempt number `attempt` (1 for the first), given a random `jitter` in [0, 1].
    public func delay(afterAttempt attempt: Int, jitter: Double) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 30)))
        let ceiling = min(maxDelay, baseDelay * pow(2, exponent))
        return ceiling * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }

    /// When to try again, or nil when the job, created at `created`, has been failing for too long.
    public func nextAttempt(afterAttempt attempt: Int, created: Date, now: Date, jitter: Double = Double.random(in: 0...1)) -> Date? {
        let next = now.addingTimeInterval(delay(afterAttempt: attempt, jitter: jitter))
        return next.timeIntervalSince(created) > giveUpAfter ? nil : next
    }
}
