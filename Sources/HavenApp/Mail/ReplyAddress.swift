import Crypto
import Foundation
import HavenCore

/// Signed plus-addresses: `support+t1234.5f2a9c01b7e4@haven.example` names ticket 1234, and only Haven can
/// make one, because the tag carries an HMAC-SHA256 of the ticket number under the installation's key.
/// Mail to a forged or mistyped tag is not threaded by it (it may still thread by Message-ID or become new).
public struct ReplyAddress: Sendable {
    let key: [UInt8]

    public init(key: String) {
        self.key = Array(key.utf8)
    }

    /// The tag for ticket `number`: `t<number>.<12 hex digits>`.
    public func tag(forTicket number: Int) -> String {
        "t\(number).\(signature(number))"
    }

    /// `local+tag@domain` for a base address `local@domain`.
    public func address(forTicket number: Int, base: String) -> String {
        guard let at = base.lastIndex(of: "@") else { return base }
        return base[..<at] + "+" + tag(forTicket: number) + base[at...]
    }

    /// The ticket number an address's tag names, if the tag is Haven's and intact.
    public func ticketNumber(in address: String) -> Int? {
        guard let at = address.lastIndex(of: "@"), let plus = address[..<at].firstIndex(of: "+") else { return nil }
        let tag = address[address.index(after: plus)..<at].lowercased()
        guard tag.hasPrefix("t"), let dot = tag.firstIndex(of: "."), let number = Int(tag[tag.index(after: tag.startIndex)..<dot]), number > 0 else { return nil }
        let given = Array(tag[tag.index(after: dot)...].utf8)
        let expected = Array(signature(number).utf8)
        // Constant-time comparison: the time taken says nothing about how much of a forged tag was right.
        guard given.count == expected.count else { return nil }
        return zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0 ? number : nil
    }

    func signature(_ number: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("ticket:\(number)".utf8), using: SymmetricKey(data: key))
        return Hex.lowercase(mac.prefix(6))
    }
}
