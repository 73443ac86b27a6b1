import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// `/canned-responses`: every agent reads them; admins write them (each change in `GET /audit`).
struct CannedResponseController {
    let responses: any CannedResponseRepository
    let bodyLimit: Int

    static let adminsOnly = "Only an admin can change canned responses."

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("canned-responses", use: list)
        group.post("canned-responses", use: create)
        group.get("canned-responses/:id", use: show)
        group.patch("canned-responses/:id", use: update)
        group.delete("canned-responses/:id", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        return try JSON.response(["items": try await responses.all().map(CannedResponseDTO.init)])
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        return try JSON.response(CannedResponseDTO(try await existing(context)))
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(Self.adminsOnly)
        let body = try await JSON.decode(CannedResponseBody.self, from: request, limit: bodyLimit)
        let (name, texts) = try CannedReplies.validated(name: body.name ?? "", texts: try body.textsByLocale() ?? [:])
        let saved = try await responses.save(id: nil, name: name, texts: texts, by: admin.id)
        return try JSON.response(CannedResponseDTO(saved), status: .created)
    }

    /// Changes the name, the texts (the whole set: a language left out is removed), or both.
    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(Self.adminsOnly)
        let current = try await existing(context)
        let body = try await JSON.decode(CannedResponseBody.self, from: request, limit: bodyLimit)
        let (name, texts) = try CannedReplies.validated(name: body.name ?? current.name, texts: try body.textsByLocale() ?? current.texts)
        return try JSON.response(CannedResponseDTO(try await responses.save(id: current.id, name: name, texts: texts, by: admin.id)))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let admin = try context.requireAdmin(Self.adminsOnly)
        guard try await responses.delete(try await existing(context).id, by: admin.id) else { throw Self.notFound(context) }
        return Response(status: .noContent)
    }

    private func existing(_ context: AppRequestContext) async throws -> CannedResponse {
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)), let found = try await responses.find(id) else { throw Self.notFound(context) }
        return found
    }

    static func notFound(_ context: AppRequestContext) -> APIError {
        APIError.notFound("There is no canned response \(context.parameters.get("id") ?? ""); GET /api/v1/canned-responses lists them.")
    }
}

/// A canned response in the API: its texts as a list of `{locale, text}`.
struct CannedResponseDTO: Encodable {
    var id: UUID
    var name: String
    var texts: [CannedTextDTO]
    var updatedAt: Date

    init(_ response: CannedResponse) {
        id = response.id
        name = response.name
        texts = CannedResponse.locales.compactMap { locale in response.texts[locale].map { CannedTextDTO(locale: locale, text: $0) } }
        updatedAt = response.updatedAt
    }
}

struct CannedTextDTO: Codable {
    var locale: String
    var text: String
}

struct CannedResponseBody: Decodable {
    var name: String?
    var texts: [CannedTextDTO]?

    /// The texts by locale; a locale given twice is refused, naming it.
    func textsByLocale() throws -> [String: String]? {
        guard let texts else { return nil }
        var byLocale: [String: String] = [:]
        for (index, text) in texts.enumerated() {
            guard byLocale.updateValue(text.text, forKey: text.locale) == nil else {
                throw APIError.validation([FieldProblem(field: "texts[\(index)].locale", problem: "'\(text.locale)' is given twice; give each language once.")])
            }
        }
        return byLocale
    }
}
