import HavenCore
import HavenStorage
import Hummingbird

struct AuthController {
    let directory: any DirectoryRepository
    let tokenCache: TokenCache
    let bodyLimit: Int

    func addPublicRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("auth/tokens", use: create)
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.delete("auth/tokens/current", use: revokeCurrent)
        group.get("me", use: me)
    }

    /// Email and password in, a bearer token out. The same answer for an unknown email and a wrong
    /// password, so the endpoint does not reveal who has an account.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await JSON.decode(CreateTokenBody.self, from: request, limit: bodyLimit)
        guard let (agent, hash) = try await directory.agent(email: body.email), agent.active,
            try await Passwords.verify(body.password, hash: hash)
        else {
            throw APIError.unauthenticated("The email or password is wrong.")
        }
        let issued = try await directory.issueToken(forAgent: agent.id, name: body.name ?? "api")
        return try JSON.response(TokenResponse(token: issued.token, tokenID: issued.id, agent: issued.agent), status: .created)
    }

    @Sendable func revokeCurrent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        if let tokenID = context.tokenID {
            _ = try await directory.revokeToken(tokenID, ofAgent: agent.id)
            tokenCache.forget(tokenID: tokenID)
        }
        return Response(status: .noContent)
    }

    @Sendable func me(_ request: Request, context: AppRequestContext) async throws -> Response {
        try JSON.response(try context.requireAgent())
    }
}
