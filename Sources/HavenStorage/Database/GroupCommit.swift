/// Group commit: requests that arrive while a batch is being written wait, and are written together
/// in the next batch, in one transaction with multi-row statements.
///
/// Why: SQLite has one writer, and a statement through SQLiteNIO costs ~0.3 ms of hops between the
/// event loop and the thread pool, so a ticket written alone (about nine statements) holds the
/// writer for ~3 ms. Written in batches, the statements and the commit's fsync are shared: under
/// load the batch grows by itself, and a lone request is written at once, without waiting for company.
///
/// `work` gets a batch and answers one result per request, in order; a request it can refuse on
/// its own (an unknown queue) gets its failure without failing the others. When `work` throws,
/// the batch's transaction rolled back and each request is run again alone, so one request that
/// breaks a statement fails alone. Every caller is resumed after its batch committed: a success
/// means durably written.
actor GroupCommit<Request: Sendable, Response: Sendable> {
    typealias Work = @Sendable ([Request]) async throws -> [Result<Response, any Error>]

    private var pending: [(request: Request, continuation: CheckedContinuation<Response, any Error>)] = []
    private var draining = false
    private let maxBatch: Int
    private let work: Work
    private let executor: (any TaskExecutor)?

    /// `executor`: where the batches' code runs (`HavenDatabase.writerExecutor`); nil for Swift's shared threads.
    init(maxBatch: Int, executor: (any TaskExecutor)? = nil, work: @escaping Work) {
        precondition(maxBatch > 0)
        self.maxBatch = maxBatch
        self.executor = executor
        self.work = work
    }

    func submit(_ request: Request) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((request, continuation))
            if !draining {
                draining = true
                Task { await self.drain() }
            }
        }
    }

    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maxBatch))
            pending.removeFirst(batch.count)
            let results = await run(batch.map(\.request))
            for (entry, result) in zip(batch, results) { entry.continuation.resume(with: result) }
        }
        draining = false
    }

    /// The batch's code in a task of its own on `executor`; this actor's own code (queueing requests) stays on the
    /// shared threads, where the callers are.
    private func perform(_ requests: [Request]) async throws -> [Result<Response, any Error>] {
        guard let executor else { return try await work(requests) }
        let work = self.work
        return try await Task(executorPreference: executor) { try await work(requests) }.value
    }

    private func run(_ requests: [Request]) async -> [Result<Response, any Error>] {
        do {
            let results = try await perform(requests)
            precondition(results.count == requests.count, "GroupCommit work must answer every request")
            return results
        } catch {
            guard requests.count > 1 else { return [.failure(error)] }
            var results: [Result<Response, any Error>] = []
            for request in requests {
                do { results += try await perform([request]) } catch { results.append(.failure(error)) }
            }
            return results
        }
    }
}
