import Foundation

/// What a socket's loop waits on: the client's text frames, the client going away, wake-ups from a hub, and a tick.
enum SocketEvent<Wake: Sendable>: Sendable {
    case frame(String)
    case closed
    case wake(Wake)
    case tick
}

/// One stream of everything a socket's connection reacts to, so its state lives in one loop and needs no lock.
/// The chat's and the workspace's connections both run on it.
struct SocketEvents<Wake: Sendable>: Sendable {
    let stream: AsyncStream<SocketEvent<Wake>>
    private let continuation: AsyncStream<SocketEvent<Wake>>.Continuation
    private let tasks: [Task<Void, Never>]

    init<Inbound: AsyncSequence & Sendable>(inbound: Inbound, tick: Duration) where Inbound.Element == String {
        let (stream, continuation) = AsyncStream<SocketEvent<Wake>>.makeStream()
        self.stream = stream
        self.continuation = continuation
        tasks = [
            Task {
                do { for try await text in inbound { continuation.yield(.frame(text)) } } catch {}
                continuation.yield(.closed)
            },
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    continuation.yield(.tick)
                }
            },
        ]
    }

    func wake(_ wake: Wake) {
        continuation.yield(.wake(wake))
    }

    func finish() {
        for task in tasks { task.cancel() }
        continuation.finish()
    }
}
