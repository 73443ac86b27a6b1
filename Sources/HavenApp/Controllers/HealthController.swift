import Foundation
import HavenStorage
import Hummingbird

struct HealthController {
    let database: HavenDatabase

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in try JSON.response(["status": "ok"]) }
        router.get("readyz") { _, _ in
            guard await database.isReachable() else {
                throw APIError(status: .serviceUnavailable, code: "database_unreachable", title: "Not ready", detail: "The database does not answer.")
            }
            return try JSON.response(["status": "ready"])
        }
        // Read once, when the router is built; it is part of the binary's resources and never changes.
        let document = Bundle.module.url(forResource: "openapi", withExtension: "json").flatMap { try? Data(contentsOf: $0) }
        router.get("api/v1/openapi.json") { _, _ in
            guard let document else { throw APIError.notFound("The OpenAPI document is missing from this build.") }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
