import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// The chat's HTTP side: starting a conversation (or leaving a message when nobody can answer), whether anyone can
/// answer now, and a help-centre page with the widget (files and the transcript: `ChatController+conversation.swift`). The conversation itself runs over `/chat/socket`.
///
/// The widget is embedded on other sites (the help centre, the web app): these routes answer any origin. They use
/// no cookie; the conversation token the start returns is the only key to a conversation.
struct ChatController {
    let intake: TicketIntake
    let chats: any ChatRepository
    let customers: any CustomerRequestRepository
    let store: AttachmentStore
    let verifier: AppIdentityVerifier
    let limiter: RateLimiter
    let trustedProxies: Set<String>
    let bodyLimit: Int
    /// Chats started (or messages left) per visitor address: a person starts a few; a script is slowed down.
    static let perAddressPerMinute = 10

    func addRoutes(to router: Router<AppRequestContext>) {
        let group = router.group("chat").add(middleware: CORSMiddleware(allowOrigin: .all, allowHeaders: [.contentType, .authorization], allowMethods: [.get, .post]))
        group.post("conversations", use: start)
        group.post("files", use: upload)
        group.get("files/:id", use: file)
        group.post("transcript", use: transcript)
        // The preflights of cross-origin requests: answered by the CORS middleware, which needs a route to run on.
        for path in ["conversations", "files", "files/:id", "transcript"] {
            group.on(RouterPath(path), method: .options) { _, _ in Response(status: .noContent) }
        }
        group.get("availability", use: availability)
        router.get("chat", use: page)
    }

    /// `POST /chat/conversations`: a new chat (a ticket with channel chat, through the same intake as every channel),
    /// or with `offline: true` a message left for later, answered by email (channel web).
    @Sendable func start(_ request: Request, context: AppRequestContext) async throws -> Response {
        let address = ContactFormController.client(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .init("X-Forwarded-For")!], trusted: trustedProxies)
        if let wait = limiter.check("chat:\(address)", perMinute: Self.perAddressPerMinute) {
            throw AppIdentityMiddleware.limited("Too many chats started from your address", wait)
        }
        let body = try await JSON.decode(StartChatBody.self, from: request, limit: bodyLimit)
        var requester = RequesterDraft(email: body.email, name: body.name, locale: body.language)
        if let identity = body.identity {
            // Inside the app's web view: the app's signed identity says who the customer is.
            let (_, verified) = try await verifier.verify(identity)
            requester = try verified.requester()
        } else if body.email == nil {
            throw APIError.validation([FieldProblem(field: "email", problem: "Give an email address, so the conversation can go on by email after the chat.")])
        }
        let draft = NewTicketDraft(
            subject: body.topic, body: body.message, channel: body.offline ? .web : .chat, language: body.language, requester: requester)
        if body.offline {
            let ticket = try await intake.submit(draft, actor: Actor(kind: .contact, id: nil))
            return try JSON.response(StartedChat(ticket: ticket.number, offline: true), status: .created)
        }
        let token = ChatToken.make()
        var origin = TicketOrigin()
        origin.chatTokenHash = ChatToken.hash(token)
        let ticket = try await intake.submit(draft, actor: Actor(kind: .contact, id: nil), origin: origin)
        // Whether anyone can answer is `GET /chat/availability`, asked before the start; the welcome frame then says
        // whether the chat waits in the queue.
        return try JSON.response(
            StartedChat(ticket: ticket.number, offline: false, conversation: ticket.id, token: token, socket: "/chat/socket"), status: .created)
    }

    /// `GET /chat/availability?language=pt-BR`: whether an agent who speaks it could answer now.
    @Sendable func availability(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = WebQuery(request)
        let language = query.get("language").flatMap(LocaleTag.normalize)
        let count = try await chats.availableAgents(language: language)
        return try JSON.response(Availability(available: count > 0, language: language))
    }

    /// `GET /chat`: a help-centre page with the widget, in the visitor's language (the demo, and the browser tests).
    @Sendable func page(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = WebQuery(request).get("lang").flatMap(LocaleTag.normalize).flatMap { WorkspaceStrings.locales.contains($0) ? $0 : nil }
            ?? ContactFormStrings.locale(acceptLanguage: request.headers[.acceptLanguage])
        return WorkspacePage.html(HelpCentrePage.render(locale: locale))
    }
}

struct StartChatBody: Decodable {
    var name: String?
    var email: String?
    var topic: String?
    var message: String
    var language: String?
    /// The app's signed identity (a JWT), inside the app's web view.
    var identity: String?
    var offline: Bool

    enum CodingKeys: String, CodingKey {
        case name, email, topic, message, language, identity, offline
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name).flatMap { $0.isEmpty ? nil : $0 }
        email = try c.decodeIfPresent(String.self, forKey: .email).flatMap { $0.isEmpty ? nil : $0 }
        topic = try c.decodeIfPresent(String.self, forKey: .topic).flatMap { $0.isEmpty ? nil : $0 }
        message = try c.decode(String.self, forKey: .message)
        language = try c.decodeIfPresent(String.self, forKey: .language).flatMap { $0.isEmpty ? nil : $0 }
        identity = try c.decodeIfPresent(String.self, forKey: .identity)
        offline = try c.decodeIfPresent(Bool.self, forKey: .offline) ?? false
    }
}

struct StartedChat: Encodable {
    var ticket: Int
    var offline: Bool
    var conversation: UUID?
    var token: String?
    var socket: String?
}

struct Availability: Encodable {
    var available: Bool
    var language: String?
}
