import Foundation

/// Mail no person wrote this time. Haven records it but never answers it automatically (RFC 3834), which is
/// what stops two auto-responders from mailing each other forever.
public enum AutomaticMail: String, Sendable, Equatable {
    case autoReply = "auto_reply"   // out of office, vacation, "we received your request"
    case bulk                       // Precedence bulk/junk, mailing lists
    case bounce                     // a delivery status notification

    /// Subjects of out-of-office replies in our four languages (and the usual English ones).
    static let outOfOfficeSubjects = [
        "automatic reply", "auto reply", "auto-reply", "autoreply", "auto:", "out of office", "out of the office", "absence",
        "absent", "réponse automatique", "reponse automatique", "absent du bureau", "resposta automática", "resposta automatica",
        "ausente", "fora do escritório", "fora do escritorio", "ausência", "رد تلقائي", "الرد التلقائي", "خارج المكتب",
    ]

    static func isOutOfOffice(_ subject: String) -> Bool {
        let lowered = subject.lowercased().trimmed()
        return outOfOfficeSubjects.contains { lowered.hasPrefix($0) }
    }

    static func classify(headers: MailHeaders, subject: String, from: MailAddress?, report: DeliveryReport?) -> AutomaticMail? {
        if report != nil { return .bounce }
        let sender = from?.address.lowercased() ?? ""
        if sender.hasPrefix("mailer-daemon@") || sender.hasPrefix("postmaster@") { return .bounce }
        if let auto = headers["Auto-Submitted"]?.lowercased().trimmed(), !auto.isEmpty, !auto.hasPrefix("no") { return .autoReply }
        if headers["X-Autoreply"] != nil || headers["X-Autorespond"] != nil || headers["X-Autoresponse"] != nil { return .autoReply }
        if let precedence = headers["Precedence"]?.lowercased().trimmed(), ["bulk", "junk", "list", "auto_reply"].contains(precedence) {
            return precedence == "auto_reply" ? .autoReply : .bulk
        }
        if headers["List-Id"] != nil || headers["List-Unsubscribe"] != nil { return .bulk }
        if isOutOfOffice(subject) { return .autoReply }
        if let returnPath = headers["Return-Path"]?.trimmed(), returnPath == "<>" { return .autoReply }
        return nil
    }
}

/// What a bounce says: the recipients that failed and the Message-ID of the mail that bounced.
public struct DeliveryReport: Sendable, Equatable {
    public struct Recipient: Sendable, Equatable {
        public var address: String
        public var action: String
        public var status: String?
        /// 5.x.x: the address does not work; 4.x.x: delivery was delayed.
        public var isPermanent: Bool { action == "failed" || (status?.hasPrefix("5") ?? false) }
    }

    public var recipients: [Recipient]
    public var originalMessageID: String?

    init?(_ root: MIMEPart) {
        guard root.mediaType == "multipart/report" else { return nil }
        var recipients: [Recipient] = []
        var original: String?
        for part in root.parts {
            switch part.mediaType {
            case "message/delivery-status", "message/global-delivery-status":
                // Per-message fields, then per-recipient blocks separated by empty lines (RFC 3464).
                let blocks = part.text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
                for block in blocks {
                    let fields = MailHeaders.parse(Array(block.utf8)[...])
                    guard let recipient = fields["Final-Recipient"] ?? fields["Original-Recipient"] else { continue }
                    let address = recipient.split(separator: ";", maxSplits: 1).last.map { $0.trimmed() } ?? recipient
                    recipients.append(Recipient(
                        address: AddressParser.normalize(address) ?? address.lowercased(),
                        action: fields["Action"]?.lowercased().trimmed() ?? "failed", status: fields["Status"]?.trimmed()))
                }
            case "message/rfc822", "message/global", "text/rfc822-headers":
                let headers = part.parts.first?.headers ?? MailHeaders.parse(part.body[...])
                original = AddressParser.messageIDs(headers["Message-ID"]).first
            default: break
            }
        }
        self.recipients = recipients
        originalMessageID = original
    }
}
