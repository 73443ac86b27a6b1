import FluentKit
import Foundation
import NIOConcurrencyHelpers
import SQLKit

public struct NewQuarantine: Sendable {
    public var rawSHA256: String
    public var rawSize: Int
    public var reason: String
    /// cli, api or lmtp.
    public var source: String
    public var queue: String?

    public init(rawSHA256: String, rawSize: Int, reason: String, source: String, queue: String?) {
        self.rawSHA256 = rawSHA256
        self.rawSize = rawSize
        self.reason = reason
        self.source = source
        self.queue = queue
    }
}

/// The email side of tickets: which Message-IDs Haven knows, the quarantine, bounce flags, the per-address
/// cap on automatic responses, and the key that signs reply addresses.
public protocol MailRepository: Sendable {
    /// Stored mails with any of these Message-IDs, newest first.
    func mails(withMessageIDs ids: [String]) async throws -> [MailMessageRecord]
    func replyAddressKey() async throws -> String
    func quarantine(_ item: NewQuarantine) async throws -> QuarantineRecord
    func quarantined(status: String?, limit: Int) async throws -> [QuarantineRecord]
    func quarantined(id: UUID) async throws -> QuarantineRecord?
    func markReprocessed(_ id: UUID, ticketID: UUID?) async throws
    /// Marks a contact's address as bouncing (delivery failed permanently), so agents see it and mail stops.
    func flagBounce(address: String, status: String, at date: Date) async throws
    /// Counts one automatic response to `address` today and says whether it is within `limit` (RFC 3834 loop protection).
    func allowAutomaticResponse(to address: String, on day: String, limit: Int) async throws -> Bool
}

public struct SQLMailRepository: MailRepository {
    let database: HavenDatabase
    let key = KeyCache()
    /// Counting automatic responses is a write per new ticket; under load the counts are written in batches.
    let counts: GroupCommit<AutomaticResponse, Bool>

    struct AutomaticResponse: Sendable {
        var address: String
        var day: String
        var limit: Int
    }

    public init(database: HavenDatabase) {
        self.database = database
        counts = GroupCommit(maxBatch: 64) { requests in try await Self.count(requests, in: database) }
    }

    /// One upsert per address and day for the whole batch; each request learns whether it was within the limit.
    static func count(_ requests: [AutomaticResponse], in database: HavenDatabase) async throws -> [Result<Bool, any Error>] {
        struct Key: Hashable { var address: String, day: String }
        var asked: [Key: Int] = [:]
        for request in requests { asked[Key(address: request.address, day: request.day), default: 0] += 1 }
        let batch = asked
        let totals = try await database.write { tx -> [Key: Int] in
            let sql = try tx.sql()
            var totals: [Key: Int] = [:]
            for (key, count) in batch {
                let row = try await sql.raw("""
                    INSERT INTO auto_responses (id, address, day, count) VALUES (\(bind: UUID()), \(bind: key.address), \(bind: key.day), \(bind: count))
                    ON CONFLICT (address, day) DO UPDATE SET count = auto_responses.count + \(bind: count) RETURNING count
                    """).first()
                totals[key] = try row?.decode(column: "count", as: Int.self) ?? Int.max
            }
            return totals
        }
        // The batch's requests for one address took the last `asked` numbers up to the total, in order.
        var next: [Key: Int] = asked.reduce(into: [:]) { $0[$1.key] = (totals[$1.key] ?? Int.max) - $1.value + 1 }
        return requests.map { request in
            let key = Key(address: request.address, day: request.day)
            let number = next[key]!
            next[key] = number + 1
            return .success(number <= request.limit)
        }
    }

    public func mails(withMessageIDs ids: [String]) async throws -> [MailMessageRecord] {
        guard !ids.isEmpty else { return [] }
        // A reader sees every committed mail (WAL), and Haven answers a delivery only after its commit.
        let rows = try await MailMessageModel.query(on: database.reader).filter(\.$rfcMessageID ~~ Array(ids.prefix(200)))
            .sort(\.$createdAt, .descending).all()
        return rows.map {
            MailMessageRecord(rfcMessageID: $0.rfcMessageID, direction: $0.direction, ticketID: $0.ticketID, messageID: $0.messageID, automatic: $0.automatic)
        }
    }

    public func replyAddressKey() async throws -> String {
        if let cached = key.value.withLockedValue({ $0 }) { return cached }
        let row = try await database.reader.sql().raw("SELECT value FROM settings WHERE key = 'reply_address_key'").first()
        guard let value = try row?.decode(column: "value", as: String.self) else { throw StorageError.notConfigured("reply_address_key") }
        key.value.withLockedValue { $0 = value }
        return value
    }

    public func quarantine(_ item: NewQuarantine) async throws -> QuarantineRecord {
        try await database.write { tx in
            let model = QuarantineModel()
            model.id = UUID()
            model.rawSHA256 = item.rawSHA256
            model.rawSize = item.rawSize
            model.reason = String(item.reason.prefix(2_000))
            model.source = item.source
            model.queue = item.queue
            model.status = "held"
            model.ticketID = nil
            model.createdAt = Date()
            model.updatedAt = model.createdAt
            try await model.create(on: tx)
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

    public func allowAutomaticResponse(to address: String, on day: String, limit: Int) async throws -> Bool {
        try await counts.submit(AutomaticResponse(address: address.lowercased(), day: day, limit: limit))
    }

    static func record(_ model: QuarantineModel) -> QuarantineRecord {
        QuarantineRecord(
            id: model.id!, rawSHA256: model.rawSHA256, rawSize: model.rawSize, reason: model.reason, source: model.source, queue: model.queue,
            status: model.status, ticketID: model.ticketID, createdAt: model.createdAt, updatedAt: model.updatedAt)
    }
}

final class KeyCache: Sendable {
    let value = NIOLockedValueBox<String?>(nil)
}
