import Foundation
import HavenCore
import SQLKit

/// A solved ticket's first message and the topic agents gave it: what the topic model learns from.
public struct TopicExample: Sendable, Equatable {
    public var id: Int64
    public var text: String
    public var topic: Topic
    public var language: String?
}

/// The topic model's training data, in the order it was written. Every node reads it forward from the last id it
/// has learned, so all nodes' models learn the same examples in the same order.
public protocol TopicExampleRepository: Sendable {
    func examples(after id: Int64, limit: Int) async throws -> [TopicExample]
}

public struct SQLTopicExampleRepository: TopicExampleRepository {
    let database: HavenDatabase

    public init(database: HavenDatabase) {
        self.database = database
    }

    public func examples(after id: Int64, limit: Int) async throws -> [TopicExample] {
        try await database.reader.sql().raw("""
            SELECT id, text, topic, language FROM topic_examples WHERE id > \(bind: id) ORDER BY id LIMIT \(bind: limit)
            """).all().compactMap { row in
            guard let topic = Topic(rawValue: try row.decode(column: "topic", as: String.self)) else { return nil }
            return TopicExample(
                id: try row.decode(column: "id", as: Int64.self), text: try row.decode(column: "text", as: String.self), topic: topic,
                language: try row.decode(column: "language", as: String?.self))
        }
    }
}

enum TopicExamples {
    /// The longest text kept: the start of a request says what it is about.
    static let maxText = 2_000

    /// Written in the solving transaction: the ticket's first message (the request, whoever typed it in) with the
    /// agents' topic.
    static func add(ticket: TicketModel, topic: String, at now: Date, on sql: any SQLDatabase) async throws {
        guard let first = try await sql.raw("""
            SELECT body, language FROM messages WHERE ticket_id = \(bind: ticket.requireID()) AND visibility = 'public' ORDER BY seq LIMIT 1
            """).first() else { return }
        let text = String(try first.decode(column: "body", as: String.self).prefix(maxText))
        try await sql.raw("""
            INSERT INTO topic_examples (ticket_id, language, text, topic, created_at)
            VALUES (\(bind: ticket.requireID()), \(bind: try first.decode(column: "language", as: String?.self)), \(bind: text), \(bind: topic), \(bind: now))
            """).run()
    }
}
