import Foundation
import HavenCore
import HavenStorage

// Request bodies of the agent API. Keys are snake_case on the wire; optional fields may be absent.

struct CreateTokenBody: Decodable {
    var email: String
    var password: String
    var name: String?
}

struct TokenResponse: Encodable {
    var token: String
    var tokenID: UUID
    var agent: AgentRecord
}

struct RequesterBody: Decodable {
    var email: String?
    var externalID: String?
    var name: String?
    var locale: String?
    var kind: ContactKind?
    var tier: String?
    var market: String?

    enum CodingKeys: String, CodingKey {
        case email, name, locale, kind, tier, market
        case externalID = "external_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        externalID = try c.decodeIfPresent(String.self, forKey: .externalID)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        kind = try c.decodeChoice(ContactKind.self, forKey: .kind)
        tier = try c.decodeIfPresent(String.self, forKey: .tier)
        market = try c.decodeIfPresent(String.self, forKey: .market)
    }

    var draft: RequesterDraft {
        RequesterDraft(email: email, externalID: externalID, name: name, locale: locale, kind: kind, tier: tier, market: market)
    }
}

struct CreateTicketBody: Decodable {
    var subject: String?
    var body: String
    var channel: Channel?
    var priority: TicketPriority?
    var tags: [String]?
    var language: String?
    var queue: String?
    var requester: RequesterBody

    enum CodingKeys: String, CodingKey { case subject, body, channel, priority, tags, language, queue, requester }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        body = try c.decode(String.self, forKey: .body)
        channel = try c.decodeChoice(Channel.self, forKey: .channel)
        priority = try c.decodeChoice(TicketPriority.self, forKey: .priority)
        tags = try c.decodeIfPresent([String].self, forKey: .tags)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        queue = try c.decodeIfPresent(String.self, forKey: .queue)
        requester = try c.decode(RequesterBody.self, forKey: .requester)
    }

    var draft: NewTicketDraft {
        NewTicketDraft(
            subject: subject, body: body, channel: channel ?? .api, priority: priority ?? .normal, tags: tags ?? [],
            language: language, queue: queue, requester: requester.draft)
    }
}

/// PATCH body. `queue`, `assignee`, `topic` and `language` tell "absent" (leave alone) from `null` (clear).
/// `topic`, `language`, `risk_level` and `harms` are agents' corrections of triage; `risk_level` and `harms` go
/// together.
struct UpdateTicketBody: Decodable {
    var update = TicketUpdate()

    enum CodingKeys: String, CodingKey {
        case status, priority, queue, assignee, tags, topic, language, harms
        case riskLevel = "risk_level"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        update.status = try c.decodeChoice(TicketStatus.self, forKey: .status)
        update.priority = try c.decodeChoice(TicketPriority.self, forKey: .priority)
        update.tags = try c.decodeIfPresent([String].self, forKey: .tags)
        if c.contains(.queue) { update.queue = .some(try c.decodeNil(forKey: .queue) ? nil : try c.decode(String.self, forKey: .queue)) }
        if c.contains(.assignee) {
            update.assignee = .some(try c.decodeNil(forKey: .assignee) ? nil : try c.decode(String.self, forKey: .assignee))
        }
        if c.contains(.topic) { update.topic = .some(try c.decodeNil(forKey: .topic) ? nil : try c.decodeChoice(Topic.self, forKey: .topic)) }
        if c.contains(.language) { update.language = .some(try c.decodeNil(forKey: .language) ? nil : try c.decode(String.self, forKey: .language)) }
        let level = try c.decodeChoice(RiskLevel.self, forKey: .riskLevel)
        let harms = try c.decodeChoices(Harm.self, forKey: .harms)
        if level != nil || harms != nil {
            guard let level, let harms else {
                throw DecodingError.dataCorruptedError(
                    forKey: level == nil ? .riskLevel : .harms, in: c, debugDescription: "risk_level and harms correct triage together; send both.")
            }
            update.risk = RiskCorrection(level: level, harms: harms)
        }
    }
}

struct CreateMessageBody: Decodable {
    var message: NewMessage

    enum CodingKeys: String, CodingKey {
        case body, visibility, status
        case attachmentIDs = "attachment_ids"
        case clientID = "client_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        message = NewMessage(
            body: try c.decode(String.self, forKey: .body),
            visibility: try c.decodeChoice(MessageVisibility.self, forKey: .visibility) ?? .public,
            status: try c.decodeChoice(TicketStatus.self, forKey: .status),
            attachmentIDs: try c.decodeIfPresent([UUID].self, forKey: .attachmentIDs) ?? [])
        if let clientID = try c.decodeIfPresent(String.self, forKey: .clientID) {
            guard (1...ChatProtocol.maxClientID).contains(clientID.count) else {
                throw DomainError.invalid([FieldProblem(field: "client_id", problem: "Use 1 to \(ChatProtocol.maxClientID) characters.")])
            }
            message.clientID = clientID
        }
    }
}

struct EventsResponse: Encodable {
    var events: [TicketEventRecord]
}
