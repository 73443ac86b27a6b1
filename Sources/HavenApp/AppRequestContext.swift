import Foundation
import Hummingbird
import HavenStorage

/// Per-request state: who is calling, once the bearer token is checked.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var agent: AgentRecord?
    public var tokenID: UUID?

    public init(source: Source) {
        coreContext = .init(source: source)
    }

    /// The authenticated agent; routes behind `BearerAuthMiddleware` always have one.
    func requireAgent() throws -> AgentRecord {
        guard let agent else { throw APIError.unauthenticated("Send 'Authorization: Bearer <token>'; get a token from POST /api/v1/auth/tokens.") }
        return agent
    }

    /// The authenticated agent, who must be an admin; `detail` says what only admins may do.
    @discardableResult
    func requireAdmin(_ detail: String) throws -> AgentRecord {
        let agent = try requireAgent()
        guard agent.has(.admin) else { throw APIError(status: .forbidden, code: "forbidden", title: "Admins only", detail: detail) }
        return agent
    }
}
