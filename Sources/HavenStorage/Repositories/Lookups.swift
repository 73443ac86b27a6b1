import FluentKit
import Foundation
import HavenCore

enum ContactLookup {
    /// A contact by id, email or external id.
    static func find(_ ref: String, on db: any Database) async throws -> ContactModel? {
        if let id = UUID(uuidString: ref), let contact = try await ContactModel.find(id, on: db) { return contact }
        if let email = EmailAddress.normalize(ref), let contact = try await ContactModel.query(on: db).filter(\.$email == email).first() {
            return contact
        }
        return try await ContactModel.query(on: db).filter(\.$externalID == ref).first()
    }

    /// The step of intake that identifies the contact: by external id first (the platform's own
    /// account id is the stronger identity), then by email; a new contact otherwise. Fields the
    /// channel now reports (name, locale, tier, market) refresh the stored ones.
    static func findOrCreate(_ requester: RequesterDraft, on db: any Database, now: Date) async throws -> ContactModel {
        var contact: ContactModel?
        if let externalID = requester.externalID {
            contact = try await ContactModel.query(on: db).filter(\.$externalID == externalID).first()
        }
        if contact == nil, let email = requester.email {
            contact = try await ContactModel.query(on: db).filter(\.$email == email).first()
        }
        guard let contact else {
            let created = ContactModel()
            created.id = UUID()
            created.email = requester.email
            created.externalID = requester.externalID
            created.name = requester.name
            created.locale = requester.locale
            created.kind = (requester.kind ?? .user).rawValue
            created.tier = requester.tier
            created.market = requester.market
            created.createdAt = now
            created.updatedAt = now
            try await created.create(on: db)
            return created
        }
        var changed = false
        func refresh<Value: Equatable>(_ keyPath: ReferenceWritableKeyPath<ContactModel, Value?>, _ value: Value?) {
            if let value, contact[keyPath: keyPath] != value {
                contact[keyPath: keyPath] = value
                changed = true
            }
        }
        // An identity is only added where it is missing and nobody else holds it: two records that
        // disagree (external id says X, email says Y) are a merge for a person to decide, not for intake.
        if contact.email == nil, let email = requester.email,
            try await ContactModel.query(on: db).filter(\.$email == email).count() == 0 {
            refresh(\.email, email)
        }
        if contact.externalID == nil, let externalID = requester.externalID,
            try await ContactModel.query(on: db).filter(\.$externalID == externalID).count() == 0 {
            refresh(\.externalID, externalID)
        }
        refresh(\.name, requester.name)
        refresh(\.locale, requester.locale)
        refresh(\.tier, requester.tier)
        refresh(\.market, requester.market)
        if let kind = requester.kind, contact.kind != kind.rawValue {
            contact.kind = kind.rawValue
            changed = true
        }
        if changed {
            contact.updatedAt = now
            try await contact.update(on: db)
        }
        return contact
    }
}

enum AgentLookup {
    /// An agent by id or email.
    static func find(_ ref: String, on db: any Database) async throws -> AgentModel? {
        if let id = UUID(uuidString: ref) { return try await AgentModel.find(id, on: db) }
        guard let email = EmailAddress.normalize(ref) else { return nil }
        return try await AgentModel.query(on: db).filter(\.$email == email).first()
    }
}
