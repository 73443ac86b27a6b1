import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit

/// Where Haven keeps its data.
public enum DatabaseLocation: Sendable, Equatable {
    /// The embedded default: one SQLite file, `haven.sqlite`, in this folder.
    case sqlite(directory: String)
    /// The multi-node engine.
    case postgres(url: String)

    public var description: String {
        switch self {
        case .sqlite(let directory): "SQLite at \(directory)/haven.sqlite"
        case .postgres(let url): "PostgreSQL at \(Self.redacted(url))"
        }
    }

    /// The URL without its password, for logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }
}

/// The database handles Haven's repositories use: one for writes, one for reads.
///
/// On SQLite the writer is exactly one connection on its own one-thread event loop group:
/// concurrent SQLite writers spin on the database lock (measured: ~140 req/s, p99 0.6 s) while a
/// single writer that queues requests holds ~2,000 req/s at p99 24 ms. Readers are separate
/// connections beside it; WAL lets them read while the writer writes. On PostgreSQL both
/// handles share one pool, since the server does its own concurrency control.
public final class HavenDatabase: Sendable {
    public let location: DatabaseLocation
    /// Which tickets committed writes changed: this node's listeners, and other nodes' through PostgreSQL.
    public let changes = TicketChanges()
    private let writerDatabases: Databases
    private let readerDatabases: Databases
    private let writerGroup: MultiThreadedEventLoopGroup?
    /// On SQLite, the writer connection's event loop as a task executor: batched writes run their code there
    /// (see `EventLoopTaskExecutor`). Nil on PostgreSQL, whose connections are spread over every loop.
    let writerExecutor: (any TaskExecutor)?
    /// On PostgreSQL, sends other nodes the tickets this node's commits changed (nil on SQLite: one node).
    let notifier: ChangedTicketsNotifier?
    private let logger: Logger

    public init(location: DatabaseLocation, logger: Logger, poolSize: Int = 8) throws {
        self.location = location
        self.logger = logger
        let threadPool = NIOThreadPool.singleton
        switch location {
        case .sqlite(let directory):
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let path = (directory as NSString).appendingPathComponent("haven.sqlite")
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            writerGroup = group
            writerExecutor = EventLoopTaskExecutor(group.next())
            notifier = nil
            writerDatabases = Databases(threadPool: threadPool, on: group)
            writerDatabases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
            // fluent-sqlite-driver opens one connection per event loop: one reader per core.
            readerDatabases = Databases(threadPool: threadPool, on: MultiThreadedEventLoopGroup.singleton)
            readerDatabases.use(.sqlite(.file(path), sqlLogLevel: .trace), as: .sqlite)
        case .postgres(let url):
            writerGroup = nil
            writerExecutor = nil
            let configuration = try SQLPostgresConfiguration(url: url)
            writerDatabases = Databases(threadPool: threadPool, on: MultiThreadedEventLoopGroup.singleton)
            writerDatabases.use(
                .postgres(configuration: configuration, maxConnectionsPerEventLoop: poolSize, sqlLogLevel: .trace), as: .psql)
            readerDatabases = writerDatabases
            notifier = ChangedTicketsNotifier(databases: writerDatabases, node: changes.node, logger: logger)
        }
    }

    /// The handle for writes. Use it for every transaction.
    public var writer: any Database {
        writerDatabases.database(logger: logger, on: writerDatabases.eventLoopGroup.any())!
    }

    /// A handle for reads that need not see a write still in flight.
    public var reader: any Database {
        readerDatabases.database(logger: logger, on: readerDatabases.eventLoopGroup.any())!
    }

    public var isPostgres: Bool {
        if case .postgres = location { return true }
        return false
    }

    /// Puts SQLite in WAL mode (kept in the file) and runs every migration not yet run. Safe to call on every start.
    public func migrate() async throws {
        if case .sqlite = location, let sql = writer as? any SQLDatabase {
            // WAL: readers never block the writer. `synchronous` stays at SQLite's default, FULL:
            // every commit is fsynced before the request is answered (see docs/architecture.md).
            try await sql.raw("PRAGMA journal_mode=WAL").run()
        }
        let migrations = Migrations()
        migrations.add(HavenMigrations.all)
        let migrator = Migrator(
            databases: writerDatabases, migrations: migrations, logger: logger, on: writerDatabases.eventLoopGroup.any())
        try await migrator.setupIfNeeded().get()
        try await migrator.prepareBatch().get()
    }

    /// True if the database answers a trivial query.
    public func isReachable() async -> Bool {
        guard let sql = reader as? any SQLDatabase else { return false }
        do {
            _ = try await sql.raw("SELECT 1 AS ok").first()
            return true
        } catch {
            logger.warning("database not reachable", metadata: ["error": "\(String(reflecting: error))"])
            return false
        }
    }

    public func shutdown() async {
        await writerDatabases.shutdownAsync()
        if readerDatabases !== writerDatabases { await readerDatabases.shutdownAsync() }
        try? await writerGroup?.shutdownGracefully()
    }
}

extension HavenDatabase {
    /// Runs one administrative SQL statement (tests create and drop their PostgreSQL databases with it).
    public func execute(_ statement: String) async throws {
        try await writer.sql().raw(SQLQueryString(statement)).run()
    }

    /// A single value from a query, for checks such as `PRAGMA synchronous`.
    public func scalar<T: Decodable>(_ statement: String, as type: T.Type) async throws -> T? {
        guard let row = try await reader.sql().raw(SQLQueryString(statement)).first() else { return nil }
        return try row.decode(column: row.allColumns[0], as: T.self)
    }
}
