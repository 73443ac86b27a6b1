import Foundation
import HavenCore
import HavenStorage

/// One workspace page's WebSocket (`/workspace/socket`): it hears which tickets changed, at most once a second, and
/// who else is on the ticket it shows.
///
/// Client → server: `{"type":"since","mark":"…"}` (on connecting: the page's `data-changes`, the changes it was rendered
/// after; if more came since, the page is told `changed` with no ids and reads itself again),
/// `{"type":"viewing","ticket":1042,"typing":false}` (on opening a ticket, every 20 s, and when the
/// agent starts writing), `{"type":"active"}` (a key or a click, at most once a minute), `{"type":"ping"}`. Server →
/// client: `{"type":"changed","tickets":["<id>", …]}`, `{"type":"presence","name":"Ana Lima","typing":true,"left":false}`,
/// `{"type":"own_presence","presence":"online"}` (the agent is back online), `{"type":"pong"}`.
struct WorkspaceConnection: Sendable {
    let hub: WorkspaceHub
    let tickets: any TicketRepository
    let database: HavenDatabase
    let activity: AgentActivity
    /// Changes are gathered and sent at most this often: a busy desk does not flood every open page.
    var flushInterval: Duration = .seconds(1)
    var idleTimeout: Duration = .seconds(60)

    private struct ClientFrame: Decodable {
        var type: String
        var ticket: Int?
        var typing: Bool?
        var mark: String?
    }

    private struct Changed: Encodable {
        var type = "changed"
        var tickets: [String]
    }

    private struct PresenceFrame: Encodable {
        var type = "presence"
        var name: String
        var typing: Bool
        var left: Bool
    }

    func run<Inbound: AsyncSequence & Sendable>(
        agent: AgentRecord, inbound: Inbound, send: @escaping @Sendable (String) async throws -> Void
    ) async throws where Inbound.Element == String {
        let events = SocketEvents<WorkspaceHub.Event>(inbound: inbound, tick: flushInterval)
        let subscription = hub.subscribe { events.wake($0) }
        let me = UUID()
        var watching: UUID?
        var typing = false
        /// The other pages on the watched ticket this one has heard from: a newcomer is answered once, so it learns
        /// at once who was there before it (and two pages never answer each other twice).
        var known = Set<UUID>()
        var pending = Set<UUID>()
        var lastHeard = ContinuousClock.now
        defer {
            hub.unsubscribe(subscription)
            events.finish()
        }
        func announce(_ ticket: UUID, typing: Bool, left: Bool) async {
            let presence = WorkspacePresence(ticket: ticket, connection: me, agent: agent.id, name: agent.name, typing: typing, left: left)
            await database.signal(ticket, topic: .presence, body: presence.signal)
        }
        loop: for await event in events.stream {
            switch event {
            case .closed: break loop
            case .tick:
                if ContinuousClock.now - lastHeard > idleTimeout { break loop }
                if !pending.isEmpty {
                    try await send(Self.json(Changed(tickets: pending.map { $0.uuidString.lowercased() }.sorted())))
                    pending.removeAll()
                }
            case .wake(.changed(let ids)):
                pending.formUnion(ids)
            case .wake(.presence(let presence)):
                // Others on the ticket this page shows; the same agent in another tab is not "someone else".
                guard presence.ticket == watching, presence.connection != me, presence.agent != agent.id else { continue }
                try await send(Self.json(PresenceFrame(name: presence.name, typing: presence.typing, left: presence.left)))
                if presence.left {
                    known.remove(presence.connection)
                } else if known.insert(presence.connection).inserted {
                    await announce(presence.ticket, typing: typing, left: false)
                }
            case .frame(let text):
                lastHeard = ContinuousClock.now
                guard let frame = try? JSONDecoder().decode(ClientFrame.self, from: Data(text.utf8)) else { continue }
                switch frame.type {
                case "ping":
                    try await send(#"{"type":"pong"}"#)
                case "since":
                    // Subscribed before this frame was read: what the mark misses is known here by now.
                    if hub.isStale(frame.mark) { try await send(Self.json(Changed(tickets: []))) }
                case "active":
                    // A key pressed or a click on the page: the agent is at work (and back online if Haven had set them away).
                    if let back = await activity.note(agent.id) { try await send(#"{"type":"own_presence","presence":"\#(back.rawValue)"}"#) }
                case "viewing":
                    guard let number = frame.ticket, let ticket = try await tickets.summary(.number(number)),
                          TicketVisibility(roles: agent.roles).allows(queueSlug: ticket.queue?.slug)
                    else { continue }
                    if let previous = watching, previous != ticket.id {
                        await announce(previous, typing: false, left: true)
                        known.removeAll()
                    }
                    watching = ticket.id
                    typing = frame.typing ?? false
                    await announce(ticket.id, typing: typing, left: false)
                default:
                    continue
                }
            }
        }
        if let watching { await announce(watching, typing: false, left: true) }
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
