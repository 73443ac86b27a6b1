/// Who is asking: an ordinary user, a creator, or a business partner.
public enum ContactKind: String, Codable, Sendable, CaseIterable {
    case user
    case creator
    case partner
}

/// What an agent may do. An agent may hold several roles.
public enum AgentRole: String, Codable, Sendable, CaseIterable {
    case agent
    case lead
    case qa
    case safety
    case admin
}

/// Who did something to a ticket, as recorded in its event log.
public enum ActorKind: String, Codable, Sendable, CaseIterable {
    case agent
    case contact
    case system
}

public struct Actor: Codable, Sendable, Hashable {
    public var kind: ActorKind
    /// The agent's or contact's id; nil for the system.
    public var id: String?

    public init(kind: ActorKind, id: String?) {
        self.kind = kind
        self.id = id
    }

    public static let system = Actor(kind: .system, id: nil)
    public static func agent(_ id: String) -> Actor { Actor(kind: .agent, id: id) }
    public static func contact(_ id: String) -> Actor { Actor(kind: .contact, id: id) }
}
