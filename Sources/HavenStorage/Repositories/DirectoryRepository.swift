import Crypto
import FluentKit
import Foundation
import HavenCore

public struct NewAgent: Sendable, Equatable {
    public var email: String
    public var name: String
    public var passwordHash: String
    public var roles: [AgentRole]
    public var languages: [String]
    public var team: String?

    public init(email: String, name: String, passwordHash: String, roles: [AgentRole], languages: [String], team: String? = nil) {
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.roles = roles
        self.languages = languages
        self.team = team
    }
}

public struct IssuedToken: Sendable {
    /// Shown once; only its hash is stored.
    public var token: String
    public var id: UUID
    public var agent: AgentRecord
}

/// A team of agents (a market, a line of work): how leads group people.
public struct TeamRecord: Codable, Sendable, Equatable {
    public var id: UUID
    public var name: String
}

/// What an admin changes about an agent after adding them; nil fields stay as they are.
public struct AgentUpdate: Sendable, Equatable {
    public var roles: [AgentRole]?
    /// `.some(nil)` takes the agent out of their team.
    public var team: UUID??
    public var active: Bool?

    public init(roles: [AgentRole]? = nil, team: UUID?? = nil, active: Bool? = nil) {
        self.roles = roles
        self.team = team
        self.active = active
    }
}

/// Agents, teams, queues and API tokens: the slowly changing directory of the desk.
public protocol DirectoryRepository: Sendable {
    func addTeam(name: String) async throws -> UUID
    func teams() async throws -> [TeamRecord]
    /// Changes an agent's roles, team or whether they may sign in, with the change in the audit log.
    func updateAgent(_ id: UUID, _ change: AgentUpdate, by actor: UUID?) async throws -> AgentRecord
    func addQueue(slug: String, name: String, team: String?, isDefault: Bool) async throws -> QueueRecord
    func queues() async throws -> [QueueRecord]
    /// Changes a queue's email sender and acknowledgement setting; nil fields stay as they are ("" clears a text).
    func updateQueueMail(_ queue: String, _ settings: QueueMailSettings) async throws -> QueueRecord
    func addAgent(_ agent: NewAgent) async throws -> AgentRecord
    func agent(email: String) async throws -> (record: AgentRecord, passwordHash: String)?
    func agents() async throws -> [AgentRecord]
    func issueToken(forAgent agentID: UUID, name: String) async throws -> IssuedToken
    /// The active agent a token belongs to, or nil for an unknown or revoked token or an inactive agent.
    func agent(forToken token: String) async throws -> (agent: AgentRecord, tokenID: UUID)?
    /// Revokes the token if it belongs to the agent. Returns whether it did.
    func revokeToken(_ tokenID: UUID, ofAgent agentID: UUID) async throws -> Bool
    func isEmpty() async throws -> Bool
}

/// A name that is already taken (agent email, queue slug, team name).
public struct DuplicateName: Error, Sendable, Equatable {
    public var field: String
    public var value: String
}

public struct SQLDirectoryRepository: DirectoryRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func teams() async throws -> [TeamRecord] {
        try await TeamModel.query(on: database.reader).sort(\.$name).all().map { TeamRecord(id: $0.id!, name: $0.name) }
    }

    public func updateAgent(_ id: UUID, _ change: AgentUpdate, by actor: UUID?) async throws -> AgentRecord {
        let now = now()
        return try await database.write { tx in
            guard let agent = try await AgentModel.find(id, on: tx) else { throw RecordNotFound(kind: "agent", reference: id.uuidString) }
            let before = Self.record(agent)
            if let roles = change.roles { agent.roles = JSONList.encode(roles.map(\.rawValue)) }
            if let team = change.team {
                if let team, try await TeamModel.find(team, on: tx) == nil { throw RecordNotFound(kind: "team", reference: team.uuidString) }
                agent.teamID = team
            }
            if let active = change.active { agent.active = active }
            try await agent.update(on: tx)
            let after = Self.record(agent)
            if after != before {
                try await AuditLog.append("agent.updated", subject: id.uuidString.lowercased(), before: before, after: after, by: actor, at: now, on: tx.sql())
            }
            return after
        }
    }

    public func addTeam(name: String) async throws -> UUID {
        try await database.write { tx in
            if let existing = try await TeamModel.query(on: tx).filter(\.$name == name).first() { return try existing.requireID() }
            let team = TeamModel()
            team.id = UUID()
            team.name = name
            team.createdAt = self.now()
            try await team.create(on: tx)
            return try team.requireID()
        }
    }

    public func addQueue(slug: String, name: String, team: String?, isDefault: Bool) async throws -> QueueRecord {
        try await database.write { tx in
            if try await QueueModel.query(on: tx).filter(\.$slug == slug).first() != nil { throw DuplicateName(field: "slug", value: slug) }
            let queue = QueueModel()
            queue.id = UUID()
            queue.slug = slug
            queue.name = name
            queue.teamID = try await team.asyncFlatMap { try await TeamModel.query(on: tx).filter(\.$name == $0).first()?.id }
            queue.isDefault = isDefault
            queue.acknowledgeEmail = true
            queue.createdAt = self.now()
            if isDefault {
                try await QueueModel.query(on: tx).set(\.$isDefault, to: false).update()
            }
            try await queue.create(on: tx)
            return Self.record(queue)
        }
    }

    public func updateQueueMail(_ ref: String, _ settings: QueueMailSettings) async throws -> QueueRecord {
        try await database.write { tx in
            // An unknown name is "no such queue" here, not an invalid field as when a ticket names one.
            guard let queue = try? await SQLTicketRepository.queue(for: ref, field: "queue", on: tx) else {
                throw RecordNotFound(kind: "queue", reference: ref)
            }
            if let address = settings.emailAddress { queue.emailAddress = address.isEmpty ? nil : address }
            if let name = settings.emailName { queue.emailName = name.isEmpty ? nil : name }
            if let acknowledge = settings.acknowledgeEmail { queue.acknowledgeEmail = acknowledge }
            try await queue.update(on: tx)
            return Self.record(queue)
        }
    }

    public func queues() async throws -> [QueueRecord] {
        try await QueueModel.query(on: database.reader).sort(\.$name).all().map(Self.record)
    }

    public func addAgent(_ agent: NewAgent) async throws -> AgentRecord {
        try await database.write { tx in
            if try await AgentModel.query(on: tx).filter(\.$email == agent.email).first() != nil {
                throw DuplicateName(field: "email", value: agent.email)
            }
            let model = AgentModel()
            model.id = UUID()
            model.email = EmailAddress.normalize(agent.email) ?? agent.email
            model.name = agent.name
            model.passwordHash = agent.passwordHash
            model.roles = JSONList.encode(agent.roles.map(\.rawValue))
            model.languages = JSONList.encode(agent.languages)
            model.teamID = try await agent.team.asyncFlatMap { try await TeamModel.query(on: tx).filter(\.$name == $0).first()?.id }
            model.active = true
            model.presence = Presence.offline.rawValue
            model.presenceByHaven = false
            model.failedSignIns = 0
            model.createdAt = self.now()
            model.updatedAt = model.createdAt
            try await model.create(on: tx)
            return Self.record(model)
        }
    }

    public func agent(email: String) async throws -> (record: AgentRecord, passwordHash: String)? {
        guard let normalized = EmailAddress.normalize(email),
            let model = try await AgentModel.query(on: database.reader).filter(\.$email == normalized).first()
        else { return nil }
        return (Self.record(model), model.passwordHash)
    }

    public func agents() async throws -> [AgentRecord] {
        try await AgentModel.query(on: database.reader).sort(\.$name).all().map(Self.record)
    }

    public func issueToken(forAgent agentID: UUID, name: String) async throws -> IssuedToken {
        let token = Self.newToken()
        return try await database.write { tx in
            guard let agent = try await AgentModel.find(agentID, on: tx) else { throw RecordNotFound(kind: "agent", reference: agentID.uuidString) }
            let model = APITokenModel()
            model.id = UUID()
            model.agentID = agentID
            model.name = name
            model.tokenHash = Self.hash(token)
            model.createdAt = self.now()
            try await model.create(on: tx)
            return IssuedToken(token: token, id: try model.requireID(), agent: Self.record(agent))
        }
    }

    public func agent(forToken token: String) async throws -> (agent: AgentRecord, tokenID: UUID)? {
        let db = database.reader
        guard let stored = try await APITokenModel.query(on: db).filter(\.$tokenHash == Self.hash(token)).first(),
            stored.revokedAt == nil,
            let agent = try await AgentModel.find(stored.agentID, on: db), agent.active
        else { return nil }
        return (Self.record(agent), try stored.requireID())
    }

    public func revokeToken(_ tokenID: UUID, ofAgent agentID: UUID) async throws -> Bool {
        try await database.write { tx in
            guard let token = try await APITokenModel.find(tokenID, on: tx), token.agentID == agentID else { return false }
            if token.revokedAt == nil {
                token.revokedAt = self.now()
                try await token.update(on: tx)
            }
            return true
        }
    }

    public func isEmpty() async throws -> Bool {
        try await AgentModel.query(on: database.reader).count() == 0
    }

    // MARK: - Helpers

    /// 32 random bytes, URL-safe, with a prefix that secret scanners and people recognise.
    static func newToken() -> String {
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max) }
        return "hvn_" + Data(bytes).base64URLEncoded()
    }

    static func hash(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)))
    }

    static func record(_ model: AgentModel) -> AgentRecord {
        AgentRecord(
            id: model.id!, email: model.email, name: model.name,
            roles: JSONList.decode(model.roles).compactMap(AgentRole.init(rawValue:)),
            languages: JSONList.decode(model.languages), teamID: model.teamID, active: model.active)
    }

    static func record(_ model: QueueModel) -> QueueRecord {
        QueueRecord(
            id: model.id!, slug: model.slug, name: model.name, teamID: model.teamID, isDefault: model.isDefault, emailAddress: model.emailAddress,
            emailName: model.emailName, acknowledgeEmail: model.acknowledgeEmail)
    }
}

extension Optional where Wrapped: Sendable {
    func asyncFlatMap<T>(_ transform: (Wrapped) async throws -> T?) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
