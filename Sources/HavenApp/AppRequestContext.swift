import Foundation
import Hummingbird
import NIOCore
import HavenCore
import HavenStorage

/// Per-request state: who is calling, once the bearer token is checked.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var agent: AgentRecord?
    public var tokenID: UUID?
    /// The app and end user of an in-app request, once its signed identity is checked.
    public var customer: CustomerCaller?

    /// The agent's browser session, on workspace pages (`WebSessionMiddleware`).
    public var webSession: WebSession?
    /// Tickets offered to the signed-in agent now, shown above every workspace page.
    var offers: [OfferSummary] = []
    /// The signed-in agent's own exposure count and whether a break is due, shown on every workspace page.
    var exposure: ExposureSummary?
    /// The workspace's change mark when the request came in, before the page read anything (`WorkspaceHub.mark`).
    var changesMark = ""
    /// A workspace form's fields, read and checked against forgery by `WebSessionMiddleware`.
    public var form: [String: String] = [:]
    /// Files a workspace form sent (`multipart/form-data`): a reply's attachments.
    var formFiles: [FormData.File] = []
    /// The workspace's language for this request: the agent's choice, else the browser's.
    public var locale: String = "en"

    /// The peer's address (the form's per-IP limit); nil in router tests.
    public var remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
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

extension AppRequestContext {
    /// The signed-in agent's presence, as the session read it.
    var presence: Presence { webSession?.presence ?? .offline }

    /// Whether the signed-in agent may see this ticket (`TicketVisibility`: the safety queue is for the trained and leads).
    func maySee(_ ticket: TicketRecord) throws -> Bool {
        TicketVisibility(roles: try requireAgent().roles).allows(queueSlug: ticket.queue?.slug)
    }

    /// The ticket the path names (`{id}`: its id or its number); 404 when it names neither.
    func ticketRef() throws -> TicketRef {
        let raw = (parameters.get("id") ?? "").removingPercentEncoding ?? ""
        guard let ref = TicketRef(raw) else {
            throw APIError.notFound("'\(raw)' is not a ticket id or number. Use the ticket's id (a UUID) or its number.")
        }
        return ref
    }
}

/// Who is calling the in-app API: a registered app, on behalf of the user its identity names.
public struct CustomerCaller: Sendable {
    public var app: AppRecord
    public var identity: AppIdentity
    /// The identity as a requester, validated.
    public var requester: RequesterDraft
}

extension AppRequestContext {
    /// The in-app caller; routes behind `AppIdentityMiddleware` always have one.
    func requireCustomer() throws -> CustomerCaller {
        guard let customer else { throw APIError.unauthenticated("Send 'Authorization: Bearer <signed identity>' from your app's backend.") }
        return customer
    }
}
