import Crypto
import FluentKit
import Foundation
import HavenCore
import SQLKit

/// A signed-in agent's browser session.
public struct WebSession: Sendable, Equatable {
    public var id: UUID
    public var agent: AgentRecord
    /// Every form the session posts carries it (synchronizer token): a page on another site cannot read it.
    public var csrfToken: String
    public var expiresAt: Date
    /// The agent's chosen workspace language; nil: the browser's.
    public var locale: String?
    public var presence: Presence
}

/// What an agent's account says before a password is checked.
public struct SignInAccount: Sendable {
    public var agent: AgentRecord
    public var passwordHash: String
    public var lockedUntil: Date?
}

/// Web sessions and the sign-in bookkeeping behind them (failures, lockout).
public protocol WebSessionRepository: Sendable {
    func account(email: String) async throws -> SignInAccount?
    /// Counts a wrong password; returns when the account is locked, if this failure locked it.
    func recordFailedSignIn(agentID: UUID) async throws -> Date?
    /// Starts a session for an agent whose password was right (failures are forgotten). The token is the cookie's
    /// value, shown once: only its hash is stored.
    func start(agentID: UUID, userAgent: String?) async throws -> (token: String, session: WebSession)
    /// The live session a cookie names, its expiry pushed forward when due; nil for unknown, expired or inactive.
    func session(token: String) async throws -> WebSession?
    func end(sessionID: UUID) async throws
    /// Signs the agent out everywhere; returns how many sessions ended.
    func endAll(agentID: UUID) async throws -> Int
    func setLocale(agentID: UUID, locale: String?) async throws
    /// Deletes sessions past their expiry (an hourly round): the table holds only sessions that could still be used.
    func pruneExpired() async throws -> Int
}

public struct SQLWebSessionRepository: WebSessionRepository {
    let database: HavenDatabase
    let policy: SignInPolicy
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, policy: SignInPolicy = SignInPolicy(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.policy = policy
        self.now = now
    }

    public func account(email: String) async throws -> SignInAccount? {
        guard let normalized = EmailAddress.normalize(email),
            let model = try await AgentModel.query(on: database.reader).filter(\.$email == normalized).first()
        else { return nil }
        return SignInAccount(agent: SQLDirectoryRepository.record(model), passwordHash: model.passwordHash, lockedUntil: model.lockedUntil)
    }

    public func recordFailedSignIn(agentID: UUID) async throws -> Date? {
        try await database.write { tx in
            guard let agent = try await AgentModel.find(agentID, on: tx) else { return nil }
            let (failures, lockedUntil) = policy.failure(previousFailures: agent.failedSignIns, now: now())
            agent.failedSignIns = failures
            if let lockedUntil { agent.lockedUntil = lockedUntil }
            try await agent.update(on: tx)
            return lockedUntil
        }
    }

    public func start(agentID: UUID, userAgent: String?) async throws -> (token: String, session: WebSession) {
        let token = SQLDirectoryRepository.newToken()
        return try await database.write { tx in
            guard let agent = try await AgentModel.find(agentID, on: tx) else { throw RecordNotFound(kind: "agent", reference: agentID.uuidString) }
            agent.failedSignIns = 0
            agent.lockedUntil = nil
            try await agent.update(on: tx)
            let now = now()
            let session = WebSessionModel()
            session.id = UUID()
            session.tokenHash = SQLDirectoryRepository.hash(token)
            session.agentID = agentID
            session.csrfToken = SQLDirectoryRepository.newToken()
            session.createdAt = now
            session.lastSeenAt = now
            session.expiresAt = policy.expiry(createdAt: now, now: now)
            session.userAgent = userAgent.map { String($0.prefix(300)) }
            try await session.create(on: tx)
            return (token, Self.session(session, agent))
        }
    }

    public func session(token: String) async throws -> WebSession? {
        guard token.count <= 200 else { return nil }
        let now = now()
        // Every workspace page asks: the session and its agent in one query.
        guard let session = try await WebSessionModel.query(on: database.reader)
            .join(AgentModel.self, on: \WebSessionModel.$agentID == \AgentModel.$id)
            .filter(\.$tokenHash == SQLDirectoryRepository.hash(token)).first(),
            session.expiresAt > now,
            case let agent = try session.joined(AgentModel.self), agent.active
        else { return nil }
        if policy.needsRefresh(lastSeenAt: session.lastSeenAt, now: now) {
            let expiry = policy.expiry(createdAt: session.createdAt, now: now)
            try await database.write { tx in
                try await WebSessionModel.query(on: tx).filter(\.$id == session.id!)
                    .set(\.$lastSeenAt, to: now).set(\.$expiresAt, to: expiry).update()
            }
            session.lastSeenAt = now
            session.expiresAt = expiry
        }
        return Self.session(session, agent)
    }

    public func end(sessionID: UUID) async throws {
        try await database.write { tx in try await WebSessionModel.query(on: tx).filter(\.$id == sessionID).delete() }
    }

    public func endAll(agentID: UUID) async throws -> Int {
        try await database.write { tx in
            let count = try await WebSessionModel.query(on: tx).filter(\.$agentID == agentID).count()
            try await WebSessionModel.query(on: tx).filter(\.$agentID == agentID).delete()
            return count
        }
    }

    public func pruneExpired() async throws -> Int {
        try await database.write { tx in
            let count = try await WebSessionModel.query(on: tx).filter(\.$expiresAt < now()).count()
            try await WebSessionModel.query(on: tx).filter(\.$expiresAt < now()).delete()
            return count
        }
    }

    public func setLocale(agentID: UUID, locale: String?) async throws {
        try await database.write { tx in
            try await AgentModel.query(on: tx).filter(\.$id == agentID).set(\.$locale, to: locale).set(\.$updatedAt, to: now()).update()
        }
    }

    static func session(_ model: WebSessionModel, _ agent: AgentModel) -> WebSession {
        WebSession(
            id: model.id!, agent: SQLDirectoryRepository.record(agent), csrfToken: model.csrfToken, expiresAt: model.expiresAt, locale: agent.locale,
            presence: Presence(rawValue: agent.presence) ?? .offline)
    }
}
