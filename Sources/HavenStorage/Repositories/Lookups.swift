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

    /// The step of intake that identifies the contacts of a batch of requests, one per requester, in order:
    /// by external id first (the platform's own account id is the stronger identity), then by email; a new
    /// contact otherwise. Fields the channel now reports (name, locale, kind, tier, market) refresh the stored
    /// ones. One query loads every contact holding any of the batch's identities; new contacts are inserted
    /// in one statement, and two requests of the batch from the same new person share one contact.
    static func findOrCreate(_ requesters: [RequesterDraft], on db: any Database, now: Date) async throws -> [ContactModel] {
        let externalIDs = Array(Set(requesters.compactMap(\.externalID)))
        let emails = Array(Set(requesters.compactMap(\.email)))
        var known: [ContactModel] = []
        if !externalIDs.isEmpty || !emails.isEmpty {
            known = try await ContactModel.query(on: db).group(.or) { group in
                if !externalIDs.isEmpty { group.filter(\.$externalID ~~ externalIDs) }
                if !emails.isEmpty { group.filter(\.$email ~~ emails) }
            }.all()
        }
        var index = ContactIndex(known)
        var created: [ContactModel] = []
        var changed: [ContactModel] = []
        var contacts: [ContactModel] = []
        for requester in requesters {
            guard let contact = index.match(requester) else {
                let contact = ContactModel(requester, at: now)
                index.add(contact)
                created.append(contact)
                contacts.append(contact)
                continue
            }
            if index.refresh(contact, from: requester), !created.contains(where: { $0 === contact }),
                !changed.contains(where: { $0 === contact }) {
                changed.append(contact)
            }
            contacts.append(contact)
        }
        try await created.insert(on: db)
        for contact in changed {
            contact.updatedAt = now
            try await contact.update(on: db)
        }
        return contacts
    }
}

/// The contacts a batch knows, by identity.
private struct ContactIndex {
    var byExternalID: [String: ContactModel] = [:]
    var byEmail: [String: ContactModel] = [:]

    init(_ contacts: [ContactModel]) { contacts.forEach { add($0) } }

    mutating func add(_ contact: ContactModel) {
        if let externalID = contact.externalID { byExternalID[externalID] = contact }
        if let email = contact.email { byEmail[email] = contact }
    }

    func match(_ requester: RequesterDraft) -> ContactModel? {
        requester.externalID.flatMap { byExternalID[$0] } ?? requester.email.flatMap { byEmail[$0] }
    }

    /// Updates `contact` with what the requester now reports; true when something changed.
    mutating func refresh(_ contact: ContactModel, from requester: RequesterDraft) -> Bool {
        var changed = false
        func refresh<Value: Equatable>(_ keyPath: ReferenceWritableKeyPath<ContactModel, Value?>, _ value: Value?) {
            if let value, contact[keyPath: keyPath] != value {
                contact[keyPath: keyPath] = value
                changed = true
            }
        }
        // An identity is only added where it is missing and nobody else holds it (every holder of the batch's
        // identities is in the index): two records that disagree (external id says X, email says Y) are a
        // merge for a person to decide, not for intake.
        if contact.email == nil, let email = requester.email, byEmail[email] == nil {
            refresh(\.email, email)
            byEmail[email] = contact
        }
        if contact.externalID == nil, let externalID = requester.externalID, byExternalID[externalID] == nil {
            refresh(\.externalID, externalID)
            byExternalID[externalID] = contact
        }
        refresh(\.name, requester.name)
        refresh(\.locale, requester.locale)
        refresh(\.tier, requester.tier)
        refresh(\.market, requester.market)
        if let kind = requester.kind, contact.kind != kind.rawValue {
            contact.kind = kind.rawValue
            changed = true
        }
        return changed
    }
}

extension ContactModel {
    convenience init(_ requester: RequesterDraft, at now: Date) {
        self.init()
        id = UUID()
        email = requester.email
        externalID = requester.externalID
        name = requester.name
        locale = requester.locale
        kind = (requester.kind ?? .user).rawValue
        tier = requester.tier
        market = requester.market
        createdAt = now
        updatedAt = now
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
