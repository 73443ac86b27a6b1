import HavenStorage
import Foundation
import Hummingbird

/// Requires `Authorization: Bearer <token>` and puts the token's agent on the context.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let directory: any DirectoryRepository
    let cache: TokenCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let token = try Self.token(
            request, maxLength: 200, missing: "This endpoint needs 'Authorization: Bearer <token>'. Get a token from POST /api/v1/auth/tokens.",
            what: "<token>")
        let known: (agent: AgentRecord, tokenID: UUID)?
        if let cached = cache.lookup(token) {
            known = cached
        } else {
            known = try await directory.agent(forToken: token)
            if let known { cache.remember(token, agent: known.agent, tokenID: known.tokenID) }
        }
        guard let (agent, tokenID) = known else {
            throw APIError.unauthenticated("The token is unknown or was revoked. Create a new one with POST /api/v1/auth/tokens.")
        }
        var context = context
        context.agent = agent
        context.tokenID = tokenID
        return try await next(request, context)
    }
}

extension BearerAuthMiddleware {
    /// The credential of `Authorization: Bearer <credential>` (agents' tokens, apps' signed identities), or a 401
    /// that says what to send.
    static func token(_ request: Request, maxLength: Int, missing: String, what: String) throws -> String {
        guard let header = request.headers[.authorization] else { throw APIError.unauthenticated(missing) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].count <= maxLength else {
            throw APIError.unauthenticated("The Authorization header must be 'Bearer \(what)'.")
        }
        return String(parts[1])
    }
}
