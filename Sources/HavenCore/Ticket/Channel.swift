/// Where a request came in. Every channel goes through the same intake pipeline.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case email
    case web
    case inApp = "in_app"
    case chat
    case api
}
