/// One node of a parsed message: a leaf with its decoded body, a multipart with its parts, or an embedded
/// message (message/rfc822) with the message as its only part.
public struct MIMEPart: Sendable {
    public var headers: MailHeaders
    /// Content-Type, defaulting to text/plain (or message/rfc822 inside multipart/digest), RFC 2045 §5.2.
    public var contentType: HeaderValue
    public var disposition: HeaderValue?
    /// The body with its transfer encoding removed (leaves only).
    public var body: [UInt8]
    public var parts: [MIMEPart]

    public var mediaType: String { contentType.value }
    public var isMultipart: Bool { mediaType.hasPrefix("multipart/") }
    public var charset: String? { contentType.parameters["charset"] }
    public var contentID: String? { headers["Content-ID"].flatMap { AddressParser.messageIDs($0).first } }

    /// The file name from Content-Disposition, else Content-Type's `name`.
    public var filename: String? {
        let name = disposition?.parameters["filename"] ?? contentType.parameters["name"]
        return name.map { $0.trimmed() }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The body as text in its declared charset (with fallback).
    public var text: String { Charset.decode(body, label: charset) }
}

/// Parses RFC 5322 / MIME messages. Never throws and never traps: malformed structure degrades to something
/// readable (a missing boundary makes the body one text part, a truncated part keeps what is there). Work is
/// linear in the input, and nesting and part counts are bounded, so no input can hang it or exhaust memory.
public struct MIMEParser: Sendable {
    public var maxDepth = 16
    public var maxParts = 500

    public init() {}

    public func parse(_ bytes: [UInt8]) -> MIMEPart {
        var budget = maxParts
        return parsePart(bytes[...], depth: 0, parentType: nil, budget: &budget)
    }

    func parsePart(_ bytes: ArraySlice<UInt8>, depth: Int, parentType: String?, budget: inout Int) -> MIMEPart {
        budget -= 1
        let (headerBytes, bodyBytes) = Bytes.splitHeaderAndBody(bytes)
        let headers = MailHeaders.parse(headerBytes)
        let defaultType = parentType == "multipart/digest" ? "message/rfc822" : "text/plain"
        var contentType = headers["Content-Type"].map(HeaderValue.init(parsing:)) ?? HeaderValue(value: defaultType)
        if !contentType.value.utf8.contains(UInt8(ascii: "/")) { contentType = HeaderValue(value: "text/plain", parameters: contentType.parameters) }
        var part = MIMEPart(
            headers: headers, contentType: contentType, disposition: headers["Content-Disposition"].map(HeaderValue.init(parsing:)),
            body: [], parts: [])
        let encoding = headers["Content-Transfer-Encoding"]

        if contentType.value.hasPrefix("multipart/"), depth < maxDepth, budget > 0,
            let boundary = contentType.parameters["boundary"], !boundary.isEmpty,
            let bodies = Self.split(bodyBytes, boundary: Array(boundary.utf8)), !bodies.isEmpty {
            for body in bodies where budget > 0 {
                part.parts.append(parsePart(body, depth: depth + 1, parentType: contentType.value, budget: &budget))
            }
            return part
        }
        if contentType.value.hasPrefix("multipart/") {
            // No usable boundary: show the body as text rather than lose it.
            part.contentType = HeaderValue(value: "text/plain", parameters: [:])
        }
        let decoded = TransferEncoding.decode(bodyBytes, encoding: encoding)
        if contentType.value == "message/rfc822" || contentType.value == "message/global", depth < maxDepth, budget > 0 {
            part.parts = [parsePart(decoded[...], depth: depth + 1, parentType: nil, budget: &budget)]
        }
        part.body = decoded
        return part
    }

    /// The bodies between `--boundary` delimiter lines; nil when the boundary never occurs. A missing close
    /// delimiter ends the last part at the end of the input (truncated mail).
    static func split(_ bytes: ArraySlice<UInt8>, boundary: [UInt8]) -> [ArraySlice<UInt8>]? {
        let delimiter: [UInt8] = [0x2D, 0x2D] + boundary
        var bodies: [ArraySlice<UInt8>] = []
        var partStart: Int?
        var lineStart = bytes.startIndex
        while lineStart < bytes.endIndex {
            let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let line = bytes[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                let rest = line.dropFirst(delimiter.count)
                let isClose = rest.starts(with: [0x2D, 0x2D])
                // A delimiter line may only be followed by whitespace (RFC 2046 §5.1.1); a longer boundary that
                // merely starts like ours is not ours.
                let tail = isClose ? rest.dropFirst(2) : rest
                if tail.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                    if let start = partStart {
                        // The CRLF before the delimiter belongs to the delimiter.
                        var end = lineStart
                        if end > start, bytes[end - 1] == 0x0A { end -= 1 }
                        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
                        bodies.append(bytes[start..<max(start, end)])
                    }
                    if isClose { return bodies }
                    partStart = min(lineEnd + 1, bytes.endIndex)
                }
            }
            lineStart = lineEnd + 1
        }
        guard let start = partStart else { return nil }
        if start < bytes.endIndex { bodies.append(bytes[start...]) }
        return bodies
    }
}
