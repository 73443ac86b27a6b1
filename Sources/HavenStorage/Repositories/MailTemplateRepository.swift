import FluentKit
import Foundation
import HavenCore
import SQLKit

/// An admin's version of a system mail (acknowledgement, solved notice) in one language.
public struct MailTemplateOverride: Sendable, Equatable {
    public var key: String
    public var locale: String
    public var subject: String
    public var body: String
    public var updatedBy: UUID?
    public var updatedAt: Date
}

/// Admins' edits of the system mail templates; Haven's own texts are the defaults when there is none.
public protocol MailTemplateRepository: Sendable {
    func overrides() async throws -> [MailTemplateOverride]
    func override(key: String, locale: String) async throws -> MailTemplateOverride?
    func save(key: String, locale: String, subject: String, body: String, by agent: UUID?) async throws -> MailTemplateOverride
    /// Back to Haven's text; false if there was no edit.
    func reset(key: String, locale: String) async throws -> Bool
}

public struct SQLMailTemplateRepository: MailTemplateRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func overrides() async throws -> [MailTemplateOverride] {
        try await MailTemplateModel.query(on: database.reader).sort(\.$key).sort(\.$locale).all().map(Self.record)
    }

    public func override(key: String, locale: String) async throws -> MailTemplateOverride? {
        try await MailTemplateModel.query(on: database.reader).filter(\.$key == key).filter(\.$locale == locale).first().map(Self.record)
    }

    public func save(key: String, locale: String, subject: String, body: String, by agent: UUID?) async throws -> MailTemplateOverride {
        try await database.write { tx in
            let model = try await MailTemplateModel.query(on: tx).filter(\.$key == key).filter(\.$locale == locale).first() ?? {
                let model = MailTemplateModel()
                model.id = UUID()
                model.key = key
                model.locale = locale
                return model
            }()
            model.subject = subject
            model.body = body
            model.updatedBy = agent
            model.updatedAt = self.now()
            try await model.save(on: tx)
            return Self.record(model)
        }
    }

    public func reset(key: String, locale: String) async throws -> Bool {
        try await database.write { tx in
            guard let model = try await MailTemplateModel.query(on: tx).filter(\.$key == key).filter(\.$locale == locale).first() else { return false }
            try await model.delete(on: tx)
            return true
        }
    }

    static func record(_ model: MailTemplateModel) -> MailTemplateOverride {
        MailTemplateOverride(key: model.key, locale: model.locale, subject: model.subject, body: model.body, updatedBy: model.updatedBy, updatedAt: model.updatedAt)
    }
}

public struct NotificationRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var kind: String
    public var ticketID: UUID?
    public var text: String
    public var createdAt: Date
    public var readAt: Date?
}

/// What Haven tells an agent (a reply that could not be delivered, …), newest first.
public protocol NotificationRepository: Sendable {
    func notifications(forAgent agentID: UUID, unreadOnly: Bool, limit: Int) async throws -> [NotificationRecord]
    /// False if the agent has no such notification.
    func markRead(_ id: UUID, agentID: UUID) async throws -> Bool
}

public struct SQLNotificationRepository: NotificationRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func notifications(forAgent agentID: UUID, unreadOnly: Bool, limit: Int) async throws -> [NotificationRecord] {
        var query = NotificationModel.query(on: database.reader).filter(\.$agentID == agentID)
        if unreadOnly { query = query.filter(\.$readAt == nil) }
        return try await query.sort(\.$createdAt, .descending).limit(limit).all().map { model in
            NotificationRecord(id: model.id!, kind: model.kind, ticketID: model.ticketID, text: model.text, createdAt: model.createdAt, readAt: model.readAt)
        }
    }

    public func markRead(_ id: UUID, agentID: UUID) async throws -> Bool {
        try await database.write { tx in
            guard let model = try await NotificationModel.query(on: tx).filter(\.$id == id).filter(\.$agentID == agentID).first() else { return false }
            if model.readAt == nil {
                model.readAt = self.now()
                try await model.update(on: tx)
            }
            return true
        }
    }
}
