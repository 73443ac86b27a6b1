import Foundation
import HavenCore
import HavenStorage
import Logging

/// One side's WebSocket to one conversation (docs/chat-protocol.md).
///
/// Everything the connection does runs in one loop over one stream of events (frames from the client, wake-ups
/// from the hub, the heartbeat tick), so its state needs no lock and frames go out in the order they were decided.
/// A message is acknowledged only after its transaction committed; the entries a side sees are read from the
/// database after the connection's own last sequence number.
struct ChatConnection: Sendable {
    /// Who is at the other end of the socket, as known before the first frame.
    enum Caller: Sendable {
        case customer
        /// An agent signed in to the workspace (the upgrade request's session cookie).
        case agent(AgentRecord)
    }

    let chats: any ChatRepository
    let tickets: any TicketRepository
    let intake: TicketIntake
    let hub: ChatHub
    let database: HavenDatabase
    let logger: Logger
    /// A customer's lines per conversation per minute: faster than anyone types, slower than a script floods a queue.
    /// Bursts of 31 pass, so a client that comes back with its unacknowledged messages can resend them at once.
    let lines = RateLimiter()
    static let linesPerMinute = 120
    /// A client that says nothing for this long is gone (its pings stopped); the socket is closed.
    var idleTimeout: Duration = .seconds(60)
    var helloTimeout: Duration = .seconds(10)

    /// Why the connection ended, for the close frame.
    enum Ending: Equatable {
        case clientLeft
        case refused(String)
        case idle
    }

    /// Runs until the client goes away. `inbound` yields the client's text frames; `send` writes one frame.
    func run<Inbound: AsyncSequence & Sendable>(
        caller: Caller, inbound: Inbound, send: @escaping @Sendable (String) async throws -> Void
    ) async throws -> Ending where Inbound.Element == String {
        let events = SocketEvents<ChatHub.Wake>(inbound: inbound, tick: .seconds(5))
        var session = Session(id: UUID(), caller: caller, lastHeard: ContinuousClock.now)
        defer {
            if let ticket = session.conversation?.ticketID, let subscription = session.subscription { hub.unsubscribe(ticket: ticket, id: subscription) }
            events.finish()
        }
        for await event in events.stream {
            switch event {
            case .closed: return .clientLeft
            case .tick:
                let quiet = ContinuousClock.now - session.lastHeard
                if session.conversation == nil && quiet > helloTimeout { return .refused("No hello within \(helloTimeout).") }
                if quiet > idleTimeout { return .idle }
            case .wake(.changed):
                try await catchUp(&session, send: send)
            case .wake(.signal(let body)):
                if let frame = session.forwarded(body) { try await send(frame) }
            case .frame(let text):
                session.lastHeard = ContinuousClock.now
                if let ending = try await handle(text, session: &session, send: send, wake: { events.wake($0) }) { return ending }
            }
        }
        return .clientLeft
    }

    /// What one connection knows.
    private struct Session {
        let id: UUID
        let caller: Caller
        var conversation: ChatConversationRecord?
        var subscription: UUID?
        /// The last sequence number sent to this client.
        var cursor = 0
        var lastHeard: ContinuousClock.Instant
        /// Known from the welcome or from the `ended` entry as it passes.
        var ended = false

        init(id: UUID, caller: Caller, lastHeard: ContinuousClock.Instant) {
            self.id = id
            self.caller = caller
            self.lastHeard = lastHeard
        }

        var side: ChatParty {
            if case .agent = caller { .agent } else { .customer }
        }

        var actor: Actor {
            switch caller {
            case .agent(let agent): .agent(agent.id.uuidString.lowercased())
            case .customer: .contact(conversation!.contactID.uuidString.lowercased())
            }
        }

        /// The name the other side sees for this one.
        var name: String? {
            if case .agent(let agent) = caller { ChatEntry.publicName(agent.name) } else { nil }
        }

        /// A signal from another connection, as this client should see it; nil for its own, and for a customer's own
        /// side's (an agent also sees other agents' typing on the chat: who else is there).
        func forwarded(_ body: String) -> String? {
            let parts = body.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0] != Substring(id.uuidString) else { return nil }
            let frame = String(parts[1])
            struct Sender: Decodable { var from: ChatParty?; var by: ChatParty? }
            let sender = try? ChatProtocol.decoder.decode(Sender.self, from: Data(frame.utf8))
            if side == .customer, (sender?.from ?? sender?.by) == .customer { return nil }
            return frame
        }
    }

    private func handle(
        _ text: String, session: inout Session, send: @escaping @Sendable (String) async throws -> Void, wake: @escaping @Sendable (ChatHub.Wake) -> Void
    ) async throws -> Ending? {
        let frame: ChatClientFrame
        do { frame = try ChatClientFrame.decode(text) } catch {
            try await send(ChatServerFrame.error(code: "bad_frame", detail: error.detail, id: nil).json())
            return nil
        }
        guard let conversation = session.conversation else {
            guard case .hello(let token, let ticket, let after) = frame else {
                try await send(ChatServerFrame.error(code: "hello_first", detail: "Say hello first, with the conversation's token.", id: nil).json())
                return nil
            }
            return try await hello(token: token, ticket: ticket, after: after, session: &session, send: send, wake: wake)
        }
        switch frame {
        case .hello:
            try await send(ChatServerFrame.error(code: "already_started", detail: "This connection has said hello already.", id: nil).json())
        case .send(let id, let text, let attachments):
            try await deliver(id: id, text: text, attachments: attachments, conversation: conversation, session: session, send: send)
        case .typing(let typing):
            await database.signal(conversation.ticketID, topic: .chat, body: "\(session.id.uuidString) " + ChatServerFrame.typing(from: session.side, name: session.name, typing: typing).json())
        case .seen(let seq):
            let seq = min(seq, session.cursor)
            try await chats.markSeen(ticket: conversation.ticketID, by: session.side, seq: seq)
            await database.signal(conversation.ticketID, topic: .chat, body: "\(session.id.uuidString) " + ChatServerFrame.seen(by: session.side, seq: seq).json())
        case .end:
            _ = try await chats.end(ticket: conversation.ticketID, by: session.actor)
        case .ping:
            try await send(ChatServerFrame.pong.json())
        }
        return nil
    }

    private func hello(
        token: String?, ticket: Int?, after: Int, session: inout Session, send: @escaping @Sendable (String) async throws -> Void,
        wake: @escaping @Sendable (ChatHub.Wake) -> Void
    ) async throws -> Ending? {
        let found: ChatConversationRecord?
        switch session.caller {
        case .customer:
            found = try await token.asyncFlatMap { try await chats.conversation(token: $0) }
        case .agent(let agent):
            found = try await ticket.asyncFlatMap { try await chats.conversation(ticket: .number($0)) }
                .flatMap { TicketVisibility(roles: agent.roles).allows(queueSlug: $0.queueSlug) ? $0 : nil }
        }
        guard let conversation = found else {
            let detail = session.side == .customer
                ? "There is no conversation with this token; start a new chat." : "There is no chat with this ticket number that you may see."
            try await send(ChatServerFrame.error(code: "unknown_conversation", detail: detail, id: nil).json())
            return .refused(detail)
        }
        session.conversation = conversation
        // Subscribed before the first read: a message committed in between wakes this connection.
        session.subscription = hub.subscribe(ticket: conversation.ticketID, cursor: after, wake)
        session.cursor = after
        session.ended = conversation.endedAt != nil
        let agentName = conversation.assigneeName.map { session.side == .customer ? ChatEntry.publicName($0) : $0 }
        try await send(ChatServerFrame.welcome(ChatWelcome(
            conversation: conversation.ticketID, ticket: conversation.ticketNumber, state: conversation.state, agent: agentName,
            lastSeq: conversation.lastSeq, customerSeen: conversation.customerSeen, agentSeen: conversation.agentSeen,
            language: conversation.language)).json())
        try await catchUp(&session, send: send)
        return nil
    }

    /// Sends everything after the connection's cursor, page by page.
    private func catchUp(_ session: inout Session, send: @escaping @Sendable (String) async throws -> Void) async throws {
        guard let conversation = session.conversation else { return }
        while true {
            let page = try await chats.entries(ticket: conversation.ticketID, after: session.cursor, for: session.side, limit: ChatProtocol.catchUpPage)
            for entry in page.entries {
                if entry.kind == .ended { session.ended = true }
                try await send(ChatServerFrame.entry(entry).json())
            }
            session.cursor = page.through
            if let subscription = session.subscription { hub.advance(ticket: conversation.ticketID, id: subscription, to: page.through) }
            if !page.more { return }
        }
    }

    private func deliver(
        id: String, text: String, attachments: [UUID], conversation: ChatConversationRecord, session: Session,
        send: @escaping @Sendable (String) async throws -> Void
    ) async throws {
        guard !session.ended else {
            try await send(ChatServerFrame.error(code: "ended", detail: "This chat has ended. Start a new one, or answer the email we send.", id: id).json())
            return
        }
        if session.side == .customer, lines.check("chat-line:\(conversation.ticketID)", perMinute: Self.linesPerMinute) != nil {
            // Not stored and not acknowledged: the client keeps the message and sends it again a little later.
            try await send(ChatServerFrame.error(code: "too_fast", detail: "Too many messages at once; this one is sent again in a moment.", id: id).json())
            return
        }
        var message = NewMessage(body: text, visibility: .public, attachmentIDs: attachments)
        message.clientID = id
        if session.side == .customer {
            // A customer's chat line is triaged like any message: risk raises the ticket's, at once.
            message.language = intake.language(of: text)
            message.risk = intake.assessRisk(of: text)
        }
        do {
            let stored = try await tickets.addMessage(to: .id(conversation.ticketID), message, actor: session.actor)
            try await send(ChatServerFrame.ack(id: id, seq: stored.seq, duplicate: stored.duplicate).json())
        } catch let error as DomainError {
            try await send(ChatServerFrame.error(code: "refused", detail: APIError.from(error)?.detail ?? "The message was refused.", id: id).json())
        }
    }
}

extension Optional where Wrapped: Sendable {
    fileprivate func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
