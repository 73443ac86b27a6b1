import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// An error the API answers with a problem+json document (RFC 9457). `code` is stable; clients match on it.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var errors: [FieldProblem]?
    /// Seconds before trying again, sent as `Retry-After` (rate limits).
    public var retryAfter: Int? = nil

    public static func badRequest(_ code: String, _ detail: String, errors: [FieldProblem]? = nil) -> APIError {
        APIError(status: .badRequest, code: code, title: "Bad request", detail: detail, errors: errors)
    }

    public static func unauthenticated(_ detail: String) -> APIError {
        APIError(status: .unauthorized, code: "unauthenticated", title: "Not signed in", detail: detail)
    }

    public static func notFound(_ detail: String) -> APIError {
        APIError(status: .notFound, code: "not_found", title: "Not found", detail: detail)
    }

    public static func validation(_ problems: [FieldProblem]) -> APIError {
        APIError(
            status: .unprocessableContent, code: "validation_failed", title: "Invalid input",
            detail: DomainError.invalid(problems).detail, errors: problems)
    }

    /// Maps any error raised while handling a request to what the client is told.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as DomainError:
            switch error {
            case .invalid(let problems): return .validation(problems)
            case .forbiddenTransition: return APIError(status: .conflict, code: error.code, title: "Status change not allowed", detail: error.detail)
            case .ticketClosed: return APIError(status: .conflict, code: error.code, title: "Ticket closed", detail: error.detail)
            }
        case let error as RecordNotFound:
            return .notFound("There is no \(error.kind) \(error.reference).")
        case let error as AssignmentConflict:
            return APIError(status: .conflict, code: error.code, title: "Cannot assign", detail: error.detail)
        case let error as InvalidCursor:
            return .badRequest("invalid_cursor", error.reason)
        case let error as DuplicateName:
            return APIError(
                status: .conflict, code: "already_exists", title: "Already exists",
                detail: "'\(error.value)' is already taken.", errors: [FieldProblem(field: error.field, problem: "Already taken.")])
        case let error as HTTPError:
            return from(httpError: error)
        default:
            return nil
        }
    }

    private static func from(httpError error: HTTPError) -> APIError {
        switch error.status {
        case .notFound:
            return .notFound("No such endpoint. The API is described at /api/v1/openapi.json.")
        case .contentTooLarge:
            return APIError(status: .contentTooLarge, code: "body_too_large", title: "Request too large", detail: "The request body is larger than this server accepts.")
        case .methodNotAllowed:
            return APIError(status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: "This endpoint does not accept that HTTP method.")
        default:
            let reason = error.status.reasonPhrase
            return APIError(status: error.status, code: "http_\(error.status.code)", title: reason, detail: error.body ?? reason)
        }
    }
}
