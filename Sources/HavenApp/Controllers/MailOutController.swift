import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Admins' side of email out: the system mail templates and the outbox's state.
struct MailOutController {
    let templates: any MailTemplateRepository
    let outbox: any OutboxRepository
    let bodyLimit: Int

    static let adminsOnly = "Only an admin can change how Haven sends mail."

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("mail/templates", use: listTemplates)
        group.put("mail/templates/:key/:locale", use: saveTemplate)
        group.delete("mail/templates/:key/:locale", use: resetTemplate)
        group.get("mail/outbox", use: outboxState)
    }

    struct TemplateDTO: Encodable {
        var key: String
        var locale: String
        var subject: String
        var body: String
        var customized: Bool
        var updatedAt: Date?
    }

    /// Every template in every language, as Haven would send it now.
    @Sendable func listTemplates(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        struct TemplateList: Encodable {
            var items: [TemplateDTO]
            var variables: [String]
        }
        return try JSON.response(TemplateList(items: try await Self.current(templates), variables: SystemMailTemplates.variables.sorted()))
    }

    /// Every template in every language as Haven would send it now: an admin's edit, else Haven's own (the API and
    /// the admin page).
    static func current(_ templates: any MailTemplateRepository) async throws -> [TemplateDTO] {
        let edited = try await templates.overrides()
        var items: [TemplateDTO] = []
        for key in SystemMailTemplates.keys {
            for locale in SystemMailTemplates.locales {
                if let own = edited.first(where: { $0.key == key && $0.locale == locale }) {
                    items.append(TemplateDTO(key: key, locale: locale, subject: own.subject, body: own.body, customized: true, updatedAt: own.updatedAt))
                } else if let builtIn = SystemMailTemplates.builtIn(key: key, locale: locale) {
                    items.append(TemplateDTO(key: key, locale: locale, subject: builtIn.subject, body: builtIn.body, customized: false, updatedAt: nil))
                }
            }
        }
        return items
    }

    /// An edited template's subject and body, normalized, or every problem with them (empty, bad syntax, a variable
    /// Haven does not know).
    static func validated(subject: String, body: String) throws -> (subject: String, body: String) {
        let subject = TextNormalizer.line(subject), body = TextNormalizer.body(body)
        var problems: [FieldProblem] = []
        if subject.isEmpty { problems.append(FieldProblem(field: "subject", problem: "The subject is empty.")) }
        if body.isEmpty { problems.append(FieldProblem(field: "body", problem: "The body is empty.")) }
        problems += SystemMailTemplates.problems(subject, field: "subject").map { FieldProblem(field: "subject", problem: $0) }
        problems += SystemMailTemplates.problems(body, field: "body").map { FieldProblem(field: "body", problem: $0) }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return (subject, body)
    }

    struct TemplateBody: Decodable {
        var subject: String
        var body: String
    }

    @Sendable func saveTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let (key, locale) = try Self.templateKey(context)
        let input = try await JSON.decode(TemplateBody.self, from: request, limit: bodyLimit)
        let (subject, body) = try Self.validated(subject: input.subject, body: input.body)
        let saved = try await templates.save(key: key, locale: locale, subject: subject, body: body, by: try context.requireAgent().id)
        return try JSON.response(TemplateDTO(key: key, locale: locale, subject: saved.subject, body: saved.body, customized: true, updatedAt: saved.updatedAt))
    }

    @Sendable func resetTemplate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let (key, locale) = try Self.templateKey(context)
        _ = try await templates.reset(key: key, locale: locale)
        return Response(status: .noContent)
    }

    static func templateKey(_ context: AppRequestContext) throws -> (String, String) {
        let key = context.parameters.get("key") ?? "", locale = context.parameters.get("locale") ?? ""
        guard SystemMailTemplates.keys.contains(key) else {
            throw APIError(status: .notFound, code: "not_found", title: "No such template",
                           detail: "There is no mail template '\(key)'; the templates are \(SystemMailTemplates.keys.joined(separator: ", ")).")
        }
        guard SystemMailTemplates.locales.contains(locale) else {
            throw APIError(status: .notFound, code: "not_found", title: "No such language",
                           detail: "Templates exist in \(SystemMailTemplates.locales.joined(separator: ", ")), not '\(locale)'.")
        }
        return (key, locale)
    }

    /// Jobs by status (pending, sent, failed).
    @Sendable func outboxState(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        return try JSON.response(try await outbox.counts())
    }
}

/// `GET /notifications` (the signed-in agent's, newest first; `?unread=true`) and `POST /notifications/{id}/read`.
struct NotificationController {
    let notifications: any NotificationRepository

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("notifications", use: list)
        group.post("notifications/:id/read", use: markRead)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let unread = request.uri.queryParameters.get("unread") == "true"
        return try JSON.response(["items": try await notifications.notifications(forAgent: agent.id, unreadOnly: unread, limit: 100)])
    }

    @Sendable func markRead(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), try await notifications.markRead(id, agentID: agent.id) else {
            throw APIError(status: .notFound, code: "not_found", title: "No such notification", detail: "You have no notification with this id.")
        }
        return Response(status: .noContent)
    }
}
