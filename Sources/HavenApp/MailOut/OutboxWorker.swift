import Foundation
import HavenStorage
import Logging
import ServiceLifecycle

/// Delivers one kind of outbox job, and records the outcome (with the job's completion, in one transaction).
public protocol OutboxHandler: Sendable {
    var kind: String { get }
    func handle(_ job: OutboxJob) async throws
}

/// The outbox's delivery loop, a `Service` in the app's group: claims due jobs (several nodes share the work,
/// see `OutboxRepository.claim`), hands each to its kind's handler, a few at a time, and looks again after
/// `pollInterval` when there was nothing to do. A job whose handler fails unexpectedly (the database is down)
/// comes back when its lease ends.
public struct OutboxWorker: Service {
    let outbox: any OutboxRepository
    let handlers: [String: any OutboxHandler]
    let pollInterval: Double
    let lease: TimeInterval
    let concurrency: Int
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        outbox: any OutboxRepository, handlers: [any OutboxHandler], pollInterval: Double = 1, lease: TimeInterval = 600, concurrency: Int = 4,
        logger: Logger, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.outbox = outbox
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { first, _ in first })
        self.pollInterval = pollInterval
        self.lease = lease
        self.concurrency = concurrency
        self.logger = logger
        self.now = now
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let worked: Int
                do {
                    worked = try await runOnce()
                } catch {
                    logger.warning("outbox: could not claim jobs; trying again shortly", metadata: ["error": "\(error)"])
                    worked = 0
                }
                // Shutdown cancels the sleep; that ends the loop, it is no error.
                if worked == 0 { try? await Task.sleep(for: .milliseconds(Int(pollInterval * 1000))) }
            }
        }
    }

    /// Claims the jobs due now and delivers them; how many it handled. Tests call this to step the outbox.
    @discardableResult
    public func runOnce() async throws -> Int {
        let jobs = try await outbox.claim(limit: concurrency * 4, lease: lease, now: now())
        guard !jobs.isEmpty else { return 0 }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for job in jobs {
                if running == concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await self.deliver(job) }
                running += 1
            }
        }
        return jobs.count
    }

    private func deliver(_ job: OutboxJob) async {
        guard let handler = handlers[job.kind] else {
            _ = try? await outbox.complete(job, .failed("No handler for outbox jobs of kind '\(job.kind)'."), now: now())
            return
        }
        do {
            try await handler.handle(job)
        } catch {
            logger.error("outbox: delivery failed unexpectedly; the job comes back when its lease ends",
                         metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "error": "\(error)"])
        }
    }
}
