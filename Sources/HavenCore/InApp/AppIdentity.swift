import Foundation

/// Who an in-app request is from, as the platform's backend vouches for it in a signed identity (a JWT whose
/// signature Haven checks before it reads this). The app never sends a user id Haven takes on trust.
public struct AppIdentity: Sendable, Equatable {
    /// The registered app that signed it (the token's `iss`).
    public var app: String
    /// The platform's user id (`sub`); the contact's external id.
    public var userID: String
    public var name: String?
    public var locale: String?
    public var market: String?
    public var kind: ContactKind
    public var tier: String?
    public var expiresAt: Date

    public init(app: String, userID: String, name: String? = nil, locale: String? = nil, market: String? = nil,
                kind: ContactKind = .user, tier: String? = nil, expiresAt: Date) {
        self.app = app
        self.userID = userID
        self.name = name
        self.locale = locale
        self.market = market
        self.kind = kind
        self.tier = tier
        self.expiresAt = expiresAt
    }

    /// The longest an identity may live: apps sign short-lived ones, so a leaked token soon stops working.
    public static let maxLifetime: TimeInterval = 24 * 3600

    /// The requester this identity describes, validated like any channel's (a bad locale or market is named).
    public func requester() throws(DomainError) -> RequesterDraft {
        try RequesterDraft(externalID: userID, name: name, locale: locale, kind: kind, tier: tier, market: market).validated()
    }
}
