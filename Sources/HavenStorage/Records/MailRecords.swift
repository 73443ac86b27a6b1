import Foundation

/// What Haven keeps of an email beside the message it became, written in the same transaction as the message
/// (so "the same Message-ID twice" can only ever be stored once: `rfc_message_id` is unique).
public struct MailMetadata: Sendable, Equatable {
    public enum Direction: String, Sendable { case inbound = "in", outbound = "out" }

    public var rfcMessageID: String
    public var direction: Direction
    public var fromAddress: String?
    public var subject: String
    /// The whole readable text, quotes and signature included (the message's body is only the new text).
    public var fullText: String
    public var html: String?
    /// The original message's SHA-256; the bytes themselves are kept in `mail_originals`.
    public var rawSHA256: String?
    public var rawSize: Int
    /// The original bytes, written with the message when given (received mail).
    public var raw: [UInt8]?
    /// auto_reply, bulk or bounce; nil for mail a person wrote.
    public var automatic: String?

    public init(
        rfcMessageID: String, direction: Direction, fromAddress: String?, subject: String, fullText: String, html: String?,
        rawSHA256: String?, rawSize: Int, raw: [UInt8]? = nil, automatic: String?
    ) {
        self.raw = raw
        self.rfcMessageID = rfcMessageID
        self.direction = direction
        self.fromAddress = fromAddress
        self.subject = subject
        self.fullText = fullText
        self.html = html
        self.rawSHA256 = rawSHA256
        self.rawSize = rawSize
        self.automatic = automatic
    }
}

/// A stored email and where it went.
public struct MailMessageRecord: Codable, Sendable, Equatable {
    public var rfcMessageID: String
    public var direction: String
    public var ticketID: UUID
    public var messageID: UUID?
    public var automatic: String?
}

public struct QuarantineRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var rawSHA256: String
    public var rawSize: Int
    public var reason: String
    public var source: String
    public var queue: String?
    /// held, or reprocessed once it became a ticket.
    public var status: String
    public var ticketID: UUID?
    public var createdAt: Date
    public var updatedAt: Date
}
