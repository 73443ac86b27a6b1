import Foundation

/// A message's or part's header fields in order, unfolded, as text (RFC 6532 UTF-8 allowed; other 8-bit
/// bytes read as Windows-1252 so a raw legacy header stays readable).
public struct MailHeaders: Sendable, Equatable {
    public struct Field: Sendable, Equatable {
        public var name: String
        /// The unfolded value, encoded words not yet decoded.
        public var raw: String
    }

    public var fields: [Field] = []

    public init(fields: [Field] = []) { self.fields = fields }

    /// The first field named `name` (case-insensitive), raw.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.lowercased() == lowered }?.raw
    }

    public func all(_ name: String) -> [String] {
        let lowered = name.lowercased()
        return fields.filter { $0.name.lowercased() == lowered }.map(\.raw)
    }

    /// The first field named `name`, with RFC 2047 encoded words decoded and whitespace collapsed.
    public func text(_ name: String) -> String? {
        self[name].map { EncodedWords.decode($0).collapsingWhitespace() }
    }

    /// Parses a header block. Lines that are neither a field nor a continuation (an mbox "From " line,
    /// garbage) are skipped; a continuation with no field before it is dropped.
    static func parse(_ bytes: ArraySlice<UInt8>, maxFields: Int = 1_000) -> MailHeaders {
        var headers = MailHeaders()
        for line in Bytes.lines(bytes) {
            if line.isEmpty { continue }
            if line.first == 0x20 || line.first == 0x09 {
                guard !headers.fields.isEmpty else { continue }
                headers.fields[headers.fields.count - 1].raw += " " + Bytes.headerText(line).trimmed()
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else { continue }
            let name = Bytes.headerText(line[line.startIndex..<colon]).trimmed()
            guard !name.isEmpty, !name.utf8.contains(0x20) else { continue }
            guard headers.fields.count < maxFields else { break }
            headers.fields.append(Field(name: name, raw: Bytes.headerText(line[(colon + 1)...]).trimmed()))
        }
        return headers
    }
}

/// A header value with parameters: Content-Type and Content-Disposition.
public struct HeaderValue: Sendable, Equatable {
    /// The value before the first ";", lower-cased ("text/plain", "attachment").
    public var value: String
    /// Parameter names lower-cased; RFC 2231 continuations joined and charsets decoded, RFC 2047 decoded too
    /// (not standard in parameters, but what Outlook and Gmail send).
    public var parameters: [String: String]

    public init(value: String, parameters: [String: String] = [:]) {
        self.value = value
        self.parameters = parameters
    }

    public init(parsing raw: String) {
        let parts = HeaderValue.splitParameters(raw)
        value = (parts.first ?? "").trimmed().lowercased()
        var plain: [String: String] = [:]
        var extended: [String: [(index: Int, encoded: Bool, value: String)]] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            var name = part[..<equals].trimmed().lowercased()
            var value = part[part.index(after: equals)...].trimmed()
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = HeaderValue.unquote(String(value.dropFirst().dropLast()))
            } else if value.hasPrefix("\"") {
                value = HeaderValue.unquote(String(value.dropFirst()))  // unterminated quote: take the rest
            }
            // RFC 2231: name*=charset'lang'%XX..., name*0=..., name*1*=...
            let encoded = name.hasSuffix("*")
            if encoded { name.removeLast() }
            if let star = name.firstIndex(of: "*"), let index = Int(name[name.index(after: star)...]) {
                extended[String(name[..<star]), default: []].append((index, encoded, value))
            } else if encoded {
                extended[name, default: []].append((0, true, value))
            } else if plain[name] == nil {
                plain[name] = value
            }
        }
        for (name, pieces) in extended {
            let sorted = pieces.sorted { $0.index < $1.index }
            var bytes: [UInt8] = []
            var charset: String?
            for (position, piece) in sorted.enumerated() {
                var text = Substring(piece.value)
                if piece.encoded, position == 0 {
                    let quote = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                    if quote.count == 3 {
                        charset = quote[0].isEmpty ? nil : String(quote[0])
                        text = quote[2]
                    }
                }
                bytes += piece.encoded ? HeaderValue.percentDecode(text) : Array(text.utf8)
            }
            plain[name] = Charset.decode(bytes, label: charset ?? "utf-8")
        }
        parameters = plain.mapValues { EncodedWords.decode($0) }
    }

    /// Splits on ";" outside quoted strings and comments.
    static func splitParameters(_ raw: String) -> [String] {
        var parts: [String] = [], current = "", inQuotes = false, depth = 0, escaped = false
        for char in raw {
            if escaped { current.append(char); escaped = false; continue }
            switch char {
            case "\\" where inQuotes: escaped = true; current.append(char)
            case "\"" where depth == 0: inQuotes.toggle(); current.append(char)
            case "(" where !inQuotes: depth += 1
            case ")" where !inQuotes && depth > 0: depth -= 1
            case ";" where !inQuotes && depth == 0: parts.append(current); current = ""
            default: if depth == 0 { current.append(char) }
            }
        }
        parts.append(current)
        return parts
    }

    static func unquote(_ text: String) -> String {
        guard text.containsUTF8("\\") else { return text }
        var result = "", escaped = false
        for char in text {
            if escaped { result.append(char); escaped = false } else if char == "\\" { escaped = true } else { result.append(char) }
        }
        return result
    }

    static func percentDecode(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        var output: [UInt8] = [], index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = TransferEncoding.hexValue(bytes[index + 1]), let low = TransferEncoding.hexValue(bytes[index + 2]) {
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return output
    }
}

/// RFC 2047 encoded words: `=?charset?B|Q?text?=`.
public enum EncodedWords {
    /// Decodes every well-formed encoded word; whitespace between two encoded words is dropped and adjacent words in
    /// the same charset are decoded together (a multi-byte character may be split across them). A malformed word
    /// is left as it is, readable.
    public static func decode(_ text: String) -> String {
        guard text.containsUTF8("=?") else { return text }
        var output = ""
        var pending: (charset: String, bytes: [UInt8])?
        var pendingSpace = ""
        var rest = Substring(text)
        func flush() {
            if let word = pending { output += Charset.decode(word.bytes, label: word.charset) }
            pending = nil
        }
        while !rest.isEmpty {
            if rest.hasPrefix("=?"), let word = parseWord(rest) {
                if let current = pending, current.charset.lowercased() == word.charset.lowercased() {
                    pending!.bytes += word.bytes
                } else {
                    flush()
                    pending = (word.charset, word.bytes)
                }
                pendingSpace = ""
                rest = rest[word.end...]
                continue
            }
            let char = rest.first!
            if char == " " || char == "\t" || char == "\r" || char == "\n", pending != nil {
                pendingSpace.append(char)
                rest = rest.dropFirst()
                continue
            }
            flush()
            output += pendingSpace
            pendingSpace = ""
            output.append(char)
            rest = rest.dropFirst()
        }
        flush()
        output += pendingSpace
        return output
    }

    static func parseWord(_ text: Substring) -> (charset: String, bytes: [UInt8], end: Substring.Index)? {
        // =?charset?encoding?encoded-text?=  (encoded text has no spaces and no "?")
        let afterStart = text.index(text.startIndex, offsetBy: 2)
        guard let q1 = text[afterStart...].prefix(80).firstIndex(of: "?") else { return nil }
        let charset = String(text[afterStart..<q1])
        guard !charset.isEmpty, !charset.utf8.contains(0x20) else { return nil }
        let encodingIndex = text.index(after: q1)
        guard encodingIndex < text.endIndex else { return nil }
        let encoding = text[encodingIndex]
        let q2 = text.index(after: encodingIndex)
        guard q2 < text.endIndex, text[q2] == "?" else { return nil }
        let payloadStart = text.index(after: q2)
        // Bounded: a header full of "=?" must not make this quadratic.
        let window = text.utf8[payloadStart...].prefix(4_096)
        var search = window.startIndex
        var endIndex: String.Index?
        while let question = window[search...].firstIndex(of: UInt8(ascii: "?")) {
            let next = window.index(after: question)
            if next < window.endIndex, window[next] == UInt8(ascii: "=") { endIndex = question; break }
            search = next
        }
        guard let endIndex else { return nil }
        let end = endIndex..<text.utf8.index(endIndex, offsetBy: 2)
        let payload = text[payloadStart..<end.lowerBound]
        guard !payload.utf8.contains(0x20) else { return nil }
        let bytes: [UInt8]
        switch encoding {
        case "B", "b":
            // Only the base64 alphabet: anything else means this is not really an encoded word; leave it readable.
            guard payload.utf8.allSatisfy({ TransferEncoding.base64Values[Int($0)] != 0xFF && $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") || $0 == UInt8(ascii: "=") }) else { return nil }
            bytes = TransferEncoding.base64(payload.utf8)
        case "Q", "q": bytes = TransferEncoding.quotedPrintable(payload.utf8, underscoreIsSpace: true)
        default: return nil
        }
        return (charset, bytes, end.upperBound)
    }
}

extension StringProtocol {
    /// Byte-level substring test: Foundation's `contains` goes through NSString and is slow on hot paths.
    func containsUTF8(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let bytes = utf8
        var index = bytes.startIndex
        while let found = bytes[index...].firstIndex(of: first) {
            if bytes[found...].starts(with: pattern) { return true }
            index = bytes.index(after: found)
        }
        return false
    }

    func trimmed() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(self[first..<scalars.index(after: last)])
    }

    func collapsingWhitespace() -> String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

enum Bytes {
    /// Lines split on LF with a trailing CR removed.
    static func lines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                var end = index
                if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                lines.append(bytes[start..<end])
                start = index + 1
            }
            index += 1
        }
        if start < bytes.endIndex {
            var end = bytes.endIndex
            if bytes[end - 1] == 0x0D { end -= 1 }
            lines.append(bytes[start..<end])
        }
        return lines
    }

    static func headerText(_ bytes: ArraySlice<UInt8>) -> String {
        String(validating: bytes, as: UTF8.self) ?? Charset.windows1252.decode(Array(bytes))
    }

    /// Where the header block ends and the body begins: after the first empty line (CRLF CRLF or LF LF).
    static func splitHeaderAndBody(_ bytes: ArraySlice<UInt8>) -> (header: ArraySlice<UInt8>, body: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        // A part that starts with an empty line has no headers.
        if bytes.starts(with: [0x0D, 0x0A]) { return (bytes[index..<index], bytes[(index + 2)...]) }
        if bytes.first == 0x0A { return (bytes[index..<index], bytes[(index + 1)...]) }
        while index < bytes.endIndex {
            if bytes[index] == 0x0A {
                let next = index + 1
                if next < bytes.endIndex, bytes[next] == 0x0A { return (bytes[..<index], bytes[(next + 1)...]) }
                if next + 1 < bytes.endIndex, bytes[next] == 0x0D, bytes[next + 1] == 0x0A { return (bytes[..<index], bytes[(next + 2)...]) }
            }
            index += 1
        }
        return (bytes, bytes[bytes.endIndex...])
    }
}
