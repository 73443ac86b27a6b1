import Foundation
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

    /// Checks a password against a hash of nothing anyone types: an unknown email costs as long as a wrong password,
    /// so timing does not tell who has an account.
    public static func spendVerifyTime(_ password: String) async throws {
        _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: decoy) }
    }

    /// Made once, on the thread pool, the first time an unknown email signs in.
    private static let decoy = Bcrypt.hash(UUID().uuidString, cost: cost)
}
