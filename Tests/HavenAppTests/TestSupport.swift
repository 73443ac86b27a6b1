import Foundation
import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import HummingbirdWebSocket
import Logging
import Synchronization
import Testing

/// Which database the storage and API tests run on: SQLite by default, PostgreSQL when
/// `HAVEN_TEST_DATABASE_URL` points at a server (`.ci/run` starts one and runs the suite twice).
enum TestDatabase {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["HAVEN_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static let logger: Logger = {
        var logger = Logger(label: "haven-test")
        logger.logLevel = .warning
        return logger
    }()

    /// A fresh, empty database location: a new SQLite folder, or a new PostgreSQL database.
    static func makeLocation() async throws -> (DatabaseLocation, cleanup: @Sendable () async -> Void) {
        if let url = postgresURL {
            let name = "haven_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let admin = try HavenDatabase(location: .postgres(url: url), logger: logger, poolSize: 1)
            try await admin.execute("CREATE DATABASE \(name)")
            await admin.shutdown()
            var components = URLComponents(string: url)!
            components.path = "/\(name)"
            return (.postgres(url: components.string!), {
                if let admin = try? HavenDatabase(location: .postgres(url: url), logger: logger, poolSize: 1) {
                    try? await admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
                    await admin.shutdown()
                }
            })
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-test-\(UUID().uuidString)").path
        return (.sqlite(directory: directory), { try? FileManager.default.removeItem(atPath: directory) })
    }
}

/// Time as the app under test sees it; tests move it forward.
final class TestClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)
    var now: Date { Date().addingTimeInterval(offset.withLock { $0 }) }
    func advance(by seconds: TimeInterval) { offset.withLock { $0 += seconds } }
}

/// An agent signed in for a test, with a bearer token.
struct SignedIn {
    var agent: AgentRecord
    var token: String
    var header: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
}

struct TestApp {
    var services: HavenServices
    var admin: SignedIn
    var location: DatabaseLocation
}

let testPassword = "correct horse battery"

/// Builds the real application on a fresh database, signs an admin in, and runs `body` against its router.
func withApp(
    maxBodyBytes: Int = 1 << 20, maxAttachmentBytes: Int = 1 << 20, mailConfiguration: MailIntakeConfiguration = MailIntakeConfiguration(),
    mailOut: MailOutConfiguration? = nil, clock: TestClock = TestClock(), live: Bool = false, _ body: @Sendable (TestApp, any TestClientProtocol) async throws -> Void
) async throws {
    let (location, cleanup) = try await TestDatabase.makeLocation()
    let filesDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("haven-files-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: filesDirectory) }
    let database = try HavenDatabase(location: location, logger: TestDatabase.logger, poolSize: 2)
    do {
        try await database.migrate()
        let services = try HavenServices(
            database: database, logger: TestDatabase.logger, dataDirectory: filesDirectory, maxAttachmentBytes: maxAttachmentBytes,
            mailConfiguration: mailConfiguration, mailOut: mailOut, now: { clock.now })
        let admin = try await addAgent(services, email: "lead@haven.test", roles: [.admin, .lead])
        var configuration = HavenConfiguration()
        configuration.maxBodyBytes = maxBodyBytes
        let testApp = TestApp(services: services, admin: admin, location: location)
        if live {
            // A real server on a free loopback port, with the WebSocket routes: what the chat tests talk to.
            let app = Application(
                router: buildRouter(services, configuration: configuration), server: .http1WebSocketUpgrade(webSocketRouter: buildWebSocketRouter(services)),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: TestDatabase.logger)
            try await app.test(.live) { client in try await body(testApp, client) }
        } else {
            let app = Application(router: buildRouter(services, configuration: configuration), logger: TestDatabase.logger)
            try await app.test(.router) { client in try await body(testApp, client) }
        }
    } catch {
        await database.shutdown()
        await cleanup()
        throw error
    }
    await database.shutdown()
    await cleanup()
}

func addAgent(_ services: HavenServices, email: String, name: String? = nil, roles: [AgentRole] = [.agent], languages: [String] = ["en"]) async throws -> SignedIn {
    let agent = try await services.directory.addAgent(NewAgent(
        email: email, name: name ?? email.components(separatedBy: "@")[0].capitalized, passwordHash: try await Passwords.hash(testPassword),
        roles: roles, languages: languages))
    let issued = try await services.directory.issueToken(forAgent: agent.id, name: "test")
    return SignedIn(agent: agent, token: issued.token)
}

// MARK: - JSON helpers

func json(_ object: [String: Any]) -> ByteBuffer {
    ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
}

func object(_ response: TestResponse) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body), options: [.fragmentsAllowed])
    return try #require(value as? [String: Any], "expected a JSON object, got \(String(buffer: response.body))")
}

/// Checks the answer is a problem+json document with this status and code, and returns it.
@discardableResult
func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, code: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    #expect(response.status == status, "body: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    #expect(response.headers[.contentType] == "application/problem+json", sourceLocation: sourceLocation)
    let problem = try object(response)
    #expect(problem["code"] as? String == code, sourceLocation: sourceLocation)
    #expect(problem["status"] as? Int == Int(status.code), sourceLocation: sourceLocation)
    #expect((problem["detail"] as? String)?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(problem["title"] is String && problem["type"] is String, sourceLocation: sourceLocation)
    return problem
}

func fields(_ problem: [String: Any]) -> Set<String> {
    Set((problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
}

extension TestClientProtocol {
    /// Creates a ticket through the API and returns its JSON.
    func createTicket(_ auth: SignedIn, _ body: [String: Any]) async throws -> [String: Any] {
        try await execute(uri: "/api/v1/tickets", method: .post, headers: auth.header, body: json(body)) { response in
            #expect(response.status == .created, "body: \(String(buffer: response.body))")
            return try object(response)
        }
    }
}

func ticketBody(_ text: String = "My account was hacked", email: String = "ana@example.com", locale: String = "pt-BR", extra: [String: Any] = [:]) -> [String: Any] {
    var body: [String: Any] = ["subject": "Help", "body": text, "channel": "email", "requester": ["email": email, "name": "Ana", "locale": locale]]
    body.merge(extra) { $1 }
    return body
}
