import HavenCore
import HavenStorage
import Logging

/// The one door every channel's new request goes through.
///
/// Stages today: normalize and validate (domain) → identify the contact, choose the queue, number
/// the ticket and append its first events (one storage transaction) → notify. Dedupe, language and
/// risk detection, SOP choice and SLA clocks are stages later issues add here, so that email, forms,
/// in-app requests, chat and the API all get them at once.
public struct TicketIntake: Sendable {
    let tickets: any TicketRepository
    let logger: Logger

    public init(tickets: any TicketRepository, logger: Logger) {
        self.tickets = tickets
        self.logger = logger
    }

    public func submit(_ draft: NewTicketDraft, actor: Actor, origin: TicketOrigin = TicketOrigin()) async throws -> TicketRecord {
        var normalized = try draft.validated()
        // Detect the language (a simple guess until triage's model): stored on the message, and on the ticket
        // when neither the request nor the requester says which language to answer in.
        var origin = origin
        origin.messageLanguage = origin.messageLanguage ?? LanguageGuess.guess(normalized.body)
        if normalized.language == nil, normalized.requester.locale == nil { normalized.language = origin.messageLanguage }
        let ticket = try await tickets.create(normalized, actor: actor, origin: origin)
        logger.info("ticket created", metadata: [
            "ticket": "\(ticket.number)", "channel": "\(ticket.channel.rawValue)", "queue": "\(ticket.queue?.slug ?? "-")",
        ])
        return ticket
    }
}
