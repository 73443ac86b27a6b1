import FluentKit
import Foundation

public struct NewAttachment: Sendable, Equatable {
    /// Chosen before the row is written, so mail HTML can point at the file (`cid:` → `/api/v1/attachments/<id>`).
    public var id: UUID
    public var sha256: String
    public var size: Int
    public var contentType: String
    public var filename: String
    public var uploadedBy: UUID?

    public init(id: UUID = UUID(), sha256: String, size: Int, contentType: String, filename: String, uploadedBy: UUID?) {
        self.id = id
        self.sha256 = sha256
        self.size = size
        self.contentType = contentType
        self.filename = filename
        self.uploadedBy = uploadedBy
    }
}

/// Attachment rows; the bytes are in `AttachmentStore`. A new attachment belongs to no message until a
/// message names it in `attachment_ids`.
public protocol AttachmentRepository: Sendable {
    func create(_ attachment: NewAttachment) async throws -> AttachmentRecord
    func find(_ id: UUID) async throws -> AttachmentRecord?
}

public struct SQLAttachmentRepository: AttachmentRepository {
    let database: HavenDatabase

    public init(database: HavenDatabase) {
        self.database = database
    }

    public func create(_ attachment: NewAttachment) async throws -> AttachmentRecord {
        try await database.write { tx in
            let model = AttachmentModel(attachment, at: Date())
            try await model.create(on: tx)
            return Self.record(model)
        }
    }

    public func find(_ id: UUID) async throws -> AttachmentRecord? {
        try await AttachmentModel.find(id, on: database.reader).map(Self.record)
    }

    static func record(_ model: AttachmentModel) -> AttachmentRecord {
        AttachmentRecord(
            id: model.id!, sha256: model.sha256, size: model.size, contentType: model.contentType, filename: model.filename,
            ticketID: model.ticketID, messageID: model.messageID)
    }
}

extension AttachmentModel {
    /// A row for a stored file; `message` and `ticket` set when it is written with its message.
    convenience init(_ attachment: NewAttachment, at now: Date, message: UUID? = nil, ticket: UUID? = nil) {
        self.init()
        id = attachment.id
        sha256 = attachment.sha256
        size = attachment.size
        contentType = attachment.contentType
        filename = attachment.filename
        uploadedBy = attachment.uploadedBy
        messageID = message
        ticketID = ticket
        createdAt = now
    }
}
