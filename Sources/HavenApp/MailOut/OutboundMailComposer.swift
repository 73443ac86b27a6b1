import Foundation
import HavenCore
import HavenMail
import HavenStorage
import NIOPosix

/// How Haven sends mail: `HAVEN_SMTP_URL` and the sender, from `haven serve`'s flags or the environment.
public struct MailOutConfiguration: Sendable {
    public var smtp: SMTPConfiguration
    /// The installation's sender; a queue's own address and name replace it for that queue's tickets.
    public var from: MailAddress
    public var dkim: DKIMSigner?
    public var retry = RetryPolicy()
    /// Seconds between looks at the outbox when it was empty.
    public var pollInterval: Double = 1
    /// How long a claimed job is a worker's before another may take it (longer than any SMTP conversation).
    public var lease: TimeInterval = 600

    public init(smtp: SMTPConfiguration, from: MailAddress, dkim: DKIMSigner? = nil) {
        self.smtp = smtp
        self.from = from
        self.dkim = dkim
        if smtp.heloName == nil { self.smtp.heloName = messageIDDomain }
    }

    /// Message-IDs are made in the sender's domain.
    public var messageIDDomain: String {
        from.address.split(separator: "@").last.map(String.init) ?? "haven.invalid"
    }
}

/// A mail that cannot be written (no address to send it to): failed for good, not retried.
struct UncomposableMail: Error, CustomStringConvertible {
    var description: String
}

/// Turns an outgoing mail's context into the message: who from (the queue's sender, else the installation's),
/// to whom (the requester), Reply-To the ticket's signed address, threaded into the conversation, with the
/// system templates in the customer's language or the agent's reply and its files.
struct OutboundMailComposer: Sendable {
    let defaultSender: MailAddress
    let templates: any MailTemplateRepository
    let attachments: AttachmentStore
    let replyAddressKey: @Sendable () async throws -> String

    func compose(_ context: OutboundMailContext, now: Date) async throws -> OutboundMail {
        guard let email = context.requesterEmail, !email.isEmpty else {
            throw UncomposableMail(description: "The customer has no email address; answer them through their channel instead.")
        }
        let senderAddress = context.queueEmailAddress ?? defaultSender.address
        let team = context.queueEmailName ?? defaultSender.name ?? "Support"
        let sender = MailAddress(name: team, address: senderAddress)
        let to = MailAddress(name: context.requesterName, address: email)
        let subject = Self.replySubject(context.originalSubject ?? context.ticketSubject)
        let locale = HavenLocale.closest(to: context.requesterLocale ?? context.ticketLanguage)

        var mail: OutboundMail
        switch context.kind {
        case .reply:
            guard let message = context.message else { throw UncomposableMail(description: "The reply this mail carries no longer exists.") }
            var text = message.body
            if let author = context.authorName { text += "\n\n\(author)\n\(team)" }
            mail = OutboundMail(from: sender, to: [to], subject: subject, text: text, html: Self.html(text, language: message.language ?? locale),
                                messageID: context.rfcMessageID, date: now)
            for file in message.attachments {
                let data = try await NIOThreadPool.singleton.runIfActive { [attachments] in try attachments.read(file.sha256) }
                mail.attachments.append(.init(filename: file.filename, contentType: file.contentType, data: [UInt8](data)))
            }
        case .acknowledgement, .solved, .chatTranscript:
            let key = context.kind.rawValue
            let edited = try await templates.override(key: key, locale: locale)
            let template = edited.map { SystemMailTemplates.Text(subject: $0.subject, body: $0.body) }
                ?? SystemMailTemplates.builtIn(key: key, locale: locale)!
            let values: [String: Any] = [
                "customer_name": context.requesterName ?? "", "ticket_number": context.ticketNumber,
                "subject": context.originalSubject ?? context.ticketSubject, "team_name": team,
                "transcript": SystemMailTemplates.transcript(context.transcript, locale: locale),
            ]
            let text = SystemMailTemplates.render(template.body, values)
            let rendered = SystemMailTemplates.render(template.subject, values).trimmingCharacters(in: .whitespacesAndNewlines)
            mail = OutboundMail(from: sender, to: [to], subject: rendered.isEmpty ? subject : rendered, text: text,
                                html: Self.html(text, language: locale), messageID: context.rfcMessageID, date: now)
            mail.automatic = true
        }
        mail.inReplyTo = context.inReplyTo
        mail.references = context.references
        mail.replyTo = MailAddress(name: team, address: ReplyAddress(key: try await replyAddressKey()).address(forTicket: context.ticketNumber, base: senderAddress))
        return mail
    }

    /// "Re: " once, however many the subject already had.
    static func replySubject(_ subject: String) -> String {
        var rest = subject.trimmingCharacters(in: .whitespaces)
        while let prefix = ["re:", "aw:", "sv:", "res:", "rép:", "réf:"].first(where: { rest.lowercased().hasPrefix($0) }) {
            rest = String(rest.dropFirst(prefix.count)).trimmingCharacters(in: .whitespaces)
        }
        return rest.isEmpty ? "Re: your request" : "Re: " + rest
    }

    /// The text as HTML, right to left for languages written so.
    static func html(_ text: String, language: String) -> String {
        let primary = language.lowercased().prefix { $0 != "-" && $0 != "_" }
        return HTML.document(fromText: text, language: language, rightToLeft: ["ar", "he", "fa", "ur"].contains(String(primary)))
    }
}
