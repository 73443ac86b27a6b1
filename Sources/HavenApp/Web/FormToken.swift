import Crypto
import Foundation

/// The contact form's anti-forgery and anti-bot token: a random nonce and the time the form was shown, signed with
/// the installation's form key. The nonce is also set in a SameSite=Strict cookie (double submit): a page on
/// another site can neither read the cookie nor forge the signature. The time refuses forms sent faster than a
/// person types, and forms left open for a day.
struct FormToken: Equatable {
    var nonce: String
    var issuedAt: Date

    static let minimumAge: TimeInterval = 3
    static let maximumAge: TimeInterval = 24 * 3600

    enum Problem: Error, Equatable {
        /// Missing, malformed, forged, or not matching the cookie.
        case invalid
        case tooFast
        case expired
    }

    static func issue(key: String, at now: Date) -> (token: String, nonce: String) {
        let nonce = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let payload = "\(nonce).\(Int(now.timeIntervalSince1970))"
        return (payload + "." + signature(payload, key: key), nonce)
    }

    /// The token's nonce and time, once its signature and cookie match and its age is right.
    static func check(_ token: String?, cookie: String?, key: String, now: Date) throws(Problem) -> FormToken {
        let parts = (token ?? "").split(separator: ".").map(String.init)
        guard parts.count == 3, let seconds = Int(parts[1]) else { throw .invalid }
        let payload = parts[0] + "." + parts[1]
        // Constant-time comparison of the signature.
        let expected = Array(signature(payload, key: key).utf8), given = Array(parts[2].utf8)
        guard expected.count == given.count, zip(expected, given).reduce(0, { $0 | ($1.0 ^ $1.1) }) == 0 else { throw .invalid }
        guard let cookie, cookie == parts[0] else { throw .invalid }
        let issuedAt = Date(timeIntervalSince1970: TimeInterval(seconds))
        let age = now.timeIntervalSince(issuedAt)
        if age < minimumAge { throw .tooFast }
        if age > maximumAge { throw .expired }
        return FormToken(nonce: parts[0], issuedAt: issuedAt)
    }

    private static func signature(_ payload: String, key: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(("contact-form|" + payload).utf8), using: SymmetricKey(data: Data(key.utf8)))
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
