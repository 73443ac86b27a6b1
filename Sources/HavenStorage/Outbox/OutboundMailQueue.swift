import Foundation
import HavenCore

/// Whether and how Haven emails customers; nil in the repository when no SMTP server is configured.
public struct OutboundMailSettings: Sendable, Equatable {
    /// The domain of the Message-IDs Haven makes (`<uuid@domain>`), normally the sender address's.
    public var messageIDDomain: String

    public init(messageIDDomain: String) {
        self.messageIDDomain = messageIDDomain
    }
}

/// The mail Haven sends about a ticket.
public enum OutboundMailKind: String, Sendable, CaseIterable {
    /// An agent's public reply.
    case reply
    /// "We received your request" for a new email ticket.
    case acknowledgement
    /// "Your request was solved" when an agent solves a ticket without a public reply.
    case solved
    /// A live chat's transcript, which the customer asked for.
    case chatTranscript = "chat_transcript"
}

/// Mail to send, written in the transaction of the change that causes it: a `mail_messages` row (direction
/// out, status queued) that fixes the Message-ID at once, so a customer's answer threads even before the
/// mail has left, and an outbox job that points at it.
public enum OutboundMailQueue {
    public static let jobKind = "mail"

    struct Payload: Codable {
        var mailID: UUID
        enum CodingKeys: String, CodingKey { case mailID = "mail_id" }
    }

    /// The mail a job of `jobKind` sends; nil for a payload that is not one.
    public static func mailID(of job: OutboxJob) -> UUID? {
        try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)).mailID
    }

    static func rows(
        _ kind: OutboundMailKind, ticketID: UUID, messageID: UUID?, settings: OutboundMailSettings, at now: Date
    ) -> (mail: MailMessageModel, job: OutboxModel) {
        let mail = MailMessageModel()
        mail.id = UUID()
        mail.rfcMessageID = "\(UUID().uuidString.lowercased())@\(settings.messageIDDomain)"
        mail.direction = MailMetadata.Direction.outbound.rawValue
        mail.ticketID = ticketID
        mail.messageID = messageID
        // Filled in when the mail is rendered (first attempt): sender, subject, text, HTML, original, recipient.
        mail.subject = ""
        mail.fullText = ""
        mail.rawSize = 0
        mail.createdAt = now
        mail.kind = kind.rawValue
        mail.deliveryStatus = "queued"
        let payload = String(decoding: try! JSONEncoder().encode(Payload(mailID: mail.id!)), as: UTF8.self)
        return (mail, OutboxModel(kind: jobKind, payload: payload, ticketID: ticketID, at: now))
    }
}
