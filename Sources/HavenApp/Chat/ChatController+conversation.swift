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
        let filename = try AttachmentController.uploadFilename(request)
        let body = try await AttachmentController.uploadBody(request, store: store)
        let file = try await store.customerFile(Array(buffer: body), filename: filename)
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
        let token = try BearerAuthMiddleware.token(
            request, maxLength: 200, missing: "Send the conversation's token as 'Authorization: Bearer <token>' (the token POST /chat/conversations returned).",
            what: "<conversation token>")
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
