import Crypto
import Foundation
import HavenApp
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// Signs identities the way an app's backend would, with swift-crypto directly (not Haven's JWT library), so the
/// tests check that Haven accepts standard JWTs rather than its own library's output.
enum Identity {
    static func base64url(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func claims(app: String, user: String, expiresIn: TimeInterval = 3600, extra: [String: Any] = [:]) -> [String: Any] {
        let now = Date().timeIntervalSince1970
        var claims: [String: Any] = ["iss": app, "sub": user, "iat": Int(now), "exp": Int(now + expiresIn), "name": "Ana", "locale": "pt-BR",
                                     "market": "BR", "kind": "creator", "tier": "gold"]
        claims.merge(extra) { $1 }
        return claims
    }

    static func unsigned(_ claims: [String: Any], alg: String) -> String {
        let header = try! JSONSerialization.data(withJSONObject: ["alg": alg, "typ": "JWT"])
        let payload = try! JSONSerialization.data(withJSONObject: claims)
        return base64url(header) + "." + base64url(payload)
    }

    static func hs256(_ claims: [String: Any], secret: String) -> String {
        let input = unsigned(claims, alg: "HS256")
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return input + "." + base64url(Data(mac))
    }

    static func es256(_ claims: [String: Any], key: P256.Signing.PrivateKey) throws -> String {
        let input = unsigned(claims, alg: "ES256")
        return input + "." + base64url(try key.signature(for: Data(input.utf8)).rawRepresentation)
    }
}

struct AppUser {
    var token: String
    var header: HTTPFields { [.authorization: "Bearer \(token)", .contentType: "application/json"] }
    func with(_ name: HTTPField.Name, _ value: String) -> HTTPFields {
        var headers = header
        headers[name] = value
        return headers
    }
}

extension TestClientProtocol {
    /// Registers an app as the admin and returns its secret.
    func registerApp(_ app: TestApp, _ slug: String = "android", extra: [String: Any] = [:]) async throws -> String {
        var body: [String: Any] = ["app_id": slug, "name": "Android app"]
        body.merge(extra) { $1 }
        return try await execute(uri: "/api/v1/apps", method: .post, headers: app.admin.header, body: json(body)) { response in
            #expect(response.status == .created, "\(String(buffer: response.body))")
            return try #require(try object(response)["secret"] as? String)
        }
    }

    func createRequest(_ user: AppUser, _ body: [String: Any], key: String? = nil) async throws -> [String: Any] {
        var headers = user.header
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await execute(uri: "/api/v1/app/requests", method: .post, headers: headers, body: json(body)) { response in
            #expect(response.status == .created, "\(String(buffer: response.body))")
            return try object(response)
        }
    }
}

func requestBody(_ text: String = "I can't log in after changing phones", category: String = "account_access", extra: [String: Any] = [:]) -> [String: Any] {
    var body: [String: Any] = [
        "category": category, "description": text,
        "device": ["os": "Android 14", "app_version": "34.1.2", "model": "Pixel 8", "network": "wifi", "region": "BR"],
        "content": ["video_id": "7301", "reported_user_id": "u-99"],
    ]
    body.merge(extra) { $1 }
    return body
}

/// The smallest real PNG (1×1), and a Windows program's first bytes.
let tinyPNG: [UInt8] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
]
let windowsProgram: [UInt8] = Array("MZ\u{90}\u{0}\u{3}\u{0}\u{0}\u{0}This program cannot be run in DOS mode".utf8)
