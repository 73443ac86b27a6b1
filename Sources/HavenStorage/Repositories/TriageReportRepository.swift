import Foundation
import HavenCore
import SQLKit

/// Where triage and agents disagreed, for tickets created in a period: per language (of the first message, as
/// triage detected it) and per harm, and the topics agents set against the ones triage suggested. Derived from the
/// event log (`risk.detected`, `risk.corrected`, `language.changed`) and the tickets' suggested and set topics.
public struct TriageQualityReport: Codable, Sendable, Equatable {
    public struct Language: Codable, Sendable, Equatable {
        public var language: String
        public var tickets = 0
        public var languageCorrections = 0
        public var riskCorrections = 0
        /// Tickets whose agents set a topic, and how many of those differ from the suggestion.
        public var topicsSet = 0
        public var topicCorrections = 0
    }

    public struct HarmCount: Codable, Sendable, Equatable {
        public var harm: Harm
        /// Tickets triage flagged with it.
        public var flagged = 0
        /// Flagged, and taken off by an agent: false alarms.
        public var removed = 0
        /// Not flagged, and added by an agent: misses.
        public var added = 0
    }

    public struct TopicPair: Codable, Sendable, Equatable {
        public var suggested: Topic
        public var set: Topic
        public var count: Int
    }

    public var since: Date
    public var until: Date
    public var tickets = 0
    public var languages: [Language] = []
    public var harms: [HarmCount] = []
    /// Every (suggested, set) pair agents chose, agreements included, most frequent first.
    public var topics: [TopicPair] = []
}

public protocol TriageReportRepository: Sendable {
    func quality(since: Date, until: Date) async throws -> TriageQualityReport
}

public struct SQLTriageReportRepository: TriageReportRepository {
    let database: HavenDatabase

    public init(database: HavenDatabase) {
        self.database = database
    }

    public func quality(since: Date, until: Date) async throws -> TriageQualityReport {
        let sql = try database.reader.sql()
        let tickets = try await sql.raw("""
            SELECT t.id, t.suggested_topic, t.topic, m.language AS detected
            FROM tickets t LEFT JOIN messages m ON m.ticket_id = t.id AND m.seq = \(bind: TicketCreationWriter.firstMessageSeq)
            WHERE t.created_at >= \(bind: since) AND t.created_at < \(bind: until)
            """).all()
        let events = try await sql.raw("""
            SELECT e.ticket_id, e.type, e.payload FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
            WHERE t.created_at >= \(bind: since) AND t.created_at < \(bind: until)
              AND e.type IN ('risk.detected', 'risk.corrected', 'language.changed')
            ORDER BY e.ticket_id, e.seq
            """).all()
        var report = TriageQualityReport(since: since, until: until, tickets: tickets.count)
        var languageOf: [UUID: String] = [:]
        var languages: [String: TriageQualityReport.Language] = [:]
        var pairs: [String: TriageQualityReport.TopicPair] = [:]
        for row in tickets {
            let id = try row.decode(column: "id", as: UUID.self)
            let language = try row.decode(column: "detected", as: String?.self).map { String($0.prefix { $0 != "-" }) } ?? "unknown"
            languageOf[id] = language
            languages[language, default: .init(language: language)].tickets += 1
            guard let set = try row.decode(column: "topic", as: String?.self).flatMap(Topic.init(rawValue:)) else { continue }
            languages[language]!.topicsSet += 1
            let suggested = try row.decode(column: "suggested_topic", as: String?.self).flatMap(Topic.init(rawValue:)) ?? .other
            if suggested != set { languages[language]!.topicCorrections += 1 }
            pairs["\(suggested.rawValue)>\(set.rawValue)", default: .init(suggested: suggested, set: set, count: 0)].count += 1
        }
        var harms = Dictionary(uniqueKeysWithValues: Harm.allCases.map { ($0, TriageQualityReport.HarmCount(harm: $0)) })
        var flagged = Set<String>(), corrected = Set<String>()
        for row in events {
            let id = try row.decode(column: "ticket_id", as: UUID.self)
            let language = languageOf[id] ?? "unknown"
            let change = try TicketChange(type: try row.decode(column: "type", as: String.self), payloadJSON: try row.decode(column: "payload", as: String.self))
            switch change {
            case .riskDetected(_, _, let found):
                for harm in found where flagged.insert("\(id)\(harm)").inserted { harms[harm]!.flagged += 1 }
            case .riskCorrected(_, _, let from, let to):
                if corrected.insert(id.uuidString).inserted { languages[language]?.riskCorrections += 1 }
                for harm in Set(from).subtracting(to) { harms[harm]!.removed += 1 }
                for harm in Set(to).subtracting(from) { harms[harm]!.added += 1 }
            case .languageChanged:
                languages[language]?.languageCorrections += 1
            default:
                break
            }
        }
        report.languages = languages.values.sorted { ($0.tickets, $1.language) > ($1.tickets, $0.language) }
        report.harms = Harm.allCases.map { harms[$0]! }
        report.topics = pairs.values.sorted { ($0.count, $1.suggested.rawValue) > ($1.count, $0.suggested.rawValue) }
        return report
    }
}
