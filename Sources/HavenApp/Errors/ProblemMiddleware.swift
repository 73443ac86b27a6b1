import Foundation
import HavenCore
import Hummingbird
import Logging

/// Turns every error into an `application/problem+json` answer, so no client ever sees an HTML page
/// or an empty 500. Unexpected errors are logged with detail and answered without it.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem: APIError
            if let known = APIError.from(error) {
                problem = known
            } else {
                context.logger.error("unexpected error", metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
                problem = APIError(
                    status: .internalServerError, code: "internal_error", title: "Something went wrong",
                    detail: "Haven could not finish this request; nothing was changed. Try again, and tell your administrator if it persists.")
            }
            return Problem.response(problem, instance: request.uri.path)
        }
    }
}

enum Problem {
    struct Body: Encodable {
        var type: String
        var title: String
        var status: Int
        var detail: String
        var code: String
        var instance: String
        var errors: [FieldProblem]?
    }

    static func response(_ error: APIError, instance: String) -> Response {
        let body = Body(
            type: "https://haven.dev/problems/\(error.code.replacingOccurrences(of: "_", with: "-"))", title: error.title,
            status: Int(error.status.code), detail: error.detail, code: error.code, instance: instance, errors: error.errors)
        let data = (try? JSON.encoder.encode(body)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if error.status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let seconds = error.retryAfter { headers[.retryAfter] = String(seconds) }
        return Response(status: error.status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
