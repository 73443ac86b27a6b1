import Foundation
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
    let languages: LanguageIdentifier
    let risk: RiskDetector
    /// Where critical risk goes at once, when a queue with this slug exists (the routing issue makes this a rule).
    public static let safetyQueue = "safety"

    public init(
        tickets: any TicketRepository, logger: Logger, languages: LanguageIdentifier = TriageModels.languages, risk: RiskDetector = TriageModels.risk
    ) {
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

    public func submit(_ draft: NewTicketDraft, actor: Actor, origin: TicketOrigin = TicketOrigin()) async throws -> TicketRecord {
        var normalized = try draft.validated()
        // Detect the language: stored on the message, and on the ticket when neither the request nor the
        // requester says which language to answer in.
        var origin = origin
        origin.messageLanguage = origin.messageLanguage ?? language(of: normalized.body)
        if normalized.language == nil, normalized.requester.locale == nil { normalized.language = origin.messageLanguage }
        // Risk: a critical message is urgent and goes to the safety queue at once.
        let assessment = origin.risk ?? risk.assess(normalized.body)
        origin.risk = assessment
        if assessment.level == .critical {
            normalized.priority = .urgent
            origin.preferredQueue = Self.safetyQueue
        }
        let ticket = try await tickets.create(normalized, actor: actor, origin: origin)
        logger.info("ticket created", metadata: [
            "ticket": "\(ticket.number)", "channel": "\(ticket.channel.rawValue)", "queue": "\(ticket.queue?.slug ?? "-")",
            "risk": "\(ticket.riskLevel.rawValue)",
        ])
        return ticket
    }
}

/// The trained tables triage loads once, at start, from the app's resources.
public enum TriageModels {
    public static let languages: LanguageIdentifier = {
        // Shipped with the binary (`Resources/language-model.tsv`, made by scripts/language-id/train.py): a missing or
        // broken file is a broken build, not a runtime condition.
        guard let url = Bundle.module.url(forResource: "language-model", withExtension: "tsv"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { preconditionFailure("language-model.tsv is missing from the build") }
        do { return LanguageIdentifier(model: try LanguageModel(tsv: text)) } catch { preconditionFailure("language-model.tsv: \(error)") }
    }()

    /// The shipped lexicon plus every `*.json` file in `directory` (a safety admin's additions, same format), each
    /// checked: a bad file stops the start with its name and what is wrong, rather than running without it.
    public static func risk(extraDirectory directory: String?) throws(ConfigurationError) -> RiskDetector {
        guard let directory else { return risk }
        var lexicon = risk.lexicon
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        } catch {
            throw ConfigurationError("Cannot read the risk lexicon folder '\(directory)': \(error.localizedDescription)")
        }
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError("Cannot read the risk lexicon file '\(path)'.") }
            do { lexicon.merge(try RiskLexicon(json: data, name: name)) } catch { throw ConfigurationError("Risk lexicon: \(error.description)") }
        }
        return RiskDetector(lexicon: lexicon)
    }

    /// The risk lexicon Haven ships (`Resources/risk-lexicon.json`).
    public static let risk: RiskDetector = {
        guard let url = Bundle.module.url(forResource: "risk-lexicon", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            preconditionFailure("risk-lexicon.json is missing from the build")
        }
        do { return RiskDetector(lexicon: try RiskLexicon(json: data, name: "risk-lexicon.json")) } catch { preconditionFailure("\(error)") }
    }()
}
