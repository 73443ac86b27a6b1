import Foundation

/// A parsed inbound message, reduced to what a support desk needs: who, threading ids, subject, the readable
/// text (full and with quotes stripped), a sanitized HTML copy, attachments, and whether it is automatic mail.
public struct InboundMail: Sendable {
    public var messageID: String?
    public var inReplyTo: [String]
    public var references: [String]
    public var subject: String
    public var from: MailAddress?
    public var replyTo: [MailAddress]
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var date: Date?
    /// The whole readable text of the message, quotes and signature included.
    public var text: String
    /// What the sender wrote this time: `text` without the quoted conversation, signature and mobile footer.
    public var newText: String
    /// Sanitized HTML for display, when the message had HTML.
    public var html: String?
    public var attachments: [MailAttachment]
    public var automatic: AutomaticMail?
    public var deliveryReport: DeliveryReport?
    public var headers: MailHeaders

    /// Text with CRLF and CR line ends as LF, and without NUL characters (no database or browser wants them).
    static func plainNewlines(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x0D || $0 == 0x00 }) else { return text }
        var bytes = Array(text.utf8)
        var write = 0
        var previousCR = false
        for read in bytes.indices {
            let byte = bytes[read]
            if byte == 0x00 { continue }
            if byte == 0x0A, previousCR { previousCR = false; continue }
            previousCR = byte == 0x0D
            bytes[write] = previousCR ? 0x0A : byte
            write += 1
        }
        bytes.removeLast(bytes.count - write)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every id this message points back to: In-Reply-To first, then References newest first.
    public var threadIDs: [String] {
        var seen = Set<String>()
        return (inReplyTo + references.reversed()).filter { seen.insert($0).inserted }
    }

    public init(parsing bytes: [UInt8], parser: MIMEParser = MIMEParser()) {
        let root = parser.parse(bytes)
        let headers = root.headers
        self.headers = headers
        messageID = AddressParser.messageIDs(headers["Message-ID"]).first
        inReplyTo = AddressParser.messageIDs(headers["In-Reply-To"])
        references = AddressParser.messageIDs(headers.all("References").joined(separator: " "))
        subject = headers.text("Subject") ?? ""
        from = headers["From"].flatMap { AddressParser.parse($0).first } ?? headers["Sender"].flatMap { AddressParser.parse($0).first }
        replyTo = headers["Reply-To"].map(AddressParser.parse) ?? []
        to = headers.all("To").flatMap(AddressParser.parse)
        cc = headers.all("Cc").flatMap(AddressParser.parse)
        date = MailDate.parse(headers["Date"])

        var body = BodyCollector()
        body.collect(root, inAlternative: false)
        var text = body.texts.joined(separator: "\n\n")
        if text.trimmed().isEmpty, let html = body.htmls.first { text = HTML.text(html) }
        text = Self.plainNewlines(text)
        self.text = text.trimmed()
        newText = ReplyExtractor.newText(of: self.text)
        html = body.htmls.isEmpty ? nil : HTML.sanitize(body.htmls.joined(separator: "<hr>"))
        attachments = body.attachments
        deliveryReport = DeliveryReport(root)
        automatic = AutomaticMail.classify(headers: headers, subject: subject, from: from, report: deliveryReport)
    }
}

public struct MailAttachment: Sendable {
    public var filename: String
    public var contentType: String
    /// Without angle brackets; inline images are referenced from the HTML as `cid:<contentID>`.
    public var contentID: String?
    public var isInline: Bool
    public var data: [UInt8]
}

/// Walks the part tree: the text a reader sees, in order, and the files.
struct BodyCollector {
    var texts: [String] = []
    var htmls: [String] = []
    var attachments: [MailAttachment] = []

    mutating func collect(_ part: MIMEPart, inAlternative: Bool) {
        let type = part.mediaType
        if part.isMultipart {
            if type == "multipart/alternative" {
                // The last alternative is the richest; use the plain text one for text and the HTML one for display.
                let plain = part.parts.last { $0.mediaType == "text/plain" && !isAttachment($0) }
                let html = part.parts.last { $0.mediaType == "text/html" && !isAttachment($0) }
                let plainText = plain?.text, htmlText = html?.text
                if let plainText, plainText.contains(where: { !$0.isWhitespace }) { texts.append(plainText) }
                else if let htmlText { texts.append(HTML.text(htmlText)) }
                if let htmlText { htmls.append(htmlText) }
                // Anything else inside (a multipart/related holding the HTML and its images) still has files.
                for other in part.parts where other.mediaType != "text/plain" && other.mediaType != "text/html" {
                    var inner = BodyCollector()
                    inner.collect(other, inAlternative: true)
                    if plain == nil && html == nil { texts += inner.texts }
                    htmls += html == nil ? inner.htmls : []
                    attachments += inner.attachments
                }
                return
            }
            if type == "multipart/report" {
                // A bounce: the human-readable explanation only; the returned message is kept as a file.
                if let first = part.parts.first { collect(first, inAlternative: false) }
                for other in part.parts.dropFirst() { addFile(other) }
                return
            }
            for child in part.parts { collect(child, inAlternative: inAlternative) }
            return
        }
        if isAttachment(part) { addFile(part); return }
        switch type {
        case "text/plain", "text/enriched": texts.append(part.text)
        case "text/html":
            texts.append(HTML.text(part.text))
            htmls.append(part.text)
        default:
            addFile(part)
        }
    }

    func isAttachment(_ part: MIMEPart) -> Bool {
        if part.disposition?.value == "attachment" { return true }
        let type = part.mediaType
        if type.hasPrefix("text/"), type != "text/plain", type != "text/html", type != "text/enriched" { return true }
        return !type.hasPrefix("text/") || (part.filename != nil && part.disposition?.value != "inline")
    }

    mutating func addFile(_ part: MIMEPart) {
        if part.isMultipart { for child in part.parts { addFile(child) }; return }
        let fallbackName: String
        switch part.mediaType {
        case "message/rfc822", "message/global": fallbackName = "message.eml"
        case "message/delivery-status": fallbackName = "delivery-status.txt"
        case "text/rfc822-headers": fallbackName = "headers.txt"
        default: fallbackName = "attachment"
        }
        let sanitizedName = String((part.filename ?? fallbackName).map { $0 == "/" || $0 == "\\" || ($0.asciiValue ?? 32) < 32 ? "_" : $0 })
        attachments.append(MailAttachment(
            filename: String(sanitizedName.prefix(200)), contentType: part.mediaType, contentID: part.contentID,
            isInline: part.disposition?.value == "inline" || (part.contentID != nil && part.disposition?.value != "attachment"),
            data: part.body))
    }
}
