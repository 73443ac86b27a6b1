import Foundation

/// The live chat's wire protocol: JSON text frames over a WebSocket, the same for the customer's widget and the
/// agent's console (docs/chat-protocol.md).
///
/// A conversation is a ticket with channel `chat`; its order is the ticket's event sequence. Everything a side sees
/// (messages, an agent joining, the end) is an entry with that number, written before anyone is told, so a client
/// that comes back with "after 17" gets exactly what it missed, in order. Typing and "seen" are signals: they are
/// passed on, not replayed.
public enum ChatProtocol {
    /// The longest message text accepted, in characters: a chat line, not a letter.
    public static let maxText = 4_000
    /// Client message ids are the client's own (a UUID, a counter with a prefix); bounded so they can be indexed.
    public static let maxClientID = 64
    /// The most entries sent in one catch-up; a client further behind gets the rest in the next frames.
    public static let catchUpPage = 200

    /// One coder each for every frame (they are made once: frames are the hot path).
    public static let decoder = JSONDecoder()
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// Who is on a side of the chat.
public enum ChatParty: String, Codable, Sendable, CaseIterable {
    case customer
    case agent
    case system
}

/// What a client says.
public enum ChatClientFrame: Sendable, Equatable {
    /// The first frame: who the client is (the customer's conversation token; an agent is known by the session
    /// cookie and names the ticket) and the last sequence number it has, 0 for none.
    case hello(token: String?, ticket: Int?, after: Int)
    /// A message, with the client's own id for it: sending the same id again is answered with the same ack and
    /// stored once.
    case send(id: String, text: String, attachments: [UUID])
    case typing(Bool)
    /// The client has shown everything up to this sequence number.
    case seen(Int)
    /// The customer leaves or the agent closes the chat.
    case end
    case ping

    private struct Wire: Decodable {
        var type: String
        var token: String?
        var ticket: Int?
        var after: Int?
        var id: String?
        var text: String?
        var attachments: [UUID]?
        var typing: Bool?
        var seq: Int?
    }

    /// Reads one frame; a frame that is not one of ours is refused with a reason a developer can act on.
    public static func decode(_ text: String) throws(ChatProtocolError) -> ChatClientFrame {
        let wire: Wire
        do { wire = try ChatProtocol.decoder.decode(Wire.self, from: Data(text.utf8)) } catch {
            throw .badFrame("A frame is a JSON object with a \"type\"; this one could not be read.")
        }
        switch wire.type {
        case "hello":
            let after = wire.after ?? 0
            guard after >= 0 else { throw .badFrame("\"after\" is a sequence number, 0 or more.") }
            guard wire.token != nil || wire.ticket != nil else { throw .badFrame("\"hello\" needs the conversation's \"token\" (or, for an agent, the \"ticket\").") }
            return .hello(token: wire.token, ticket: wire.ticket, after: after)
        case "send":
            guard let id = wire.id, !id.isEmpty, id.count <= ChatProtocol.maxClientID else {
                throw .badFrame("\"send\" needs an \"id\" of 1 to \(ChatProtocol.maxClientID) characters, chosen by the client.")
            }
            let text = TextNormalizer.body(wire.text ?? "")
            let attachments = wire.attachments ?? []
            guard !text.isEmpty || !attachments.isEmpty else { throw .badFrame("The message is empty.") }
            guard text.count <= ChatProtocol.maxText else { throw .badFrame("A chat message is at most \(ChatProtocol.maxText) characters.") }
            guard attachments.count <= 10 else { throw .badFrame("A chat message carries at most 10 files.") }
            return .send(id: id, text: text, attachments: attachments)
        case "typing": return .typing(wire.typing ?? true)
        case "seen":
            guard let seq = wire.seq, seq >= 0 else { throw .badFrame("\"seen\" needs \"seq\", the last sequence number shown.") }
            return .seen(seq)
        case "end": return .end
        case "ping": return .ping
        default: throw .badFrame("Unknown frame type \"\(wire.type)\"; the types are hello, send, typing, seen, end and ping.")
        }
    }
}

public enum ChatProtocolError: Error, Equatable, Sendable {
    case badFrame(String)

    public var detail: String {
        switch self {
        case .badFrame(let detail): detail
        }
    }
}

/// The state of a conversation as a side sees it.
public enum ChatState: String, Codable, Sendable {
    /// No agent has joined yet.
    case waiting
    case active
    case ended
}

/// One numbered entry of a conversation.
public struct ChatEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case message
        /// An agent took the chat (or it was transferred to them).
        case joined
        /// The agent left the chat (transferred back to the queue).
        case left
        case ended
    }

    public var seq: Int
    public var kind: Kind
    public var from: ChatParty
    /// The agent's display name (joined, left, their messages).
    public var name: String?
    /// The stored message's id (messages).
    public var messageID: UUID?
    /// The id the sending client gave it, so the sender recognizes its own message when it comes back.
    public var clientID: String?
    public var text: String?
    /// An internal note: only on the agent's side.
    public var internalNote: Bool?
    public var attachments: [ChatAttachment]?
    public var at: Date

    public init(
        seq: Int, kind: Kind, from: ChatParty, name: String? = nil, messageID: UUID? = nil, clientID: String? = nil, text: String? = nil,
        internalNote: Bool? = nil, attachments: [ChatAttachment]? = nil, at: Date
    ) {
        self.seq = seq
        self.kind = kind
        self.from = from
        self.name = name
        self.messageID = messageID
        self.clientID = clientID
        self.text = text
        self.internalNote = internalNote
        self.attachments = attachments
        self.at = at
    }

    enum CodingKeys: String, CodingKey {
        case seq, kind, from, name, text, at, attachments
        case messageID = "message_id"
        case clientID = "client_id"
        case internalNote = "internal"
    }
}

public struct ChatAttachment: Codable, Sendable, Equatable {
    public var id: UUID
    public var filename: String
    public var contentType: String
    public var size: Int

    public init(id: UUID, filename: String, contentType: String, size: Int) {
        self.id = id
        self.filename = filename
        self.contentType = contentType
        self.size = size
    }

    enum CodingKeys: String, CodingKey {
        case id, filename, size
        case contentType = "content_type"
    }
}

extension ChatEntry {
    /// The entry a ticket change makes in the conversation, for one side; nil for changes the chat does not show.
    ///
    /// The customer sees public messages, an agent joining or leaving (by first name), and the end. The agent's
    /// side also sees internal notes (a colleague's advice during the chat).
    public static func from(_ change: TicketChange, seq: Int, at: Date, for side: ChatParty, agentName: (String) -> String?) -> ChatEntry? {
        switch change {
        case .messageAdded(let id, let author, let visibility):
            guard visibility == .public || side == .agent else { return nil }
            let from: ChatParty = switch author.kind {
            case .contact: .customer
            case .agent: .agent
            case .system: .system
            }
            return ChatEntry(
                seq: seq, kind: .message, from: from, name: author.kind == .agent ? author.id.flatMap(agentName) : nil,
                messageID: UUID(uuidString: id), internalNote: visibility == .internal ? true : nil, at: at)
        case .assigneeChanged(_, let to?):
            return ChatEntry(seq: seq, kind: .joined, from: .agent, name: agentName(to), at: at)
        case .assigneeChanged(let from?, nil):
            return ChatEntry(seq: seq, kind: .left, from: .agent, name: agentName(from), at: at)
        case .chatEnded(let by):
            return ChatEntry(seq: seq, kind: .ended, from: by == .contact ? .customer : by == .agent ? .agent : .system, at: at)
        default:
            return nil
        }
    }

    /// What the customer sees of an agent's name: the first word ("Amira Haddad" → "Amira").
    public static func publicName(_ name: String) -> String {
        name.split(separator: " ").first.map(String.init) ?? name
    }
}

/// What the server says.
public enum ChatServerFrame: Sendable, Equatable {
    /// The answer to hello: the conversation as it stands; entries after the client's number follow as `entry` frames.
    case welcome(ChatWelcome)
    case entry(ChatEntry)
    /// A message is stored (committed) under this sequence number; `duplicate` when the id had been sent before.
    case ack(id: String, seq: Int, duplicate: Bool)
    case typing(from: ChatParty, name: String?, typing: Bool)
    case seen(by: ChatParty, seq: Int)
    case pong
    /// Something the client sent was refused; the connection stays open unless the code says otherwise.
    case error(code: String, detail: String, id: String?)

    public func json() -> String {
        let encoder = ChatProtocol.encoder
        let data: Data?
        switch self {
        case .welcome(let welcome): data = try? encoder.encode(Typed(type: "welcome", body: welcome))
        case .entry(let entry): data = try? encoder.encode(Typed(type: "entry", body: entry))
        case .ack(let id, let seq, let duplicate): data = try? encoder.encode(Ack(type: "ack", id: id, seq: seq, duplicate: duplicate))
        case .typing(let from, let name, let typing): data = try? encoder.encode(Typing(type: "typing", from: from, name: name, typing: typing))
        case .seen(let by, let seq): data = try? encoder.encode(Seen(type: "seen", by: by, seq: seq))
        case .pong: data = Data(#"{"type":"pong"}"#.utf8)
        case .error(let code, let detail, let id): data = try? encoder.encode(Failure(type: "error", code: code, detail: detail, id: id))
        }
        // Every frame is built from strings, numbers and dates: encoding cannot fail.
        return data.map { String(decoding: $0, as: UTF8.self) } ?? #"{"type":"error","code":"internal","detail":"encoding failed"}"#
    }

    /// `{"type": …}` merged with the body's own keys.
    private struct Typed<Body: Encodable>: Encodable {
        var type: String
        var body: Body
        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(type, forKey: Key(stringValue: "type"))
        }
        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }

    private struct Ack: Encodable { var type: String; var id: String; var seq: Int; var duplicate: Bool }
    private struct Typing: Encodable { var type: String; var from: ChatParty; var name: String?; var typing: Bool }
    private struct Seen: Encodable { var type: String; var by: ChatParty; var seq: Int }
    private struct Failure: Encodable { var type: String; var code: String; var detail: String; var id: String? }
}

public struct ChatWelcome: Codable, Sendable, Equatable {
    /// The conversation's id: its ticket's id.
    public var conversation: UUID
    public var ticket: Int
    public var state: ChatState
    /// The agent in the chat, by the name this side sees.
    public var agent: String?
    /// The last sequence number of the conversation now.
    public var lastSeq: Int
    /// What each side has shown so far ("seen" receipts survive a reconnect).
    public var customerSeen: Int
    public var agentSeen: Int
    public var language: String?

    public init(
        conversation: UUID, ticket: Int, state: ChatState, agent: String?, lastSeq: Int, customerSeen: Int, agentSeen: Int, language: String?
    ) {
        self.conversation = conversation
        self.ticket = ticket
        self.state = state
        self.agent = agent
        self.lastSeq = lastSeq
        self.customerSeen = customerSeen
        self.agentSeen = agentSeen
        self.language = language
    }

    enum CodingKeys: String, CodingKey {
        case conversation, ticket, state, agent, language
        case lastSeq = "last_seq"
        case customerSeen = "customer_seen"
        case agentSeen = "agent_seen"
    }
}
