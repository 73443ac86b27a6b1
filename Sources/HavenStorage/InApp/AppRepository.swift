import FluentKit
import Foundation
import HavenCore
import SQLKit

/// A registered app: the platform's mobile or web app whose backend signs its users' identities.
public struct AppRecord: Codable, Sendable, Equatable {
    public var id: UUID
    /// What the app's identities name as their issuer (`iss`).
    public var slug: String
    public var name: String
    /// Identities may also be signed by the platform with this key (ES256 or RS256), besides the app's secret (HS256).
    public var publicKeyPEM: String?
    public var ratePerMinute: Int
    public var userRatePerMinute: Int
    public var createdAt: Date
    public var disabledAt: Date?
}

/// An app with its signing secret: only what the verifier and the answer to a registration see.
public struct AppCredentials: Sendable, Equatable {
    public var app: AppRecord
    public var secret: String
}

public struct NewApp: Sendable, Equatable {
    public var slug: String
    public var name: String
    public var publicKeyPEM: String?
    public var ratePerMinute: Int
    public var userRatePerMinute: Int

    public init(slug: String, name: String, publicKeyPEM: String? = nil, ratePerMinute: Int = 6_000, userRatePerMinute: Int = 60) {
        self.slug = slug
        self.name = name
        self.publicKeyPEM = publicKeyPEM
        self.ratePerMinute = ratePerMinute
        self.userRatePerMinute = userRatePerMinute
    }

    /// Normalized, or every problem at once.
    public func validated() throws(DomainError) -> NewApp {
        var out = self
        var problems: [FieldProblem] = []
        out.slug = slug.trimmingCharacters(in: .whitespaces).lowercased()
        if out.slug.isEmpty || out.slug.count > 64 || !out.slug.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." }) {
            problems.append(FieldProblem(field: "app_id", problem: "An app id has 1 to 64 letters, digits, '-' and '.', e.g. 'android-prod'."))
        }
        out.name = TextNormalizer.line(name)
        if out.name.isEmpty || out.name.count > 200 { problems.append(FieldProblem(field: "name", problem: "A name has 1 to 200 characters.")) }
        if let pem = publicKeyPEM, !pem.contains("-----BEGIN PUBLIC KEY-----") {
            problems.append(FieldProblem(field: "public_key_pem", problem: "Give a PEM public key ('-----BEGIN PUBLIC KEY-----…')."))
        }
        if !(1...1_000_000).contains(ratePerMinute) { problems.append(FieldProblem(field: "rate_per_minute", problem: "Between 1 and 1,000,000.")) }
        if !(1...10_000).contains(userRatePerMinute) { problems.append(FieldProblem(field: "user_rate_per_minute", problem: "Between 1 and 10,000.")) }
        guard problems.isEmpty else { throw .invalid(problems) }
        return out
    }
}

public protocol AppRepository: Sendable {
    /// Registers an app with a new random secret, returned once.
    func create(_ app: NewApp, secret: String) async throws -> AppCredentials
    func list() async throws -> [AppRecord]
    /// The app and its secret by slug, for checking a signature; nil when unknown.
    func credentials(slug: String) async throws -> AppCredentials?
    /// Replaces the secret; identities signed with the old one stop working.
    func rotateSecret(slug: String, secret: String) async throws -> AppCredentials?
    func setDisabled(slug: String, _ disabled: Bool) async throws -> AppRecord?
}

final class AppModel: Model, @unchecked Sendable {
    static let schema = "apps"
    @ID(key: .id) var id: UUID?
    @Field(key: "slug") var slug: String
    @Field(key: "name") var name: String
    @Field(key: "secret") var secret: String
    @OptionalField(key: "public_key_pem") var publicKeyPEM: String?
    @Field(key: "rate_per_minute") var ratePerMinute: Int
    @Field(key: "user_rate_per_minute") var userRatePerMinute: Int
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "disabled_at") var disabledAt: Date?
    init() {}

    var record: AppRecord {
        AppRecord(
            id: id!, slug: slug, name: name, publicKeyPEM: publicKeyPEM, ratePerMinute: ratePerMinute, userRatePerMinute: userRatePerMinute,
            createdAt: createdAt, disabledAt: disabledAt)
    }
}

public struct SQLAppRepository: AppRepository {
    let database: HavenDatabase
    let now: @Sendable () -> Date

    public init(database: HavenDatabase, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
    }

    public func create(_ app: NewApp, secret: String) async throws -> AppCredentials {
        let app = try app.validated()
        let now = self.now()
        return try await database.write { tx in
            if try await AppModel.query(on: tx).filter(\.$slug == app.slug).first() != nil {
                throw DomainError.invalid([FieldProblem(field: "app_id", problem: "An app '\(app.slug)' is already registered.")])
            }
            let model = AppModel()
            model.id = UUID()
            model.slug = app.slug
            model.name = app.name
            model.secret = secret
            model.publicKeyPEM = app.publicKeyPEM
            model.ratePerMinute = app.ratePerMinute
            model.userRatePerMinute = app.userRatePerMinute
            model.createdAt = now
            try await model.create(on: tx)
            return AppCredentials(app: model.record, secret: secret)
        }
    }

    public func list() async throws -> [AppRecord] {
        try await AppModel.query(on: database.reader).sort(\.$slug).all().map(\.record)
    }

    public func credentials(slug: String) async throws -> AppCredentials? {
        try await AppModel.query(on: database.reader).filter(\.$slug == slug.lowercased()).first().map { AppCredentials(app: $0.record, secret: $0.secret) }
    }

    public func rotateSecret(slug: String, secret: String) async throws -> AppCredentials? {
        try await database.write { tx in
            guard let model = try await AppModel.query(on: tx).filter(\.$slug == slug.lowercased()).first() else { return nil }
            model.secret = secret
            try await model.update(on: tx)
            return AppCredentials(app: model.record, secret: secret)
        }
    }

    public func setDisabled(slug: String, _ disabled: Bool) async throws -> AppRecord? {
        let now = self.now()
        return try await database.write { tx in
            guard let model = try await AppModel.query(on: tx).filter(\.$slug == slug.lowercased()).first() else { return nil }
            model.disabledAt = disabled ? now : nil
            try await model.update(on: tx)
            return model.record
        }
    }
}
