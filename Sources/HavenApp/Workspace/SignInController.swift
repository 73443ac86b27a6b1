import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Agents' sign-in and sign-out. The sign-in form is protected against forgery by a random value both in a
/// SameSite=Strict cookie and in the form (another site can set neither); the session cookie is HttpOnly, SameSite=Lax
/// and Secure whenever Haven is reached over HTTPS. Failed sign-ins lock an account for a while (`SignInPolicy`).
struct SignInController {
    static let loginCookie = "haven_login"

    let sessions: any WebSessionRepository
    let assignments: any AssignmentRepository
    let policy: SignInPolicy
    let now: @Sendable () -> Date

    func addPublicRoutes(to router: Router<AppRequestContext>) {
        router.get("login", use: show)
        router.post("login", use: signIn)
        router.get("/") { _, _ in WorkspacePage.redirect("/inbox") }
    }

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("logout", use: signOut)
        group.post("logout/everywhere", use: signOutEverywhere)
        group.post("settings/language", use: setLanguage)
        group.post("settings/presence", use: setPresence)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let query = WebQuery(request)
        let locale = Self.locale(query.get("lang"), request)
        var notice: String?
        if query.get("expired") != nil { notice = WorkspaceStrings.text("signin.expired", locale) }
        if query.get("signed_out") == "1" { notice = WorkspaceStrings.text("signin.signed_out", locale) }
        if query.get("signed_out") == "all" { notice = WorkspaceStrings.text("signin.signed_out_everywhere", locale) }
        return page(request, locale: locale, next: query.get("next"), email: "", notice: notice, problem: nil, status: .ok)
    }

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 64 << 10)
        let form = (try? FormData(contentType: request.headers[.contentType], body: body))?.fields ?? [:]
        let locale = Self.locale(form["lang"], request)
        let email = String((form["email"] ?? "").trimmingCharacters(in: .whitespaces).prefix(320))
        let next = form["next"]
        func again(_ key: String, _ argument: String = "", status: HTTPResponse.Status) -> Response {
            page(request, locale: locale, next: next, email: email, notice: nil, problem: WorkspaceStrings.text(key, locale, argument), status: status)
        }
        guard let token = form["login_token"], let cookie = request.cookies[Self.loginCookie]?.value,
            WebSessionMiddleware.constantTimeEqual(token, cookie)
        else { return again("signin.error.form", status: .forbidden) }
        let password = form["password"] ?? ""
        guard !email.isEmpty, !password.isEmpty, password.utf8.count <= 1024 else { return again("signin.error.missing", status: .unprocessableContent) }

        guard let account = try await sessions.account(email: email), account.agent.active else {
            // The same work and the same answer as a wrong password: the page does not tell who has an account.
            try await Passwords.spendVerifyTime(password)
            return again("signin.error.wrong", status: .unauthorized)
        }
        if let until = account.lockedUntil, until > now() {
            return again("signin.error.locked", WorkspaceStrings.date(until, locale) + " UTC", status: .tooManyRequests)
        }
        guard try await Passwords.verify(password, hash: account.passwordHash) else {
            if let until = try await sessions.recordFailedSignIn(agentID: account.agent.id) {
                return again("signin.error.locked", WorkspaceStrings.date(until, locale) + " UTC", status: .tooManyRequests)
            }
            return again("signin.error.wrong", status: .unauthorized)
        }
        let (sessionToken, _) = try await sessions.start(agentID: account.agent.id, userAgent: request.headers[.userAgent])
        // Signing in to work is being available for work.
        _ = try await assignments.setPresence(.online, for: account.agent.id)
        var response = WorkspacePage.redirect(Self.safeNext(next))
        response.setCookie(Self.sessionCookie(sessionToken, request, maxAge: Int(policy.absoluteLifetime)))
        response.setCookie(Cookie(name: Self.loginCookie, value: "", maxAge: 0, path: "/login", httpOnly: true, sameSite: .strict))
        return response
    }

    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        guard let session = context.webSession else { return WorkspacePage.redirect("/login") }
        try await sessions.end(sessionID: session.id)
        return signedOut(request, query: "signed_out=1")
    }

    @Sendable func signOutEverywhere(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        _ = try await sessions.endAll(agentID: agent.id)
        // Signed out everywhere is not at work: offers are withdrawn and tickets handled per queue policy.
        _ = try await assignments.setPresence(.offline, for: agent.id)
        return signedOut(request, query: "signed_out=all")
    }

    @Sendable func setLanguage(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let locale = context.form["locale"].flatMap(ContactFormStrings.match)
        try await sessions.setLocale(agentID: agent.id, locale: locale)
        return WorkspacePage.redirect("/inbox?notice=language")
    }

    @Sendable func setPresence(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        guard let presence = context.form["presence"].flatMap(Presence.init(rawValue:)) else {
            return WorkspaceErrors.page(WorkspaceStrings.text("error.form", context.locale), status: .unprocessableContent, context: context)
        }
        _ = try await assignments.setPresence(presence, for: agent.id)
        return WorkspacePage.redirect("/inbox?notice=presence")
    }

    private func signedOut(_ request: Request, query: String) -> Response {
        var response = WorkspacePage.redirect("/login?" + query)
        response.setCookie(Self.sessionCookie("", request, maxAge: 0))
        return response
    }

    private func page(
        _ request: Request, locale: String, next: String?, email: String, notice: String?, problem: String?, status: HTTPResponse.Status
    ) -> Response {
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let next = Self.safeNext(next)
        let values: [String: Any] = [
            "lang": locale, "dir": WorkspaceStrings.direction(locale), "t": WorkspaceStrings.mustache(locale), "head": WorkspacePage.head,
            "token": nonce, "next": next, "email": email, "notice": notice ?? false, "problem": problem ?? false,
            "nextQuery": next == "/inbox" ? "" : "&next=" + WebSessionMiddleware.queryEncoded(next),
            "languages": WorkspaceStrings.locales.map { ["code": $0, "name": WorkspaceStrings.names[$0]!, "current": $0 == locale] },
        ]
        var response = WorkspacePage.html(WorkspacePage.signIn.render(values), status: status)
        response.setCookie(Cookie(name: Self.loginCookie, value: nonce, maxAge: 3600, path: "/login", secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    /// Only a path on this site: a link to "/login?next=https://evil.example" must not send the agent away.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), !next.hasPrefix("/login"), next.count <= 2000 else { return "/inbox" }
        return next
    }

    static func locale(_ chosen: String?, _ request: Request) -> String {
        chosen.flatMap(ContactFormStrings.match) ?? ContactFormStrings.locale(acceptLanguage: request.headers[.acceptLanguage])
    }

    static func isSecure(_ request: Request) -> Bool {
        request.headers[.init("X-Forwarded-Proto")!] == "https" || request.uri.scheme == .https
    }

    static func sessionCookie(_ value: String, _ request: Request, maxAge: Int) -> Cookie {
        Cookie(name: WebSessionMiddleware.cookie, value: value, maxAge: maxAge, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax)
    }

}
