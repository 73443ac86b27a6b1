import Foundation

/// A mailbox from an address header: `Name <local@domain>`.
public struct MailAddress: Sendable, Equatable, Hashable {
    public var name: String?
    /// As written, except the domain is lower-cased.
    public var address: String

    public init(name: String? = nil, address: String) {
        self.name = name
        self.address = address
    }
}

/// RFC 5322 address lists with what real headers contain: quoted and encoded display names, comments
/// (nested, and used as names), groups (`Team: a@x, b@y;`), obsolete routes, bare addresses, and junk.
public enum AddressParser {
    public static func parse(_ raw: String) -> [MailAddress] {
        var addresses: [MailAddress] = []
        var phrase = ""        // display-name words so far
        var comment = ""       // last comment, a fallback name
        var bare = ""          // an address written without angle brackets
        var inQuotes = false, escaped = false, depth = 0
        var angle: String?     // inside <...>
        var found: String?     // the address inside <...>, once closed

        func finish() {
            let address = found ?? bare.trimmed()
            if let normalized = normalize(address) {
                let name = found != nil ? phrase.trimmed() : ""
                var display = EncodedWords.decode(name.isEmpty ? comment.trimmed() : name).collapsingWhitespace()
                if display.hasPrefix("'"), display.hasSuffix("'"), display.count >= 2 { display = String(display.dropFirst().dropLast()) }
                addresses.append(MailAddress(name: display.isEmpty || display == normalized ? nil : display, address: normalized))
            }
            phrase = ""; comment = ""; bare = ""; found = nil; angle = nil
        }

        for char in raw {
            if escaped {
                if depth > 0 { comment.append(char) } else if angle != nil { angle!.append(char) } else { phrase.append(char) }
                escaped = false
                continue
            }
            if depth > 0 {
                switch char {
                case "(": depth += 1; comment.append(char)
                case ")": depth -= 1; if depth > 0 { comment.append(char) }
                case "\\": escaped = true
                default: comment.append(char)
                }
                continue
            }
            if inQuotes {
                switch char {
                case "\"": inQuotes = false
                case "\\": escaped = true
                default: phrase.append(char)
                }
                continue
            }
            if angle != nil {
                if char == ">" { found = angle; angle = nil } else { angle!.append(char) }
                continue
            }
            switch char {
            case "\"": inQuotes = true
            case "(": depth = 1; comment = ""
            case "<": angle = ""
            case ",", ";": finish()
            case ":":
                // A group's name ends here; its members follow. (Inside a phrase only: "a:b@c" is not a group.)
                if found == nil { phrase = ""; bare = "" }
            default:
                phrase.append(char)
                bare.append(char)
            }
        }
        if let open = angle { found = open }
        finish()
        // An unterminated quote swallowed the rest: read the header again without quotes rather than lose the sender.
        if addresses.isEmpty, inQuotes, raw.contains("\"") { return parse(raw.replacingOccurrences(of: "\"", with: "")) }
        return addresses
    }

    /// `local@domain` trimmed, with an obsolete route (`@a,@b:`) removed and the domain lower-cased; nil if it is
    /// not an address.
    static func normalize(_ raw: String) -> String? {
        var address = raw.trimmed()
        if address.hasPrefix("@"), let colon = address.firstIndex(of: ":") { address = String(address[address.index(after: colon)...]) }
        if address.utf8.contains(0x20) { address = address.replacingOccurrences(of: " ", with: "") }
        guard let at = address.lastIndex(of: "@"), at > address.startIndex, address.index(after: at) < address.endIndex else { return nil }
        let local = address[..<at], domain = address[address.index(after: at)...]
        guard !domain.utf8.contains(UInt8(ascii: "@")), !local.isEmpty, address.count <= 320 else { return nil }
        return local + "@" + domain.lowercased()
    }

    /// Message ids from Message-ID, In-Reply-To or References: the `<...>` tokens, without brackets;
    /// a bare id when there are no brackets at all (some mailers omit them).
    public static func messageIDs(_ raw: String?) -> [String] {
        guard let raw else { return [] }
        var ids: [String] = [], current: String?
        for char in raw {
            if char == "<" { current = "" } else if char == ">" {
                if let id = current?.trimmed(), !id.isEmpty, id.count <= 998 { ids.append(id) }
                current = nil
            } else if current != nil { current!.append(char) }
        }
        if ids.isEmpty {
            ids = raw.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init).filter { $0.utf8.contains(UInt8(ascii: "@")) && $0.count <= 998 }
        }
        return ids
    }
}
