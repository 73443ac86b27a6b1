/// Where a request came in. Every channel goes through the same intake pipeline.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case email
    case web
    case inApp = "in_app"
    case chat
    case api
}

extension Channel {
    /// Whether an agent's public reply reaches the customer by email: requests that came by email or through
    /// the web form (which asks for an address). In-app requests are answered in the app, chats in the chat.
    public var repliesByEmail: Bool {
        switch self {
        case .email, .web: true
        case .inApp, .chat, .api: false
        }
    }
}
