import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Inbound mail over HTTP (for inbound-mail webhooks) and the quarantine, for admins.
struct MailController {
    let intake: MailIntake
    let mail: any MailRepository
    let maxMessageBytes: Int

    static let adminsOnly = "Only an admin's token can deliver mail or manage the quarantine."

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("mail/inbound", use: inbound)
        group.get("mail/quarantine", use: listQuarantine)
        group.get("mail/quarantine/:id/raw", use: downloadQuarantined)
        group.post("mail/quarantine/:id/reprocess", use: reprocess)
    }

    /// `POST /mail/inbound?queue=…` with the raw RFC 5322 message as the body.
    @Sendable func inbound(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxMessageBytes)
        } catch {
            throw APIError(status: .contentTooLarge, code: "message_too_large", title: "Message too large",
                           detail: "A message can be at most \(maxMessageBytes) bytes.")
        }
        guard body.readableBytes > 0 else {
            throw APIError.validation([FieldProblem(field: "body", problem: "Send the raw RFC 5322 message as the request body.")])
        }
        let queue = request.uri.queryParameters.get("queue").map(TextNormalizer.line).flatMap { $0.isEmpty ? nil : $0 }
        do {
            let result = try await intake.ingest(Array(buffer: body), queue: queue, source: "api")
            let status: HTTPResponse.Status = switch result.outcome {
            case .created: .created
            case .quarantined: .accepted
            case .appended, .duplicate, .bounce: .ok
            }
            return try JSON.response(result, status: status)
        } catch let rejected as MailRejected {
            throw APIError(status: .unprocessableContent, code: "message_rejected", title: "Message rejected", detail: rejected.reason)
        }
    }

    @Sendable func listQuarantine(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let status = request.uri.queryParameters.get("status")
        if let status, !["held", "reprocessed"].contains(status) {
            throw APIError.badRequest("invalid_parameter", "status is held or reprocessed.", errors: [FieldProblem(field: "status", problem: "Use held or reprocessed.")])
        }
        let items = try await mail.quarantined(status: status, limit: 200)
        return try JSON.response(["items": items], status: .ok)
    }

    func item(_ context: AppRequestContext) async throws -> QuarantineRecord {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw), let item = try await mail.quarantined(id: id) else {
            throw APIError.notFound("There is no quarantined message \(raw).")
        }
        return item
    }

    @Sendable func downloadQuarantined(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        return try await Self.original(try await item(context), intake: intake)
    }

    /// A held message's original bytes, as an .eml download (the API and the admin page).
    static func original(_ item: QuarantineRecord, intake: MailIntake) async throws -> Response {
        let data = try await intake.original(item)
        return Response(
            status: .ok,
            headers: [
                .contentType: "message/rfc822",
                .contentDisposition: "attachment; filename=\"quarantined-\(item.id.uuidString.lowercased()).eml\"",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `POST /mail/quarantine/{id}/reprocess?queue=…`: runs the message through intake again.
    @Sendable func reprocess(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let queue = request.uri.queryParameters.get("queue").map(TextNormalizer.line).flatMap { $0.isEmpty ? nil : $0 }
        let result = try await Self.reprocess(try await item(context), queue: queue, intake: intake)
        return try JSON.response(result, status: result.outcome == .created ? .created : .ok)
    }

    /// Runs a held message through intake again (the API and the admin page): 409 when it was already, 422 when it
    /// still cannot become a ticket, saying why.
    static func reprocess(_ item: QuarantineRecord, queue: String?, intake: MailIntake) async throws -> MailIngestResult {
        guard item.status == "held" else {
            throw APIError(status: .conflict, code: "already_reprocessed", title: "Already reprocessed",
                           detail: "This message was already reprocessed\(item.ticketID.map { " into ticket \($0.uuidString.lowercased())" } ?? "").")
        }
        do {
            return try await intake.reprocess(item, queue: queue)
        } catch let problem as MailUnprocessable {
            throw APIError(status: .unprocessableContent, code: "still_unprocessable", title: "Still cannot be processed", detail: problem.reason)
        }
    }
}
