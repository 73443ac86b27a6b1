import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

public struct NewQuarantine: Sendable {
    public var rawSHA256: String
    /// The message's bytes, kept with the quarantine entry.
    public var raw: [UInt8]
    public var reason: String
    /// cli, api or lmtp.
    public var source: String
    public var queue: String?

    public init(rawSHA256: String, raw: [UInt8], reason: String, source: String, queue: String?) {
        self.rawSHA256 = rawSHA256
        self.raw = raw
        self.reason = reason
        self.source = source
        self.queue = queue
    }
}

/// The email side of tickets: which Message-IDs Haven knows, the quarantine, bounce flags and the key that
/// signs reply addresses. (The per-address cap on automatic responses is counted with the ticket: `TicketOrigin`.)
public protocol MailRepository: Sendable {
    /// Stored mails with any of these Message-IDs, newest first.
    func mails(withMessageIDs ids: [String]) async throws -> [MailMessageRecord]
    func replyAddressKey() async throws -> String
    func quarantine(_ item: NewQuarantine) async throws -> QuarantineRecord
    /// The original bytes of a received or quarantined mail, if Haven keeps them in the database.
    func original(sha256: String) async throws -> [UInt8]?
    func quarantined(status: String?, limit: Int) async throws -> [QuarantineRecord]
    func quarantined(id: UUID) async throws -> QuarantineRecord?
    func markReprocessed(_ id: UUID, ticketID: UUID?) async throws
    /// Marks a contact's address as bouncing (delivery failed permanently), so agents see it and mail stops.
    func flagBounce(address: String, status: String, at date: Date) async throws
}

public struct SQLMailRepository: MailRepository {
    let database: HavenDatabase
    let key: InstallationSecret

    public init(database: HavenDatabase) {
        self.database = database
        key = InstallationSecret(database: database, name: "reply_address_key")
    }

    public func mails(withMessageIDs ids: [String]) async throws -> [MailMessageRecord] {
        guard !ids.isEmpty else { return [] }
        // A reader sees every committed mail (WAL), and Haven answers a delivery only after its commit.
        // Plain SQL: this lookup runs for every delivery, and Fluent's model layer costs more than the query.
        let rows = try await database.reader.sql().raw("""
            SELECT rfc_message_id, direction, ticket_id, message_id, automatic FROM mail_messages
            WHERE rfc_message_id IN (\(binds: Array(ids.prefix(200)))) ORDER BY created_at DESC
            """).all()
        return try rows.map {
            MailMessageRecord(
                rfcMessageID: try $0.decode(column: "rfc_message_id", as: String.self), direction: try $0.decode(column: "direction", as: String.self),
                ticketID: try $0.decode(column: "ticket_id", as: UUID.self), messageID: try $0.decode(column: "message_id", as: UUID?.self),
                automatic: try $0.decode(column: "automatic", as: String?.self))
        }
    }

    public func original(sha256: String) async throws -> [UInt8]? {
        try await MailOriginals.find(sha256, on: database.reader.sql())
    }

    public func replyAddressKey() async throws -> String {
        try await key.value()
    }

    public func quarantine(_ item: NewQuarantine) async throws -> QuarantineRecord {
        try await database.write { tx in
            let model = QuarantineModel()
            model.id = UUID()
            model.rawSHA256 = item.rawSHA256
            model.rawSize = item.raw.count
            model.reason = String(item.reason.prefix(2_000))
            model.source = item.source
            model.queue = item.queue
            model.status = "held"
            model.ticketID = nil
            model.createdAt = Date()
            model.updatedAt = model.createdAt
            try await model.create(on: tx)
            try await MailOriginals.insert([(item.rawSHA256, item.raw)], at: model.createdAt, on: tx.sql())
            return Self.record(model)
        }
    }

    public func quarantined(status: String?, limit: Int) async throws -> [QuarantineRecord] {
        var query = QuarantineModel.query(on: database.reader).sort(\.$createdAt, .descending).limit(limit)
        if let status { query = query.filter(\.$status == status) }
        return try await query.all().map(Self.record)
    }

    public func quarantined(id: UUID) async throws -> QuarantineRecord? {
        try await QuarantineModel.find(id, on: database.reader).map(Self.record)
    }

    public func markReprocessed(_ id: UUID, ticketID: UUID?) async throws {
        try await database.write { tx in
            guard let model = try await QuarantineModel.find(id, on: tx) else { throw RecordNotFound(kind: "quarantined mail", reference: id.uuidString) }
            model.status = "reprocessed"
            model.ticketID = ticketID
            model.updatedAt = Date()
            try await model.update(on: tx)
        }
    }

    public func flagBounce(address: String, status: String, at date: Date) async throws {
        try await database.write { tx in
            try await tx.sql().raw("""
                UPDATE contacts SET email_bounced_at = \(bind: date), email_bounce_status = \(bind: status), updated_at = \(bind: date)
                WHERE email = \(bind: address.lowercased())
                """).run()
        }
    }

    static func record(_ model: QuarantineModel) -> QuarantineRecord {
        QuarantineRecord(
            id: model.id!, rawSHA256: model.rawSHA256, rawSize: model.rawSize, reason: model.reason, source: model.source, queue: model.queue,
            status: model.status, ticketID: model.ticketID, createdAt: model.createdAt, updatedAt: model.updatedAt)
    }
}

/// An installation secret from `settings` (created by a migration), read once.
public struct InstallationSecret: Sendable {
    let database: HavenDatabase
    let name: String
    let cache = KeyCache()

    public init(database: HavenDatabase, name: String) {
        self.database = database
        self.name = name
    }

    public func value() async throws -> String {
        if let cached = cache.value.withLockedValue({ $0 }) { return cached }
        let row = try await database.reader.sql().raw("SELECT value FROM settings WHERE key = \(bind: name)").first()
        guard let value = try row?.decode(column: "value", as: String.self) else { throw StorageError.notConfigured(name) }
        cache.value.withLockedValue { $0 = value }
        return value
    }
}

final class KeyCache: Sendable {
    let value = NIOLockedValueBox<String?>(nil)
}
