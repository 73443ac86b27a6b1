import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Requires `Authorization: Bearer <signed identity>` on the in-app API, checks it, applies the app's and the
/// user's rate limits, and puts the caller on the context.
struct AppIdentityMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let verifier: AppIdentityVerifier
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try BearerAuthMiddleware.token(
            request, maxLength: 8_192, missing: "The in-app API needs 'Authorization: Bearer <signed identity>', signed by your app's backend.",
            what: "<signed identity>")
        let (app, identity) = try await verifier.verify(token)
        if let wait = limiter.check("app:\(app.slug)", perMinute: app.ratePerMinute) {
            throw Self.limited("The app '\(app.slug)' sends more than \(app.ratePerMinute) requests a minute", wait)
        }
        if let wait = limiter.check("user:\(app.slug):\(identity.userID)", perMinute: app.userRatePerMinute) {
            throw Self.limited("This user sends more than \(app.userRatePerMinute) requests a minute", wait)
        }
        let requester: RequesterDraft
        do { requester = try identity.requester() } catch {
            throw APIError(
                status: .unauthorized, code: "invalid_identity", title: "Identity refused",
                detail: "The identity's claims are not valid: " + error.problems.map { "\($0.field): \($0.problem)" }.joined(separator: " "),
                errors: error.problems)
        }
        var context = context
        context.customer = CustomerCaller(app: app, identity: identity, requester: requester)
        return try await next(request, context)
    }

    static func limited(_ what: String, _ seconds: Int) -> APIError {
        APIError(
            status: .tooManyRequests, code: "rate_limited", title: "Too many requests",
            detail: "\(what); try again in \(seconds) s.", retryAfter: seconds)
    }
}
