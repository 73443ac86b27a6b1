import Foundation
import HavenCore
import HavenStorage
import JWTKit
import Synchronization

/// The claims of a signed identity. Haven reads them only after the signature is checked.
struct IdentityClaims: JWTPayload {
    var iss: IssuerClaim
    var sub: SubjectClaim
    var exp: ExpirationClaim
    var iat: IssuedAtClaim?
    var name: String?
    var locale: String?
    var market: String?
    var kind: String?
    var tier: String?

    /// Expiry is checked by the verifier, which says more than "claim verification failed".
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// Checks an app's signed identity: a JWT whose issuer is a registered app, signed HS256 with the app's secret
/// (by the app's backend) or ES256 with the platform key registered for it, unexpired and living at most a day.
/// Apps are cached for `cacheSeconds`, so a rotated secret or disabled app takes effect on every node within it.
final class AppIdentityVerifier: Sendable {
    private struct Keys: Sendable {
        var app: AppRecord
        var hmac: JWTKeyCollection
        var platform: JWTKeyCollection?
        var loadedAt: Date
    }

    private let apps: any AppRepository
    private let cache = Mutex<[String: Keys]>([:])
    private let now: @Sendable () -> Date
    let cacheSeconds: TimeInterval
    /// Clock difference tolerated between the app's backend and Haven.
    static let leeway: TimeInterval = 60

    init(apps: any AppRepository, cacheSeconds: TimeInterval = 30, now: @escaping @Sendable () -> Date = { Date() }) {
        self.apps = apps
        self.cacheSeconds = cacheSeconds
        self.now = now
    }

    func verify(_ token: String) async throws -> (AppRecord, AppIdentity) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = Self.json(parts[0]), let algorithm = header["alg"] as? String else {
            throw Self.refused("The identity is not a signed JWT (header.payload.signature). Sign it on your backend with the app's secret.")
        }
        // Which app, read before the signature can be checked (its key is the app's); nothing else is trusted yet.
        guard let payload = Self.json(parts[1]), let issuer = payload["iss"] as? String, payload["sub"] is String, payload["exp"] is NSNumber else {
            throw Self.refused("The identity's claims cannot be read: it needs iss (the app id), sub (the user id) and exp.")
        }
        guard let keys = try await keys(for: issuer) else {
            throw Self.refused("No app '\(issuer)' is registered in Haven; the identity's iss must be a registered app id.")
        }
        if keys.app.disabledAt != nil {
            throw APIError(status: .forbidden, code: "app_disabled", title: "App disabled", detail: "The app '\(keys.app.slug)' is disabled in Haven.")
        }
        let collection: JWTKeyCollection
        switch algorithm {
        case "HS256": collection = keys.hmac
        case "ES256":
            guard let platform = keys.platform else {
                throw Self.refused("The identity is signed ES256, but no platform key is registered for '\(keys.app.slug)'; sign it HS256 with the app's secret.")
            }
            collection = platform
        default:
            throw Self.refused("The identity is signed with '\(algorithm)'; Haven accepts HS256 (the app's secret) or ES256 (the platform key).")
        }
        let claims: IdentityClaims
        do {
            claims = try await collection.verify(token, as: IdentityClaims.self)
        } catch {
            throw Self.refused("The identity's signature does not match (it was changed, or signed with another key than '\(keys.app.slug)''s), or a claim has the wrong type.")
        }
        let now = self.now()
        let expiry = claims.exp.value
        if expiry.addingTimeInterval(Self.leeway) < now {
            throw APIError(
                status: .unauthorized, code: "identity_expired", title: "Identity expired",
                detail: "The identity expired at \(ISO8601DateFormatter().string(from: expiry)); get a fresh one from your backend.")
        }
        let issued = claims.iat?.value ?? now
        if expiry.timeIntervalSince(issued) > AppIdentity.maxLifetime + Self.leeway || expiry.timeIntervalSince(now) > AppIdentity.maxLifetime + Self.leeway {
            throw Self.refused("The identity lives longer than 24 hours; sign short-lived identities (an hour is usual).")
        }
        guard let kind = claims.kind.map({ ContactKind(rawValue: $0) }) ?? .user else {
            throw Self.refused("The identity's kind is '\(claims.kind ?? "")'; use user, creator or partner.")
        }
        let identity = AppIdentity(
            app: keys.app.slug, userID: claims.sub.value, name: claims.name, locale: claims.locale, market: claims.market, kind: kind,
            tier: claims.tier, expiresAt: expiry)
        return (keys.app, identity)
    }

    private func keys(for slug: String) async throws -> Keys? {
        let now = self.now()
        if let cached = cache.withLock({ $0[slug] }), now.timeIntervalSince(cached.loadedAt) < cacheSeconds { return cached }
        guard let credentials = try await apps.credentials(slug: slug) else { return nil }
        let hmac = await JWTKeyCollection().add(hmac: HMACKey(from: credentials.secret), digestAlgorithm: .sha256)
        var platform: JWTKeyCollection?
        if let pem = credentials.app.publicKeyPEM, let key = try? ES256PublicKey(pem: pem) {
            platform = await JWTKeyCollection().add(ecdsa: key)
        }
        let keys = Keys(app: credentials.app, hmac: hmac, platform: platform, loadedAt: now)
        cache.withLock { $0[slug] = keys }
        return keys
    }

    /// Drops a cached app (after this node rotated its secret or disabled it).
    func forget(_ slug: String) {
        _ = cache.withLock { $0.removeValue(forKey: slug) }
    }

    private static func json(_ part: Substring) -> [String: Any]? {
        var base64 = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    static func refused(_ detail: String) -> APIError {
        APIError(status: .unauthorized, code: "invalid_identity", title: "Identity refused", detail: detail)
    }
}
