import Algorithms
import FluentKit
import Foundation
import Logging
import SQLKit

/// Tells other nodes, through PostgreSQL, which tickets this node's commits changed: after the commit, the tickets of
/// every commit since the last notice in one `pg_notify`.
///
/// Why not in the transaction: a `pg_notify` there cost every write a round trip, and PostgreSQL serializes the
/// commits that notify on its notification queue's lock (sampled under "Get next": one backend in twelve waited
/// there). Sent after the commit, a notice still never announces a rollback, and a wake-up carries no content; what a
/// crash between commit and notice loses, other nodes' listeners catch up on (`ChatHub` looks every 5 s).
/// One notice is in flight at a time; tickets committed meanwhile wait for the next, so under load notices are
/// fewer and larger, and when idle one goes out at once.
actor ChangedTicketsNotifier {
    private let databases: Databases
    private let node: UUID
    private let logger: Logger
    private var pending: [UUID] = []
    private var pendingSet: Set<UUID> = []
    private var sending = false

    init(databases: Databases, node: UUID, logger: Logger) {
        self.databases = databases
        self.node = node
        self.logger = logger
    }

    /// Queues the tickets of a commit; the notice goes out without the caller waiting for it.
    func add(_ ids: [UUID]) {
        for id in ids where pendingSet.insert(id).inserted { pending.append(id) }
        guard !sending, !pending.isEmpty else { return }
        sending = true
        Task { await drain() }
    }

    private func drain() async {
        while !pending.isEmpty {
            let ids = pending
            pending = []
            pendingSet = []
            do {
                try await send(ids)
            } catch {
                logger.warning("ticket notices: not sent; other nodes catch up on their own", metadata: ["tickets": "\(ids.count)", "error": "\(String(reflecting: error))"])
            }
        }
        sending = false
    }

    /// One statement, one `pg_notify` per 100 tickets (a payload stays under PostgreSQL's 8,000 bytes).
    private func send(_ ids: [UUID]) async throws {
        guard let sql = databases.database(logger: logger, on: databases.eventLoopGroup.any()) as? any SQLDatabase else { return }
        let notices: [SQLQueryString] = ids.chunks(ofCount: TicketNotice.idsPerNotice).map { chunk in
            "pg_notify(\(bind: TicketChanges.channel), \(bind: TicketNotice.changed(Array(chunk)).wire(node: node)))"
        }
        try await sql.raw("SELECT " + notices.joined(separator: ", ")).run()
    }
}
