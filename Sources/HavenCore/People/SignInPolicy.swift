import Foundation

/// How web sign-in protects accounts: repeated failures lock the account for a while, and sessions end after a
/// shift's worth of inactivity and, whatever happens, after a week.
public struct SignInPolicy: Sendable, Equatable {
    /// Failed sign-ins in a row that lock the account.
    public var maximumFailures: Int = 5
    public var lockout: TimeInterval = 15 * 60
    /// A session unused this long ends (a long shift with a lunch break stays signed in).
    public var idleTimeout: TimeInterval = 12 * 3600
    public var absoluteLifetime: TimeInterval = 7 * 24 * 3600
    /// A session's expiry is pushed forward at most this often: one write per agent every few minutes, not per request.
    public var refreshAfter: TimeInterval = 5 * 60

    public init() {}

    /// What a failed sign-in leads to: the new failure count, and the lockout's end once the count reaches the limit
    /// (the count then starts again, so the next lockout also takes `maximumFailures` failures).
    public func failure(previousFailures: Int, now: Date) -> (failures: Int, lockedUntil: Date?) {
        let failures = previousFailures + 1
        return failures >= maximumFailures ? (0, now.addingTimeInterval(lockout)) : (failures, nil)
    }

    public func expiry(createdAt: Date, now: Date) -> Date {
        min(now.addingTimeInterval(idleTimeout), createdAt.addingTimeInterval(absoluteLifetime))
    }

    public func needsRefresh(lastSeenAt: Date, now: Date) -> Bool { now.timeIntervalSince(lastSeenAt) >= refreshAfter }
}
