import Foundation

/// A message Haven sends: rendered as RFC 5322 / MIME that Gmail, Outlook and Apple Mail display and thread.
///
/// Text and HTML go as multipart/alternative (UTF-8, quoted-printable), attachments beside them in
/// multipart/mixed (base64, RFC 2231 file names), non-ASCII header text as RFC 2047 encoded words, and the
/// conversation's Message-IDs in In-Reply-To/References so clients thread the reply with what came before.
public struct OutboundMail: Sendable, Equatable {
    public struct Attachment: Sendable, Equatable {
        public var filename: String
        public var contentType: String
        public var data: [UInt8]

        public init(filename: String, contentType: String, data: [UInt8]) {
            self.filename = filename
            self.contentType = contentType
            self.data = data
        }
    }

    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress] = []
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String?
    /// Without angle brackets, in Haven's own domain.
    public var messageID: String
    /// The Message-ID answered, without angle brackets.
    public var inReplyTo: String?
    /// The conversation's Message-IDs, oldest first, without angle brackets.
    public var references: [String] = []
    public var date: Date
    /// Marks mail no person wrote (acknowledgements): `Auto-Submitted: auto-replied` (RFC 3834), so
    /// well-behaved autoresponders do not answer it.
    public var automatic = false
    public var attachments: [Attachment] = []

    public init(from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil, messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.messageID = messageID
        self.date = date
    }

    /// The message's bytes, CRLF line endings. `boundary` is a prefix for the MIME boundaries (random by default).
    public func render(boundary: String = "haven-" + UUID().uuidString.lowercased()) -> [UInt8] {
        var out = MailWriter()
        out.header("Date", MailDate.format(date))
        out.header("From", HeaderEncoding.addresses([from]))
        out.header("To", HeaderEncoding.addresses(to))
        if !cc.isEmpty { out.header("Cc", HeaderEncoding.addresses(cc)) }
        if let replyTo { out.header("Reply-To", HeaderEncoding.addresses([replyTo])) }
        out.header("Subject", HeaderEncoding.text(subject))
        out.header("Message-ID", "<\(messageID)>")
        if let inReplyTo { out.header("In-Reply-To", "<\(inReplyTo)>") }
        if !references.isEmpty { out.header("References", references.map { "<\($0)>" }.joined(separator: " ")) }
        if automatic {
            out.header("Auto-Submitted", "auto-replied")
            // Asks Microsoft Exchange not to answer with its own out-of-office message.
            out.header("X-Auto-Response-Suppress", "All")
        }
        out.header("MIME-Version", "1.0")
        let body = alternative(boundary: boundary + "-alt")
        if attachments.isEmpty {
            out.part(body)
        } else {
            var parts = [body]
            for attachment in attachments { parts.append(Self.attachmentPart(attachment)) }
            out.part(MIMEBody.multipart("mixed", boundary: boundary + "-mixed", parts: parts))
        }
        return out.bytes
    }

    private func alternative(boundary: String) -> MIMEBody {
        let plain = MIMEBody.text(text, subtype: "plain")
        guard let html else { return plain }
        return .multipart("alternative", boundary: boundary, parts: [plain, .text(html, subtype: "html")])
    }

    private static func attachmentPart(_ attachment: Attachment) -> MIMEBody {
        let name = HeaderEncoding.parameter("filename", attachment.filename)
        let type = attachment.contentType.allSatisfy { $0.isASCII && !$0.isNewline && $0 != ";" } ? attachment.contentType : "application/octet-stream"
        return MIMEBody(
            headers: [
                ("Content-Type", "\(type); " + HeaderEncoding.parameter("name", attachment.filename)),
                ("Content-Disposition", "attachment; \(name)"),
                ("Content-Transfer-Encoding", "base64"),
            ],
            body: TransferEncoding.encodeBase64Lines(attachment.data))
    }
}

/// One MIME entity: its headers and its encoded body (already CRLF).
struct MIMEBody {
    var headers: [(String, String)]
    var body: [UInt8]

    static func text(_ text: String, subtype: String) -> MIMEBody {
        MIMEBody(
            headers: [("Content-Type", "text/\(subtype); charset=UTF-8"), ("Content-Transfer-Encoding", "quoted-printable")],
            body: TransferEncoding.encodeQuotedPrintable(Array(text.utf8)))
    }

    static func multipart(_ subtype: String, boundary: String, parts: [MIMEBody]) -> MIMEBody {
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\n".utf8)
            var writer = MailWriter()
            writer.part(part)
            body += writer.bytes
            body += [13, 10]
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return MIMEBody(headers: [("Content-Type", "multipart/\(subtype); boundary=\"\(boundary)\"")], body: body)
    }
}

struct MailWriter {
    var bytes: [UInt8] = []

    /// A header field, folded at spaces so no line passes 78 characters where the value allows it.
    mutating func header(_ name: String, _ value: String) {
        var line = name + ":"
        var length = line.utf8.count
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if length + 1 + word.utf8.count > 78, length > name.utf8.count + 1 {
                line += "\r\n"
                length = 0
            }
            line += " " + word
            length += 1 + word.utf8.count
        }
        bytes += Array((line + "\r\n").utf8)
    }

    mutating func part(_ part: MIMEBody) {
        for (name, value) in part.headers { header(name, value) }
        bytes += [13, 10]
        bytes += part.body
    }
}

/// RFC 2047 and RFC 2231 encoding of header text.
public enum HeaderEncoding {
    /// Plain ASCII text as it is; anything else as UTF-8 base64 encoded words of at most 75 characters,
    /// split between whole characters so no client shows a broken one.
    public static func text(_ text: String) -> String {
        let clean = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return clean }
        var words: [String] = []
        var chunk: [UInt8] = []
        // Words of at most 39 bytes of UTF-8 (52 base64 characters, 64 with the markers), so even the first,
        // after "Subject: ", fits a 78-character line.
        for character in clean {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: " ")
    }

    static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// `Name <address>` pairs; a name with specials is quoted, a non-ASCII one encoded.
    public static func addresses(_ addresses: [MailAddress]) -> String {
        addresses.map { address in
            guard let name = address.name?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return address.address }
            let display: String
            if !name.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
                display = text(name)
            } else if name.contains(where: { "()<>[]:;@\\,.\"".contains($0) }) {
                display = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            } else {
                display = name
            }
            return "\(display) <\(address.address)>"
        }.joined(separator: ", ")
    }

    /// `name="value"`, or RFC 2231 `name*=UTF-8''percent-encoded` for non-ASCII values.
    public static func parameter(_ name: String, _ value: String) -> String {
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return "\(name)=\"\(value)\"" }
        let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8)
        let hex = TransferEncoding.hexDigits
        var encoded: [UInt8] = []
        for byte in value.utf8 {
            if unreserved.contains(byte) { encoded.append(byte) } else { encoded += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] }
        }
        return "\(name)*=UTF-8''\(String(decoding: encoded, as: UTF8.self))"
    }
}

extension TransferEncoding {
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Base64 in lines of 76 characters, each ended by CRLF (RFC 2045).
    static func encodeBase64Lines(_ bytes: [UInt8]) -> [UInt8] {
        guard !bytes.isEmpty else { return [] }
        return Array(Data(bytes).base64EncodedData(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])) + [13, 10]
    }

    /// Quoted-printable (RFC 2045) with CRLF line breaks: lines of at most 76 characters, soft breaks that never
    /// split an escape, trailing spaces and tabs escaped, and a leading "." or "From " escaped so no transport
    /// can mangle them.
    static func encodeQuotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
        let hex = hexDigits
        var out: [UInt8] = []
        var line: [UInt8] = []
        func flush(hard: Bool) {
            out += line
            out += hard ? [13, 10] : [UInt8(ascii: "="), 13, 10]
            line = []
        }
        // Text lines split on LF (a CR before it is dropped: CRLF is written back).
        var lines = bytes.split(separator: 10, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for raw in lines {
            let text = raw.last == 13 ? raw.dropLast() : raw
            for (offset, byte) in text.enumerated() {
                let isLast = offset == text.count - 1
                var token: [UInt8]
                let escape = byte == UInt8(ascii: "=") || byte > 0x7E || (byte < 0x20 && byte != 9)
                    || ((byte == 0x20 || byte == 9) && isLast)
                    || (line.isEmpty && offset == 0 && byte == UInt8(ascii: "."))
                    || (line.isEmpty && offset == 0 && byte == UInt8(ascii: "F") && text.starts(with: Array("From ".utf8)))
                if escape { token = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]] } else { token = [byte] }
                // 76 characters, the soft break's "=" included.
                if line.count + token.count > 75 { flush(hard: false) }
                line += token
            }
            flush(hard: true)
        }
        return out
    }
}

extension MailDate {
    /// RFC 5322 date in UTC, e.g. `Sat, 21 Nov 2026 14:03:09 +0000`.
    public static func format(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][((days % 7) + 7) % 7]
        let (year, month, day) = civil(fromDays: days)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(weekday), \(two(day)) \(months[month - 1]) \(year) \(two(time / 3600)):\(two(time / 60 % 60)):\(two(time % 60)) +0000"
    }

    /// Howard Hinnant's days → civil date (proleptic Gregorian), the inverse of days-from-civil.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
