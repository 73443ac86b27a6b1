import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// What a customer does beside the socket, with the conversation's token as `Authorization: Bearer <token>`: send a
/// picture or a recording into the chat, look at the chat's files, and have the transcript emailed.
extension ChatController {
    /// Files per conversation per minute: a person sends a few screenshots; a script is slowed down.
    static let filesPerMinute = 20
    /// Transcripts per conversation per minute: one is what anyone needs; a second covers a typo'd retry.
    static let transcriptsPerMinute = 2

    /// `POST /chat/files?filename=shot.png`: the raw file, sniffed (screenshots and recordings only), kept for this
    /// customer until a `send` frame names it in `attachments`.
    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversation = try await conversation(of: request)
        guard conversation.endedAt == nil else { throw Self.ended }
        if let wait = limiter.check("chat-file:\(conversation.ticketID)", perMinute: Self.filesPerMinute) {
            throw AppIdentityMiddleware.limited("Too many files sent into this chat", wait)
        }
        let filename = AttachmentController.filename(request.uri.queryParameters.get("filename"))
        guard !filename.isEmpty, filename.count <= 255 else {
            throw APIError.validation([FieldProblem(field: "filename", problem: "Name the file with ?filename=… (1 to 255 characters).")])
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: store.maxBytes) } catch {
            throw APIError(
                status: .contentTooLarge, code: "attachment_too_large", title: "Attachment too large",
                detail: "A file can be at most \(store.maxBytes / (1 << 20)) MB; send a smaller screenshot or a shorter recording.")
        }
        let bytes = Array(buffer: body)
        let kind: MediaKind
        do { kind = try MediaSniffer.check(bytes, filename: filename) } catch { throw APIError.validation(error.problems) }
        let file = try await store.storeCustomerFile(bytes, filename: filename, kind: kind)
        let record = try await customers.createUpload(file, contact: conversation.contactID)
        return try JSON.response(CustomerFile(record), status: .created)
    }

    /// `GET /chat/files/{id}`: a file of this conversation (the customer's own upload, or one on a public message).
    @Sendable func file(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversation = try await conversation(of: request)
        guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let record = try await customers.attachment(id, visibleTo: conversation.contactID),
              record.ticketID == nil || record.ticketID == conversation.ticketID
        else { throw APIError.notFound("This conversation has no such file.") }
        return try await AttachmentController.download(record, from: store)
    }

    /// `POST /chat/transcript`: the conversation's public messages, emailed to the address the customer gave.
    @Sendable func transcript(_ request: Request, context: AppRequestContext) async throws -> Response {
        let conversation = try await conversation(of: request)
        guard let email = conversation.customerEmail, !email.isEmpty else {
            throw APIError(
                status: .unprocessableContent, code: "no_email", title: "No email address",
                detail: "This conversation has no email address to send the transcript to.")
        }
        if let wait = limiter.check("chat-transcript:\(conversation.ticketID)", perMinute: Self.transcriptsPerMinute) {
            throw AppIdentityMiddleware.limited("The transcript was just sent", wait)
        }
        guard try await chats.emailTranscript(ticket: conversation.ticketID, by: Actor(kind: .contact, id: conversation.contactID.uuidString.lowercased())) else {
            throw APIError(
                status: .conflict, code: "mail_off", title: "Email is not set up",
                detail: "This support desk does not send email yet, so the transcript cannot be sent.")
        }
        return try JSON.response(TranscriptQueued(email: Self.masked(email)), status: .accepted)
    }

    /// The conversation whose token the request carries.
    private func conversation(of request: Request) async throws -> ChatConversationRecord {
        let header = request.headers[.authorization] ?? ""
        guard header.lowercased().hasPrefix("bearer "), case let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw APIError.unauthenticated("Send the conversation's token as 'Authorization: Bearer <token>' (the token POST /chat/conversations returned).")
        }
        guard let conversation = try await chats.conversation(token: token) else {
            throw APIError.notFound("There is no conversation with this token; start a new chat.")
        }
        return conversation
    }

    private static let ended = APIError(
        status: .conflict, code: "chat_ended", title: "The chat has ended",
        detail: "This chat has ended, so nothing more can be sent into it. Start a new chat, or answer the email we send.")

    /// "c•••@example.com": enough for the customer to recognize their address, not enough to read it off a screen.
    static func masked(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), at > email.startIndex else { return "•••" }
        return String(email[email.startIndex]) + "•••" + email[at...]
    }
}

struct TranscriptQueued: Encodable {
    var email: String
}
