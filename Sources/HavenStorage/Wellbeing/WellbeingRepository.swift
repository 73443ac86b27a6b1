import FluentKit
import Foundation
import HavenCore
import SQLKit

/// Each agent's own exposure record (`exposures`): what they chose to see and the breaks they took.
public protocol WellbeingRepository: Sendable {
    /// The agent's record since a moment, oldest first.
    func exposures(of agentID: UUID, since: Date) async throws -> [Exposure]
    /// Records one reveal, break or "later".
    func record(_ kind: ExposureKind, agentID: UUID, ticketID: UUID?, attachmentID: UUID?, level: RiskLevel?) async throws
    /// Records that the agent opened a risky ticket, unless they already opened it since `since`: reading a ticket
    /// again, or reloading it, is not new exposure. Returns whether it was recorded.
    func recordTicketOpened(agentID: UUID, ticketID: UUID, level: RiskLevel, since: Date) async throws -> Bool
}

public struct SQLWellbeingRepository: WellbeingRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func exposures(of agentID: UUID, since: Date) async throws -> [Exposure] {
        try await database.reader.sql().raw("""
            SELECT kind, level, created_at FROM exposures WHERE agent_id = \(bind: agentID) AND created_at > \(bind: since) ORDER BY created_at
            """).all().compactMap { row in
            guard let kind = ExposureKind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            return Exposure(
                kind: kind, level: try row.decode(column: "level", as: String?.self).flatMap(RiskLevel.init(rawValue:)),
                at: try row.decode(column: "created_at", as: Date.self))
        }
    }

    public func record(_ kind: ExposureKind, agentID: UUID, ticketID: UUID?, attachmentID: UUID?, level: RiskLevel?) async throws {
        let at = now()
        try await database.write { tx in
            try await tx.sql().raw("""
                INSERT INTO exposures (id, agent_id, kind, ticket_id, attachment_id, level, created_at)
                VALUES (\(bind: UUID()), \(bind: agentID), \(bind: kind.rawValue), \(bind: ticketID), \(bind: attachmentID), \(bind: level?.rawValue), \(bind: at))
                """).run()
        }
    }

    public func recordTicketOpened(agentID: UUID, ticketID: UUID, level: RiskLevel, since: Date) async throws -> Bool {
        let at = now()
        return try await database.write { tx in
            let sql = try tx.sql()
            let seen = try await sql.raw("""
                SELECT 1 AS seen FROM exposures WHERE agent_id = \(bind: agentID) AND created_at > \(bind: since)
                AND ticket_id = \(bind: ticketID) AND kind = \(bind: ExposureKind.riskyTicket.rawValue) LIMIT 1
                """).first()
            guard seen == nil else { return false }
            try await sql.raw("""
                INSERT INTO exposures (id, agent_id, kind, ticket_id, level, created_at)
                VALUES (\(bind: UUID()), \(bind: agentID), \(bind: ExposureKind.riskyTicket.rawValue), \(bind: ticketID), \(bind: level.rawValue), \(bind: at))
                """).run()
            return true
        }
    }
}
