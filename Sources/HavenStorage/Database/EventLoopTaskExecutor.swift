import NIOCore

/// Runs a task's code on one NIO event loop (SE-0417's task executor preference).
///
/// Why: SQLite's writer connection completes every statement on its own event loop, and an `await` on it
/// resumes the writing task on Swift's shared cooperative threads, two on this hardware. Under a thousand
/// open chats each resumption waited its turn behind the connections' tasks, so a batch's dozen statements
/// took 70–220 ms whatever its size. A group commit's batch run as a task preferring this executor resumes between
/// its statements on the writer's loop itself (`GroupCommit.perform`): nothing to wait for but the database.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A job of a task that prefers this executor must run as on a task executor, not as on an actor's serial one.
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
