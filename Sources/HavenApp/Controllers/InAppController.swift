import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import NIOPosix

/// The in-app API (`/api/v1/app`): the platform's apps create requests for their signed-in users, list and read
/// them with support's public replies, reply, solve, and poll an updates feed. Every POST honours
/// `Idempotency-Key`; the caller is the user `AppIdentityMiddleware` checked.
struct InAppController {
    let intake: TicketIntake
    let tickets: any TicketRepository
    let customers: any CustomerRequestRepository
    let store: AttachmentStore
    let idempotency: Idempotency
    let bodyLimit: Int

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("uploads", use: upload)
        group.post("requests", use: create)
        group.get("requests", use: list)
        group.get("requests/:id", use: show)
        group.post("requests/:id/messages", use: reply)
        group.post("requests/:id/solve", use: solve)
        group.get("updates", use: updates)
        group.get("attachments/:id", use: download)
    }

    /// A request with files inline (base64) may be as large as a few files.
    var createLimit: Int { max(bodyLimit, store.maxBytes * 3) }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        let filename = try AttachmentController.uploadFilename(request)
        let body = try await AttachmentController.uploadBody(request, store: store)
        return try await idempotency.run(key: request.headers[Idempotency.header], scope: scope(customer), request: fingerprint(request, body)) {
            let file = try await store.customerFile(Array(buffer: body), filename: filename)
            let contact = try await customers.contact(for: customer.requester)
            let record = try await customers.createUpload(file, contact: contact.id)
            return try Idempotency.stored(CustomerFile(record), status: .created)
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        let buffer = try await JSON.collect(request, limit: createLimit)
        let current: @Sendable (UUID) async throws -> StoredResponse = { [tickets] id in
            guard let ticket = try await tickets.find(.id(id), includeInternal: false) else { throw RecordNotFound(kind: "request", reference: "\(id)") }
            return try Idempotency.stored(CustomerRequest(ticket), status: .created, location: "/api/v1/app/requests/\(id.uuidString.lowercased())")
        }
        return try await idempotency.create(
            key: request.headers[Idempotency.header], scope: scope(customer), request: fingerprint(request, buffer), ticket: current
        ) { reservation in
            let body = try JSON.decode(CreateInAppRequestBody.self, from: buffer)
            let details = try RequestDetails(category: body.category, app: customer.app.slug, device: body.device, content: body.content, liveNow: body.liveNow).validated()
            var files: [NewAttachment] = []
            for (index, file) in body.attachments.enumerated() {
                guard let bytes = Data(base64Encoded: file.data, options: .ignoreUnknownCharacters), !bytes.isEmpty else {
                    throw APIError.validation([FieldProblem(field: "attachments[\(index)].data", problem: "Send the file's bytes in base64.")])
                }
                guard bytes.count <= store.maxBytes else { throw AttachmentController.tooLarge(store) }
                files.append(try await store.customerFile(Array(bytes), filename: AttachmentController.filename(file.filename), field: "attachments[\(index)]"))
            }
            var origin = TicketOrigin(attachmentIDs: body.attachmentIDs, newAttachments: files)
            origin.details = details
            origin.idempotency = reservation
            if !body.attachmentIDs.isEmpty {
                // Only the user's own uploads; a user who never uploaded has none (a fresh id matches no file).
                origin.uploader = try await customers.contact(externalID: customer.identity.userID)?.id ?? UUID()
            }
            let draft = NewTicketDraft(subject: body.subject, body: body.description, channel: .inApp, requester: customer.requester)
            let ticket = try await intake.submit(draft, actor: Actor(kind: .contact, id: nil), origin: origin)
            let id = ticket.id.uuidString.lowercased()
            return try Idempotency.stored(CustomerRequest(ticket), status: .created, location: "/api/v1/app/requests/\(id)")
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        var query = TicketListQuery()
        query.sort = .created
        query.cursor = request.uri.queryParameters.get("cursor")
        if let raw = request.uri.queryParameters.get("limit") {
            guard let limit = Int(raw), (1...100).contains(limit) else {
                throw APIError.validation([FieldProblem(field: "limit", problem: "A number from 1 to 100.")])
            }
            query.limit = limit
        }
        guard let contact = try await customers.contact(externalID: customer.identity.userID) else {
            return try JSON.response(CustomerRequestList(requests: [], nextCursor: nil))
        }
        query.requester = contact.id.uuidString.lowercased()
        let page = try await tickets.list(query)
        return try JSON.response(CustomerRequestList(requests: page.items.map(CustomerRequest.init), nextCursor: page.nextCursor))
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        let ticket = try await own(context, customer, includeMessages: true)
        return try JSON.response(CustomerRequest(ticket))
    }

    @Sendable func reply(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        let buffer = try await JSON.collect(request, limit: bodyLimit)
        return try await idempotency.run(key: request.headers[Idempotency.header], scope: scope(customer), request: fingerprint(request, buffer)) {
            let body = try JSON.decode(CustomerReplyBody.self, from: buffer)
            let ticket = try await own(context, customer, includeMessages: false)
            let triage = intake.triage(body.body)
            let message = NewMessage(
                body: body.body, visibility: .public, attachmentIDs: body.attachmentIDs, language: triage.language.language, risk: triage.risk)
            let stored = try await tickets.addMessage(to: .id(ticket.id), message, actor: .contact(ticket.requester.id.uuidString.lowercased()))
            return try Idempotency.stored(CustomerMessage(stored), status: .created)
        }
    }

    @Sendable func solve(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        let buffer = try await request.body.collect(upTo: bodyLimit)
        return try await idempotency.run(key: request.headers[Idempotency.header], scope: scope(customer), request: fingerprint(request, buffer)) {
            let ticket = try await own(context, customer, includeMessages: false)
            let solved = try await tickets.update(
                .id(ticket.id), with: TicketUpdate(status: .solved), actor: .contact(ticket.requester.id.uuidString.lowercased()))
            return try Idempotency.stored(CustomerRequest(solved))
        }
    }

    @Sendable func updates(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        var problems: [FieldProblem] = []
        var cursor = 0, limit = 100
        if let raw = request.uri.queryParameters.get("cursor") {
            if let value = Int(raw), value >= 0 { cursor = value } else {
                problems.append(FieldProblem(field: "cursor", problem: "The cursor is the number the last answer gave (0 to start)."))
            }
        }
        if let raw = request.uri.queryParameters.get("limit") {
            if let value = Int(raw), (1...500).contains(value) { limit = value } else {
                problems.append(FieldProblem(field: "limit", problem: "A number from 1 to 500."))
            }
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        guard let contact = try await customers.contact(externalID: customer.identity.userID) else {
            return try JSON.response(CustomerUpdates(updates: [], cursor: cursor))
        }
        let updates = try await customers.updates(contact: contact.id, after: cursor, limit: limit)
        return try JSON.response(CustomerUpdates(updates: updates.map(CustomerUpdate.init), cursor: updates.last?.seq ?? cursor))
    }

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let customer = try context.requireCustomer()
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw), let contact = try await customers.contact(externalID: customer.identity.userID),
              let record = try await customers.attachment(id, visibleTo: contact.id) else {
            throw APIError.notFound("You have no file \(raw).")
        }
        return try await AttachmentController.download(record, from: store)
    }

    // MARK: - Helpers

    /// The caller's own request named in the path; another user's is "not found" (its existence is not theirs to learn).
    private func own(_ context: AppRequestContext, _ customer: CustomerCaller, includeMessages: Bool) async throws -> TicketRecord {
        let raw = (context.parameters.get("id") ?? "").removingPercentEncoding ?? ""
        var found: TicketRecord?
        if let ref = TicketRef(raw) { found = includeMessages ? try await tickets.find(ref, includeInternal: false) : try await tickets.summary(ref) }
        guard let ticket = found, ticket.requester.externalID == customer.identity.userID else {
            throw APIError.notFound("You have no request '\(raw)'. Use a request's id or number from GET /api/v1/app/requests.")
        }
        return ticket
    }

    /// Idempotency keys belong to one user of one app.
    private func scope(_ customer: CustomerCaller) -> String { "app:\(customer.app.slug):\(customer.identity.userID)" }

    /// What a retried request must repeat: method, path and body; a JSON body by its content, not its key order or
    /// spacing (a client that rebuilds the request after a restart may serialize it differently).
    private func fingerprint(_ request: Request, _ body: ByteBuffer) -> [UInt8] {
        var bytes = Array(buffer: body)
        if request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true,
           let value = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
           let canonical = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) {
            bytes = Array(canonical)
        }
        return Array("\(request.method.rawValue) \(request.uri.path)\n".utf8) + bytes
    }

}
