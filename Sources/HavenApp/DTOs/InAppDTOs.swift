import Foundation
import HavenCore
import HavenStorage

/// `POST /app/requests`: what the customer chose and wrote in the app.
struct CreateInAppRequestBody: Decodable {
    /// A file sent with the request itself, base64-encoded (the upload endpoint takes raw bytes instead).
    struct InlineFile: Decodable {
        var filename: String
        var data: String
    }

    var category: Topic
    var description: String
    var subject: String?
    var device: DeviceInfo?
    var content: ContentLinks?
    /// The creator is LIVE now (the app knows): routing and priority give them minutes.
    var liveNow: Bool?
    var attachmentIDs: [UUID]
    var attachments: [InlineFile]

    enum CodingKeys: String, CodingKey {
        case category, description, subject, device, content, attachments
        case attachmentIDs = "attachment_ids"
        case liveNow = "live_now"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard let category = try c.decodeChoice(Topic.self, forKey: .category) else {
            throw DecodingError.keyNotFound(CodingKeys.category, .init(codingPath: [], debugDescription: "category is required"))
        }
        self.category = category
        description = try c.decode(String.self, forKey: .description)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        device = try c.decodeIfPresent(DeviceInfo.self, forKey: .device)
        content = try c.decodeIfPresent(ContentLinks.self, forKey: .content)
        liveNow = try c.decodeIfPresent(Bool.self, forKey: .liveNow)
        attachmentIDs = try c.decodeIfPresent([UUID].self, forKey: .attachmentIDs) ?? []
        attachments = try c.decodeIfPresent([InlineFile].self, forKey: .attachments) ?? []
    }
}

/// `POST /app/requests/{id}/messages`: the customer's reply.
struct CustomerReplyBody: Decodable {
    var body: String
    var attachmentIDs: [UUID]

    enum CodingKeys: String, CodingKey {
        case body
        case attachmentIDs = "attachment_ids"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        body = try c.decode(String.self, forKey: .body)
        attachmentIDs = try c.decodeIfPresent([UUID].self, forKey: .attachmentIDs) ?? []
    }
}

/// A file as the customer sees it (no hashes, no internal ids).
struct CustomerFile: Codable, Equatable {
    var id: UUID
    var filename: String
    var contentType: String
    var size: Int

    init(_ record: AttachmentRecord) {
        id = record.id
        filename = record.filename
        contentType = record.contentType
        size = record.size
    }
}

/// A public message as the customer sees it: theirs or support's, never an internal note or triage's findings.
struct CustomerMessage: Codable, Equatable {
    var id: UUID
    /// "you" or "support".
    var from: String
    var body: String
    var createdAt: Date
    var attachments: [CustomerFile]

    init(_ record: MessageRecord) {
        id = record.id
        from = record.author.kind == .contact ? "you" : "support"
        body = record.body
        createdAt = record.createdAt
        attachments = record.attachments.map(CustomerFile.init)
    }
}

/// A request as the customer sees it in "my requests".
struct CustomerRequest: Codable, Equatable {
    var id: UUID
    var number: Int
    var subject: String
    var status: TicketStatus
    var category: Topic?
    var createdAt: Date
    var updatedAt: Date
    /// Present when one request is read.
    var messages: [CustomerMessage]?

    init(_ ticket: TicketRecord) {
        id = ticket.id
        number = ticket.number
        subject = ticket.subject
        status = ticket.status
        category = ticket.details?.category
        createdAt = ticket.createdAt
        updatedAt = ticket.updatedAt
        messages = ticket.messages?.filter { $0.visibility == .public }.map(CustomerMessage.init)
    }
}

struct CustomerRequestList: Encodable {
    var requests: [CustomerRequest]
    var nextCursor: String?
}

/// One change on one of the customer's requests, in their feed's order.
struct CustomerUpdate: Encodable {
    var seq: Int
    /// "request.created", "message" or "status".
    var type: String
    var requestID: UUID
    var requestNumber: Int
    var status: TicketStatus
    var message: CustomerMessage?
    var createdAt: Date

    init(_ record: CustomerUpdateRecord) {
        seq = record.seq
        type = switch record.type {
        case "ticket.created": "request.created"
        case "message.added": "message"
        default: "status"
        }
        requestID = record.ticketID
        requestNumber = record.ticketNumber
        status = record.status
        message = record.message.map(CustomerMessage.init)
        createdAt = record.createdAt
    }
}

struct CustomerUpdates: Encodable {
    var updates: [CustomerUpdate]
    /// Pass back as `?cursor=` for what comes next (the same when nothing new came).
    var cursor: Int
}

/// `POST /apps`: an admin registers an app.
struct RegisterAppBody: Decodable {
    var app: NewApp

    enum CodingKeys: String, CodingKey {
        case name
        case appID = "app_id"
        case publicKeyPEM = "public_key_pem"
        case ratePerMinute = "rate_per_minute"
        case userRatePerMinute = "user_rate_per_minute"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = NewApp(slug: "", name: "")
        app = NewApp(
            slug: try c.decode(String.self, forKey: .appID), name: try c.decode(String.self, forKey: .name),
            publicKeyPEM: try c.decodeIfPresent(String.self, forKey: .publicKeyPEM),
            ratePerMinute: try c.decodeIfPresent(Int.self, forKey: .ratePerMinute) ?? defaults.ratePerMinute,
            userRatePerMinute: try c.decodeIfPresent(Int.self, forKey: .userRatePerMinute) ?? defaults.userRatePerMinute)
    }
}

struct UpdateAppBody: Decodable {
    var disabled: Bool
}

/// An app as admins see it; `secret` only in the answer that made it.
struct AppDTO: Encodable {
    var appID: String
    var name: String
    var publicKeyPEM: String?
    var ratePerMinute: Int
    var userRatePerMinute: Int
    var createdAt: Date
    var disabled: Bool
    var secret: String?

    enum CodingKeys: String, CodingKey {
        case appID = "app_id"
        case name
        case publicKeyPEM = "public_key_pem"
        case ratePerMinute = "rate_per_minute"
        case userRatePerMinute = "user_rate_per_minute"
        case createdAt = "created_at"
        case disabled, secret
    }

    init(_ app: AppRecord, secret: String? = nil) {
        appID = app.slug
        name = app.name
        publicKeyPEM = app.publicKeyPEM
        ratePerMinute = app.ratePerMinute
        userRatePerMinute = app.userRatePerMinute
        createdAt = app.createdAt
        disabled = app.disabledAt != nil
        self.secret = secret
    }
}
