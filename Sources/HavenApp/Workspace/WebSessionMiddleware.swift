import Foundation
import HavenCore
import HavenMail
import HavenStorage
import Hummingbird

/// Workspace pages need a signed-in agent: the session cookie is looked up and the agent put on the context, or the
/// browser is sent to sign in and brought back afterwards. Every form posted is read here and must carry the
/// session's anti-forgery token (or send it as `X-CSRF-Token`), so no handler can forget to check it.
struct WebSessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    static let cookie = "haven_session"
    static let maxFormBytes = 1 << 20

    let sessions: any WebSessionRepository
    let inbox: any InboxRepository
    let wellbeing: any WellbeingRepository
    let activity: AgentActivity
    let hub: WorkspaceHub
    let policy: WellbeingPolicy
    let now: @Sendable () -> Date
    /// The largest form with files (a reply's attachments, all together); other forms stay under `maxFormBytes`.
    let maxUploadBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let cookie = request.cookies[Self.cookie]?.value
        guard let cookie, let session = try await sessions.session(token: cookie) else {
            // A page asked for is shown after signing in; a form posted by an ended session is not replayed.
            var location = "/login?next=" + Self.queryEncoded(request.method == .get ? request.uri.description : "/inbox")
            if cookie != nil { location += "&expired=1" }
            return WorkspacePage.redirect(location)
        }
        var context = context
        context.changesMark = hub.mark
        context.agent = session.agent
        context.webSession = session
        context.locale = session.locale ?? ContactFormStrings.locale(acceptLanguage: request.headers[.acceptLanguage])
        // A page the agent opens or a form they send is activity; a page's own refreshes (fetches) are not.
        if (request.method != .get && request.method != .head) || request.headers[.init("Sec-Fetch-Mode")!] == "navigate",
           let back = await activity.note(session.agent.id) {
            context.webSession?.presence = back
        }
        // What the frame around a page shows (offers, the exposure count) is read for pages only: a picture, a file or
        // a script's JSON on the same routes needs neither.
        if request.method == .get, request.headers[.accept].map({ $0.contains("text/html") }) ?? true {
            async let offers = inbox.offers(to: session.agent.id)
            context.exposure = try await Self.exposure(of: session.agent.id, wellbeing: wellbeing, policy: policy, now: now())
            context.offers = try await offers
        }
        var request = request
        if request.method != .get && request.method != .head {
            let multipart = request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: multipart ? maxUploadBytes : Self.maxFormBytes)
            } catch {
                let limit = WorkspaceStrings.number((multipart ? maxUploadBytes : Self.maxFormBytes) >> 20, context.locale)
                return WorkspaceErrors.page(WorkspaceStrings.text("error.too_large", context.locale, limit), status: .contentTooLarge, context: context)
            }
            let form = try? FormData(contentType: request.headers[.contentType], body: body)
            context.form = form?.fields ?? [:]
            context.formFiles = form?.files ?? []
            let given = request.headers[.init("X-CSRF-Token")!] ?? context.form["csrf"] ?? ""
            guard Self.constantTimeEqual(given, session.csrfToken) else {
                return WorkspaceErrors.page(WorkspaceStrings.text("error.csrf", context.locale), status: .forbidden, context: context)
            }
        }
        do {
            return try await next(request, context)
        } catch {
            return WorkspaceErrors.page(for: error, request: request, context: context)
        }
    }

    /// The agent's last day of exposure, summed up: what every page's header and break prompt show.
    static func exposure(of agentID: UUID, wellbeing: any WellbeingRepository, policy: WellbeingPolicy, now: Date) async throws -> ExposureSummary {
        policy.summary(of: try await wellbeing.exposures(of: agentID, since: now.addingTimeInterval(-24 * 3600)), now: now)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let a = Array(a.utf8), b = Array(b.utf8)
        return a.count == b.count && zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func queryEncoded(_ text: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Errors on workspace pages are pages, not problem+json: what went wrong in the agent's language, with a way back.
enum WorkspaceErrors {
    static func page(for error: any Error, request: Request, context: AppRequestContext) -> Response {
        if let known = APIError.from(error) { return page(known.detail, status: known.status, context: context) }
        context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
        return page(WorkspaceStrings.text("error.server", context.locale), status: .internalServerError, context: context)
    }

    static func page(_ message: String, status: HTTPResponse.Status, context: AppRequestContext) -> Response {
        let locale = context.locale
        let content = "<h1>\(HTML.escape(WorkspaceStrings.text("error.title", locale)))</h1><p><a href=\"/inbox\">\(HTML.escape(WorkspaceStrings.text("ticket.back", locale)))</a></p>"
        guard context.webSession != nil else {
            return WorkspacePage.html("<!DOCTYPE html><html lang=\"\(locale)\" dir=\"\(WorkspaceStrings.direction(locale))\"><head>\(WorkspacePage.head)<title>Haven</title></head><body><main id=\"content\"><p role=\"alert\">\(HTML.escape(message))</p>\(content)</main></body></html>", status: status)
        }
        return WorkspacePage.html(WorkspaceLayout.render(title: WorkspaceStrings.text("error.title", locale), content: content, context: context, problem: message), status: status)
    }
}
