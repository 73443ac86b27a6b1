import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import Logging
import NIOPosix

/// The web contact form (`/contact`): server-rendered in the visitor's language, sent without JavaScript, checked
/// against forgery (signed token + SameSite cookie), bots (a hidden field, a minimum time to fill it) and floods
/// (per network address), and turned into a `web` ticket through the same intake as every channel, with an
/// acknowledgement email through the outbox. A refused form comes back with everything typed still in it.
struct ContactFormController {
    let intake: TicketIntake
    let store: AttachmentStore
    let formKey: InstallationSecret
    let limiter: RateLimiter
    let trustedProxies: Set<String>
    let acknowledgementsPerDay: Int
    let logger: Logger
    let now: @Sendable () -> Date
    /// Sends per minute from one address (a campus or carrier NAT shares one, so not too few).
    static let perAddressPerMinute = 20
    static let cookie = "haven_form"

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("contact", use: show)
        router.post("contact", use: submit)
        router.get("contact/sent", use: sent)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await page(request, locale: locale(request), values: [:], errors: [], status: .ok)
    }

    @Sendable func sent(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = locale(request)
        guard let number = request.uri.queryParameters.get("ticket").flatMap({ Int($0) }), number > 0 else {
            return Response(status: .seeOther, headers: [.location: "/contact?lang=\(locale)"])
        }
        return Self.html(ContactFormPage.renderSent(locale: locale, number: number), status: .ok)
    }

    @Sendable func submit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let locale = locale(request)
        func refuse(_ key: String, _ status: HTTPResponse.Status, values: [String: String] = [:], argument: String? = nil) async throws -> Response {
            let text = ContactFormStrings.text(key, locale)
            return try await page(request, locale: locale, values: values, errors: [("", argument.map { String(format: text, $0) } ?? text)], status: status)
        }
        let address = Self.client(peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .init("X-Forwarded-For")!], trusted: trustedProxies)
        if let wait = limiter.check("contact:\(address)", perMinute: Self.perAddressPerMinute) {
            var response = try await refuse("error.rate", .tooManyRequests, argument: String(wait))
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: store.maxBytes * 4 + (1 << 20)) } catch {
            return try await refuse("error.size", .contentTooLarge)
        }
        let form: FormData
        do { form = try FormData(contentType: request.headers[.contentType], body: body) } catch {
            return try await refuse("error.token", .badRequest)
        }
        var values: [String: String] = [:]
        for field in ["name", "email", "category", "description"] { values[field] = form.fields[field] ?? "" }
        let key = try await formKey.value()
        do throws(FormToken.Problem) {
            _ = try FormToken.check(form.fields["form_token"], cookie: request.cookies[Self.cookie]?.value, key: key, now: now())
        } catch .tooFast {
            return try await refuse("error.fast", .unprocessableContent, values: values)
        } catch .expired {
            return try await refuse("error.expired", .unprocessableContent, values: values)
        } catch {
            return try await refuse("error.token", .forbidden, values: values)
        }
        if !(form.fields["hp_extra"] ?? "").isEmpty { return try await refuse("error.bot", .unprocessableContent, values: values) }

        var errors: [(field: String, message: String)] = []
        let category = Topic(rawValue: values["category"] ?? "")
        if category == nil { errors.append(("category", ContactFormStrings.text("error.category", locale))) }
        var files: [(FormData.File, MediaKind)] = []
        for file in form.files where file.field == "attachments" {
            if file.bytes.count > store.maxBytes {
                errors.append(("attachments", String(format: ContactFormStrings.text("error.file.size", locale), Self.megabytes(store.maxBytes))))
                continue
            }
            do { files.append((file, try MediaSniffer.check(file.bytes, filename: file.filename))) } catch {
                let key = error.problems.first?.field == "filename" ? "error.file.name" : "error.file.type"
                errors.append(("attachments", String(format: ContactFormStrings.text(key, locale), file.filename)))
            }
        }
        let draft = NewTicketDraft(
            subject: nil, body: values["description"] ?? "", channel: .web,
            requester: RequesterDraft(email: values["email"], name: values["name"], locale: locale))
        // The domain's own checks, in the visitor's words.
        do { _ = try draft.validated() } catch {
            for problem in error.problems { if let field = Self.formField(problem.field) { errors.append((field, message(for: field, problem, locale))) } }
        }
        if (values["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.append(("name", ContactFormStrings.text("error.name", locale))) }
        guard errors.isEmpty else {
            return try await page(request, locale: locale, values: values, errors: errors.sorted { Self.order($0.field) < Self.order($1.field) }, status: .unprocessableContent)
        }

        do {
            var stored: [NewAttachment] = []
            for (file, kind) in files { stored.append(try await store.storeCustomerFile(file.bytes, filename: AttachmentController.filename(file.filename), kind: kind)) }
            var origin = TicketOrigin(
                newAttachments: stored,
                acknowledgement: AutomaticResponse(address: values["email"] ?? "", day: MailIntake.day(now()), limit: acknowledgementsPerDay))
            origin.details = RequestDetails(category: category, formLocale: locale)
            let ticket = try await intake.submit(draft, actor: Actor(kind: .contact, id: nil), origin: origin)
            return Response(status: .seeOther, headers: [.location: "/contact/sent?ticket=\(ticket.number)&lang=\(locale)"])
        } catch {
            logger.error("contact form not saved", metadata: ["error": "\(String(reflecting: error))"])
            return try await refuse("error.server", .serviceUnavailable, values: values)
        }
    }

    // MARK: - Helpers

    /// The visitor's address: the peer's, or, when the peer is a trusted proxy, the nearest address in
    /// X-Forwarded-For that is not one (the ones before it could be made up by the visitor).
    static func client(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.reversed().first { !trusted.contains($0) } ?? peer
    }

    /// `?lang=` when it is one of ours, else the browser's Accept-Language.
    private func locale(_ request: Request) -> String {
        request.uri.queryParameters.get("lang").flatMap(ContactFormStrings.match)
            ?? ContactFormStrings.locale(acceptLanguage: request.headers[.acceptLanguage])
    }

    /// The form with a fresh token, and the cookie that pairs with it.
    private func page(
        _ request: Request, locale: String, values: [String: String], errors: [(field: String, message: String)], status: HTTPResponse.Status
    ) async throws -> Response {
        let (token, nonce) = FormToken.issue(key: try await formKey.value(), at: now())
        let state = ContactFormPage.State(locale: locale, token: token, values: values, errors: errors, maxFileSize: Self.megabytes(store.maxBytes))
        var response = Self.html(ContactFormPage.render(state), status: status)
        let secure = request.headers[.init("X-Forwarded-Proto")!] == "https" || request.uri.scheme == .https
        response.setCookie(Cookie(name: Self.cookie, value: nonce, maxAge: 86_400, path: "/contact", secure: secure, httpOnly: true, sameSite: .strict))
        return response
    }

    static func html(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .init("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The form field a domain problem is about.
    static func formField(_ field: String) -> String? {
        switch field {
        case "requester.email", "requester": "email"
        case "requester.name": "name"
        case "body": "description"
        default: nil
        }
    }

    private func message(for field: String, _ problem: FieldProblem, _ locale: String) -> String {
        switch field {
        case "description": ContactFormStrings.text(problem.problem.contains("longer") ? "error.description.long" : "error.description", locale)
        default: ContactFormStrings.text("error.\(field)", locale)
        }
    }

    /// Errors in the order of the fields on the page.
    static func order(_ field: String) -> Int { ["name", "email", "category", "description", "attachments"].firstIndex(of: field) ?? 9 }

    static func megabytes(_ bytes: Int) -> String { bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(max(1, bytes >> 10)) KB" }
}
