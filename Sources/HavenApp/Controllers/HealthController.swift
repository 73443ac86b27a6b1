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
        router.get("api/v1/openapi.json") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
                throw APIError.notFound("The OpenAPI document is missing from this build.")
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
