import Crypto
import Foundation
import HavenCore

/// Attachment bytes, stored once per content under `<data dir>/attachments/ab/cd/<sha256>`.
///
/// The same screenshot sent ten times is one file. A file is written to a temporary name, fsynced and
/// renamed into place before its row is committed, so a committed attachment always has its bytes.
public struct AttachmentStore: Sendable {
    public let root: String
    public let maxBytes: Int

    public init(root: String, maxBytes: Int) {
        self.root = root
        self.maxBytes = maxBytes
    }

    /// Stores the bytes and returns their SHA-256 (hex).
    public func put(_ bytes: [UInt8]) throws -> String {
        let digest = Self.sha256(bytes)
        let path = self.path(for: digest)
        let manager = FileManager.default
        if manager.fileExists(atPath: path) { return digest }
        let folder = (path as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.incoming-" + UUID().uuidString
        guard manager.createFile(atPath: temporary, contents: nil) else { throw CocoaError(.fileWriteUnknown) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        do {
            try handle.write(contentsOf: Data(bytes))
            try handle.synchronize()
            try handle.close()
            if rename(temporary, path) != 0 { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw error
        }
        return digest
    }

    /// The bytes' SHA-256 in lowercase hex: the name they are stored under.
    public static func sha256(_ bytes: [UInt8]) -> String {
        Hex.lowercase(SHA256.hash(data: bytes))
    }

    public func read(_ sha256: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(for: sha256)))
    }

    func path(for sha256: String) -> String {
        let chars = Array(sha256)
        return "\(root)/\(String(chars[0..<2]))/\(String(chars[2..<4]))/\(sha256)"
    }
}
