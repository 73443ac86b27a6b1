import _CryptoExtras
import Crypto
import Foundation

/// DKIM signatures (RFC 6376) with RSA-SHA256 and relaxed/relaxed canonicalization, so receivers can check the
/// mail really comes from the sending domain. The public key goes in DNS at `<selector>._domainkey.<domain>`.
public struct DKIMSigner: Sendable {
    public let domain: String
    public let selector: String
    private let key: _RSA.Signing.PrivateKey
    /// The header fields signed, when present (From is required by the RFC; the rest keep threading and content intact).
    static let signedFields = [
        "from", "to", "cc", "reply-to", "subject", "date", "message-id", "in-reply-to", "references", "mime-version", "content-type",
        "auto-submitted",
    ]

    /// `privateKeyPEM`: an RSA key of 1,024 bits or more (2,048 recommended), PKCS#1 or PKCS#8 PEM.
    public init(domain: String, selector: String, privateKeyPEM: String) throws(ConfigurationError) {
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM)
        } catch {
            throw ConfigurationError("The DKIM key is not an RSA private key in PEM (of 2,048 bits or more): \(error). Make one with: openssl genrsa -out dkim.pem 2048")
        }
        guard !domain.isEmpty, !selector.isEmpty, selector.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
            throw ConfigurationError("DKIM needs a domain and a selector made of letters, digits, '-' and '.'.")
        }
        self.domain = domain
        self.selector = selector
    }

    /// The message with a `DKIM-Signature` header field in front.
    public func sign(_ message: [UInt8], at time: Date = Date()) throws -> [UInt8] {
        let (fields, body) = Self.split(message)
        let bodyHash = Data(SHA256.hash(data: Self.relaxedBody(body))).base64EncodedString()
        // Each name once per occurrence, bottom-up as RFC 6376 §5.4.2 says; only fields that are there.
        let present = fields.map { $0.name.lowercased() }
        let names = Self.signedFields.flatMap { name in Array(repeating: name, count: present.filter { $0 == name }.count) }
        var header = "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=\(domain); s=\(selector);\r\n"
            + "\tt=\(Int(time.timeIntervalSince1970)); h=\(names.joined(separator: ":"));\r\n\tbh=\(bodyHash);\r\n\tb="
        var signed: [UInt8] = []
        var used: [String: Int] = [:]
        for name in names {
            let matching = fields.filter { $0.name.lowercased() == name }
            let index = matching.count - 1 - used[name, default: 0]
            used[name, default: 0] += 1
            signed += Self.relaxedHeader(matching[index].raw)
        }
        // The signature field itself, with an empty b= and without its final CRLF.
        signed += Self.relaxedHeader(Array(header.utf8)).dropLast(2)
        let signature = try key.signature(for: signed, padding: .insecurePKCS1v1_5).rawRepresentation.base64EncodedString()
        header += Self.fold(signature) + "\r\n"
        return Array(header.utf8) + message
    }

    /// Base64 folded in lines of 72, continuation lines starting with a tab.
    static func fold(_ value: String) -> String {
        var lines: [Substring] = []
        var rest = value[...]
        while !rest.isEmpty {
            lines.append(rest.prefix(72))
            rest = rest.dropFirst(72)
        }
        return lines.joined(separator: "\r\n\t")
    }

    struct Field {
        var name: String
        /// The whole field as written, continuation lines and final CRLF included.
        var raw: [UInt8]
    }

    static func split(_ message: [UInt8]) -> (fields: [Field], body: ArraySlice<UInt8>) {
        var fields: [Field] = []
        var index = 0
        while index < message.count {
            var end = index
            // A field runs to a CRLF not followed by a space or tab.
            while end < message.count {
                guard let newline = message[end...].firstIndex(of: 0x0A) else { end = message.count; break }
                end = newline + 1
                if end >= message.count || (message[end] != 0x20 && message[end] != 0x09) { break }
            }
            let raw = Array(message[index..<end])
            if raw == [0x0D, 0x0A] || raw == [0x0A] { return (fields, message[end...]) }
            let name = String(decoding: raw.prefix { $0 != UInt8(ascii: ":") }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            fields.append(Field(name: name, raw: raw))
            index = end
        }
        return (fields, [])
    }

    /// RFC 6376 §3.4.2: lower-case name, unfolded, runs of white space as one space, none around the colon or at the end.
    static func relaxedHeader(_ raw: [UInt8]) -> [UInt8] {
        guard let colon = raw.firstIndex(of: UInt8(ascii: ":")) else { return raw }
        let name = String(decoding: raw[..<colon], as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        var value: [UInt8] = []
        var pendingSpace = false
        for byte in raw[(colon + 1)...] where byte != 0x0D && byte != 0x0A {
            if byte == 0x20 || byte == 0x09 { pendingSpace = !value.isEmpty; continue }
            if pendingSpace { value.append(0x20); pendingSpace = false }
            value.append(byte)
        }
        return Array(name.utf8) + [UInt8(ascii: ":")] + value + [0x0D, 0x0A]
    }

    /// RFC 6376 §3.4.4: runs of white space as one space, none at line ends, no empty lines at the end.
    static func relaxedBody(_ body: ArraySlice<UInt8>) -> [UInt8] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var pendingSpace = false
        func finish() {
            lines.append(line)
            line = []
            pendingSpace = false
        }
        for byte in body {
            switch byte {
            case 0x0A: finish()
            case 0x0D: continue
            case 0x20, 0x09: pendingSpace = true
            default:
                if pendingSpace { line.append(0x20); pendingSpace = false }
                line.append(byte)
            }
        }
        if !line.isEmpty { finish() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines.flatMap { $0 + [0x0D, 0x0A] }
    }
}
