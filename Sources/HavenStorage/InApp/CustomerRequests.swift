import FluentKit
import Foundation
import HavenCore
import SQLKit

/// One change a customer sees on one of their requests, numbered in their own feed.
public struct CustomerUpdateRecord: Sendable, Equatable {
    public var seq: Int
    /// "ticket.created", "message.added" or "status.changed".
    public var type: String
    public var ticketID: UUID
    public var ticketNumber: Int
    /// The status the change moved to (status changes), else the ticket's status now.
    public var status: TicketStatus
    public var message: MessageRecord?
    public var createdAt: Date
}

/// What the in-app channel reads for a signed-in customer: their contact, their feed, their files.
public protocol CustomerRequestRepository: Sendable {
    /// The contact with this platform user id (the identity's `sub`), nil before their first request or upload.
    func contact(externalID: String) async throws -> ContactRecord?
    /// Finds or creates the contact an identity describes (an upload can come before the first request).
    func contact(for requester: RequesterDraft) async throws -> ContactRecord
    /// The contact's feed after `seq`, oldest first, at most `limit`.
    func updates(contact: UUID, after seq: Int, limit: Int) async throws -> [CustomerUpdateRecord]
    /// An attachment the contact may download: their own upload, or a file on a public message of their ticket.
    func attachment(_ id: UUID, visibleTo contact: UUID) async throws -> AttachmentRecord?
    /// A file the customer uploaded, its row written with their contact id.
    func createUpload(_ attachment: NewAttachment, contact: UUID) async throws -> AttachmentRecord
}

public struct SQLCustomerRequestRepository: CustomerRequestRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func contact(externalID: String) async throws -> ContactRecord? {
        try await ContactModel.query(on: database.reader).filter(\.$externalID == externalID).first().map(SQLTicketRepository.record)
    }

    public func contact(for requester: RequesterDraft) async throws -> ContactRecord {
        if let externalID = requester.externalID, let known = try await contact(externalID: externalID) { return known }
        let now = self.now()
        return try await database.write { tx in
            try SQLTicketRepository.record(try await ContactLookup.findOrCreate([requester], on: tx, now: now)[0])
        }
    }

    private struct Payload: Decodable {
        var to: String?
        var messageID: String?
        enum CodingKeys: String, CodingKey {
            case to
            case messageID = "message_id"
        }
    }

    public func updates(contact: UUID, after seq: Int, limit: Int) async throws -> [CustomerUpdateRecord] {
        let sql = try database.reader.sql()
        let rows = try await sql.raw("""
            SELECT e.feed_seq, e.type, e.payload, e.created_at, t.id AS ticket_id, t.number, t.status
            FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
            WHERE e.feed_contact_id = \(bind: contact) AND e.feed_seq > \(bind: seq)
            ORDER BY e.feed_seq LIMIT \(literal: limit)
            """).all()
        var updates: [CustomerUpdateRecord] = []
        var messageIDs: [Int: UUID] = [:]
        for row in rows {
            let payload = try JSONDecoder().decode(Payload.self, from: Data(try row.decode(column: "payload", as: String.self).utf8))
            let type = try row.decode(column: "type", as: String.self)
            let current = TicketStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .open
            let status = type == "status.changed" ? payload.to.flatMap(TicketStatus.init(rawValue:)) ?? current : current
            if type == "message.added", let id = payload.messageID.flatMap(UUID.init(uuidString:)) { messageIDs[updates.count] = id }
            updates.append(CustomerUpdateRecord(
                seq: try row.decode(column: "feed_seq", as: Int.self), type: type, ticketID: try row.decode(column: "ticket_id", as: UUID.self),
                ticketNumber: try row.decode(column: "number", as: Int.self), status: status,
                message: nil, createdAt: try row.decode(column: "created_at", as: Date.self)))
        }
        guard !messageIDs.isEmpty else { return updates }
        let messages = try await Self.messages(Array(messageIDs.values), on: sql)
        for (index, id) in messageIDs { updates[index].message = messages[id] }
        return updates
    }

    /// Public messages by id, with their files.
    static func messages(_ ids: [UUID], on sql: any SQLDatabase) async throws -> [UUID: MessageRecord] {
        let messages = try await SQLTicketRepository.messages(
            where: "m.id IN (\(binds: ids)) AND m.visibility = \(bind: MessageVisibility.public.rawValue)", on: sql)
        return Dictionary(uniqueKeysWithValues: messages.map { ($0.id, $0) })
    }

    public func attachment(_ id: UUID, visibleTo contact: UUID) async throws -> AttachmentRecord? {
        let row = try await database.reader.sql().raw("""
            SELECT a.* FROM attachments a
            LEFT JOIN messages m ON m.id = a.message_id
            LEFT JOIN tickets t ON t.id = m.ticket_id
            WHERE a.id = \(bind: id)
              AND (a.contact_id = \(bind: contact) OR (t.requester_id = \(bind: contact) AND m.visibility = \(bind: MessageVisibility.public.rawValue)))
            """).first()
        return try row.map(AttachmentRows.decode)
    }

    public func createUpload(_ attachment: NewAttachment, contact: UUID) async throws -> AttachmentRecord {
        let now = self.now()
        return try await database.write { tx in
            let model = AttachmentModel(attachment, at: now)
            model.contactID = contact
            try await [model].insert(on: tx)
            return SQLAttachmentRepository.record(model)
        }
    }
}
