import HummingbirdBcrypt
import NIOPosix

/// bcrypt, run on the thread pool: hashing takes tens of milliseconds of CPU and must not hold an event loop.
public enum Passwords {
    public static let cost: UInt8 = 11
    public static let minimumLength = 10

    public static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public static func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
