import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdWebSocket
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// The request context of WebSocket upgrades. A customer is known by the first frame (the conversation token); an
/// agent by the upgrade request's session cookie, read once when the upgrade is decided and kept here for the handler.
public struct ChatSocketContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    let agent = NIOLockedValueBox<AgentRecord?>(nil)

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
    }
}

/// The routes that upgrade to WebSockets: `/chat/socket` (customers), `/workspace/chat/socket` (agents in a chat) and
/// `/workspace/socket` (every workspace page: changes and who else is on a ticket).
public func buildWebSocketRouter(_ services: HavenServices) -> Router<ChatSocketContext> {
    let router = Router(context: ChatSocketContext.self)
    let connection = ChatConnection(
        chats: services.chats, tickets: services.tickets, intake: services.intake, hub: services.chatHub, database: services.database,
        logger: services.logger)
    router.ws("chat/socket") { inbound, outbound, _ in
        try await ChatSockets.serve(connection, caller: .customer, inbound: inbound, outbound: outbound)
    }
    // A page on another site cannot open an agent's socket with the agent's cookie: browsers always send Origin.
    let agentOnly: @Sendable (Request, ChatSocketContext) async throws -> RouterShouldUpgrade = { request, context in
        guard ChatSockets.sameOrigin(request), let agent = try await ChatSockets.agent(request, sessions: services.webSessions) else { return .dontUpgrade }
        context.agent.withLockedValue { $0 = agent }
        return .upgrade([:])
    }
    router.ws("workspace/chat/socket", shouldUpgrade: agentOnly) { inbound, outbound, context in
        guard let agent = context.requestContext.agent.withLockedValue({ $0 }) else { return }
        try await ChatSockets.serve(connection, caller: .agent(agent), inbound: inbound, outbound: outbound)
    }
    let workspace = WorkspaceConnection(hub: services.workspaceHub, tickets: services.tickets, database: services.database, activity: services.activity)
    router.ws("workspace/socket", shouldUpgrade: agentOnly) { inbound, outbound, context in
        guard let agent = context.requestContext.agent.withLockedValue({ $0 }) else { return }
        do {
            // Like a chat's, a page's socket lets go when the node shuts down; the page reconnects.
            try await cancelWhenGracefulShutdown {
                try await workspace.run(agent: agent, inbound: ChatSockets.texts(inbound)) { try await outbound.write(.text($0)) }
            }
        } catch is CancellationError {}
    }
    return router
}

enum ChatSockets {
    /// The largest frame a client may send: a chat line of 4,000 characters in any script, with room for JSON.
    static let maxFrameBytes = 64 << 10

    static func serve(_ connection: ChatConnection, caller: ChatConnection.Caller, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let texts = texts(inbound)
        let ending: ChatConnection.Ending
        do {
            // A node shutting down (SIGTERM) lets its chats go: clients reconnect (to another node) and resume.
            ending = try await cancelWhenGracefulShutdown {
                try await connection.run(caller: caller, inbound: texts) { try await outbound.write(.text($0)) }
            }
        } catch is CancellationError {
            return
        } catch let error as NIOAsyncWriterError where error == .alreadyFinished() {
            // The client went away while a frame was on its way: nothing failed (it resumes from its last number).
            connection.logger.debug("chat client gone mid-frame")
            return
        } catch {
            // The database failed under the conversation: the client reconnects and resumes from its last number.
            connection.logger.error("chat connection failed", metadata: ["error": "\(String(reflecting: error))"])
            try? await outbound.close(.unexpectedServerError, reason: "Please reconnect.")
            return
        }
        switch ending {
        case .clientLeft: break
        case .refused(let reason): try? await outbound.close(.policyViolation, reason: String(reason.prefix(120)))
        case .idle: try? await outbound.close(.goingAway, reason: "No ping for a minute.")
        }
    }

    /// The client's text frames; a binary frame becomes one the protocol refuses (`{"type":"binary"}`).
    static func texts(_ inbound: WebSocketInboundStream) -> some AsyncSequence<String, any Error> & Sendable {
        inbound.messages(maxSize: maxFrameBytes).compactMap { @Sendable message -> String? in
            if case .text(let text) = message { text } else { #"{"type":"binary"}"# }
        }
    }

    static func agent(_ request: Request, sessions: any WebSessionRepository) async throws -> AgentRecord? {
        guard let cookie = request.cookies[WebSessionMiddleware.cookie]?.value else { return nil }
        return try await sessions.session(token: cookie)?.agent
    }

    /// No Origin (not a browser) or the same host name as the request. Ports are not compared: some clients leave
    /// the port out of Origin, and another port on the same host is the same operator.
    static func sameOrigin(_ request: Request) -> Bool {
        let origins = request.headers[values: .origin]
        guard !origins.isEmpty else { return true }
        guard let authority = request.head.authority, let host = URL(string: "http://" + authority)?.host?.lowercased() else { return false }
        return origins.allSatisfy { URL(string: $0)?.host?.lowercased() == host }
    }
}
