@testable import HavenStorage
import NIOPosix
import Synchronization
import Testing

struct Poison: Error, Equatable {}

/// Records the batches `GroupCommit` hands its work, so tests can see how requests were grouped.
final class BatchLog: Sendable {
    let batches = Mutex<[[Int]]>([])
    func record(_ batch: [Int]) { batches.withLock { $0.append(batch) } }
}

@Suite struct GroupCommitTests {
    @Test func concurrentRequestsShareBatchesAndEachGetsItsOwnAnswer() async throws {
        let log = BatchLog()
        let commit = GroupCommit<Int, Int>(maxBatch: 8) { batch in
            log.record(batch)
            try await Task.sleep(for: .milliseconds(5))  // a write that takes time lets the next batch gather
            return batch.map { .success($0 * 10) }
        }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for request in 0..<100 { group.addTask { (request, try await commit.submit(request)) } }
            return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 100)
        #expect(answers.allSatisfy { $0.value == $0.key * 10 })
        let batches = log.batches.withLock { $0 }
        #expect(batches.flatMap { $0 }.sorted() == Array(0..<100))
        #expect(batches.allSatisfy { $0.count <= 8 })
        #expect(batches.contains { $0.count > 1 }, "100 concurrent requests were written one by one: \(batches.map(\.count))")
    }

    @Test func batchesRunOnTheWritersEventLoopWhenGivenItsExecutor() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let commit = GroupCommit<Int, Bool>(maxBatch: 4, executor: EventLoopTaskExecutor(loop)) { batch in
            let before = loop.inEventLoop
            try await Task.sleep(for: .milliseconds(1))  // and after an await: resumed there, not on the shared threads
            return batch.map { _ in .success(before && loop.inEventLoop) }
        }
        let onLoop = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            for request in 0..<20 { tasks.addTask { try await commit.submit(request) } }
            return try await tasks.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(onLoop == Array(repeating: true, count: 20))
        try await group.shutdownGracefully()
    }

    @Test func aRequestThatBreaksItsBatchFailsAloneAndTheOthersAreWritten() async throws {
        let log = BatchLog()
        let commit = GroupCommit<Int, Int>(maxBatch: 16) { batch in
            log.record(batch)
            if batch.contains(13) { throw Poison() }
            try await Task.sleep(for: .milliseconds(2))
            return batch.map { .success($0) }
        }
        let results = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for request in 0..<40 {
                group.addTask {
                    do { return (request, .success(try await commit.submit(request))) } catch { return (request, .failure(error)) }
                }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        for (request, result) in results {
            if request == 13 {
                #expect(throws: Poison.self) { try result.get() }
            } else {
                #expect(try result.get() == request)
            }
        }
        // The poisoned request was finally tried alone.
        #expect(log.batches.withLock { $0 }.contains([13]))
    }

    @Test func aRefusedRequestDoesNotFailItsBatch() async throws {
        let commit = GroupCommit<Int, Int>(maxBatch: 16) { batch in
            batch.map { $0.isMultiple(of: 3) ? .failure(Poison()) : .success($0) }
        }
        await withTaskGroup(of: Void.self) { group in
            for request in 0..<30 {
                group.addTask {
                    let result = await Result { try await commit.submit(request) }
                    #expect(result.isSuccess == !request.isMultiple(of: 3))
                }
            }
        }
    }
}

extension Result {
    init(catching body: () async throws(Failure) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
    var isSuccess: Bool { if case .success = self { true } else { false } }
}
