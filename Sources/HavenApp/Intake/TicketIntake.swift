import HavenCore
import HavenStorage
import Logging

/// The one door every channel's new request goes through.
///
/// Stages today: normalize and validate (domain) → triage: language, risk and a suggested topic → identify the
/// contact, route (the safety queue for critical risk, else the routing rules), compute the priority, choose the SLA
/// policy and start its clocks, number the ticket and append its first events (one storage transaction) → notify.
/// Dedupe and SOP choice are stages later issues add here, so that email, forms, in-app requests, chat and the API
/// all get them at once.
public struct TicketIntake: Sendable {
    let tickets: any TicketRepository
    let logger: Logger
    let languages: LanguageIdentifier
    let risk: RiskDetector
    let topics: TopicLearner
    let routing: RoutingBook?

    public init(
        tickets: any TicketRepository, logger: Logger, languages: LanguageIdentifier = TriageModels.languages, risk: RiskDetector = TriageModels.risk,
        topics: TopicLearner, routing: RoutingBook? = nil
    ) {
        self.routing = routing
        self.topics = topics
        self.tickets = tickets
        self.logger = logger
        self.languages = languages
        self.risk = risk
    }

    /// Risk in a customer's text: level, harms, and the signals that say why.
    public func assessRisk(of text: String) -> RiskAssessment {
        risk.assess(text)
    }

    /// The language a message is written in (BCP 47), nil when unknown.
    public func language(of text: String) -> String? {
        languages.identify(text).language
    }

    /// Language, risk and a suggested topic of a new request, read once: what intake stores.
    public func triage(_ body: String) -> TriageResult {
        Triage.assess(body, languages: languages, risk: risk) { topics.suggest($0, harms: $1) }
    }

    public func submit(_ draft: NewTicketDraft, actor: Actor, origin: TicketOrigin = TicketOrigin()) async throws -> TicketRecord {
        var normalized = try draft.validated()
        let triage = triage(normalized.body)
        var origin = origin
        origin.messageLanguage = triage.language.language
        origin.risk = triage.risk
        origin.topic = triage.topic
        // The detected language is the ticket's when neither the request nor the requester says which to answer in.
        if normalized.language == nil, normalized.requester.locale == nil { normalized.language = origin.messageLanguage }
        // Routing, priority and SLA are planned in the ticket's transaction, where the contact as stored is known.
        origin.routing = try await routing?.current() ?? IntakeRouting()
        origin.routingTicket = RoutingTicket(
            channel: normalized.channel, language: normalized.language ?? normalized.requester.locale ?? origin.messageLanguage, market: normalized.requester.market,
            topic: origin.details?.category ?? triage.topic.topic, riskLevel: triage.risk.level, harms: triage.risk.harms,
            contactKind: normalized.requester.kind ?? .user, tier: normalized.requester.tier, liveNow: origin.details?.liveNow ?? false,
            tags: normalized.tags)
        let ticket = try await tickets.create(normalized, actor: actor, origin: origin)
        logger.info("ticket created", metadata: [
            "ticket": "\(ticket.number)", "channel": "\(ticket.channel.rawValue)", "queue": "\(ticket.queue?.slug ?? "-")",
            "risk": "\(ticket.riskLevel.rawValue)",
        ])
        return ticket
    }
}
