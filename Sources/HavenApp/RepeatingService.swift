import Logging
import ServiceLifecycle

/// A background round every node runs at an interval (topic learning, key pruning, push offers, the SLA watch): a
/// round that fails is logged and simply runs again at the next interval; graceful shutdown stops it.
struct RepeatingService: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let round: @Sendable () async throws -> Void

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await round()
                } catch {
                    logger.warning("\(name) failed; trying again shortly", metadata: ["error": "\(error)"])
                }
                // Shutdown cancels the sleep: the loop then ends, and the service with it, without an error.
                try? await Task.sleep(for: interval)
            }
        }
    }
}
