import Crypto
import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Admins register the platform's apps (`/api/v1/apps`): the answer that registers one, or rotates its secret,
/// is the only place the secret is shown.
struct AppAdminController {
    let apps: any AppRepository
    let verifier: AppIdentityVerifier
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("apps", use: create)
        group.get("apps", use: list)
        group.patch("apps/:app", use: update)
        group.post("apps/:app/secret", use: rotate)
    }

    static let adminsOnly = "Only admins manage the apps that may send in-app requests."

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let body = try await JSON.decode(RegisterAppBody.self, from: request, limit: bodyLimit)
        let credentials = try await apps.create(body.app, secret: Self.newSecret())
        var response = try JSON.response(AppDTO(credentials.app, secret: credentials.secret), status: .created)
        response.headers[.location] = "/api/v1/apps/\(credentials.app.slug)"
        return response
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        return try JSON.response(["apps": try await apps.list().map { AppDTO($0) }])
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let slug = context.parameters.get("app") ?? ""
        let body = try await JSON.decode(UpdateAppBody.self, from: request, limit: bodyLimit)
        guard let app = try await apps.setDisabled(slug: slug, body.disabled) else { throw APIError.notFound("There is no app '\(slug)'.") }
        verifier.forget(app.slug)
        return try JSON.response(AppDTO(app))
    }

    @Sendable func rotate(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let slug = context.parameters.get("app") ?? ""
        guard let credentials = try await apps.rotateSecret(slug: slug, secret: Self.newSecret()) else {
            throw APIError.notFound("There is no app '\(slug)'.")
        }
        verifier.forget(credentials.app.slug)
        return try JSON.response(AppDTO(credentials.app, secret: credentials.secret))
    }

    /// 256 random bits, base64url: the HMAC-SHA256 key the app's backend signs identities with.
    static func newSecret() -> String {
        Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
