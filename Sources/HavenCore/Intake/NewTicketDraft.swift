/// Who a new request is from, as a channel reports it.
public struct RequesterDraft: Sendable, Equatable {
    public var email: String?
    public var externalID: String?
    public var name: String?
    public var locale: String?
    public var kind: ContactKind?
    public var tier: String?
    public var market: String?

    public init(
        email: String? = nil, externalID: String? = nil, name: String? = nil, locale: String? = nil,
        kind: ContactKind? = nil, tier: String? = nil, market: String? = nil
    ) {
        self.email = email
        self.externalID = externalID
        self.name = name
        self.locale = locale
        self.kind = kind
        self.tier = tier
        self.market = market
    }
}

/// A request for a new ticket, from any channel, before it is stored.
public struct NewTicketDraft: Sendable, Equatable {
    public static let maxSubjectLength = 250
    public static let maxBodyLength = 100_000
    public static let derivedSubjectLength = 80

    public var subject: String?
    public var body: String
    public var channel: Channel
    public var priority: TicketPriority
    public var tags: [String]
    public var language: String?
    public var queue: String?
    public var requester: RequesterDraft

    public init(
        subject: String?, body: String, channel: Channel, priority: TicketPriority = .normal, tags: [String] = [],
        language: String? = nil, queue: String? = nil, requester: RequesterDraft
    ) {
        self.subject = subject
        self.body = body
        self.channel = channel
        self.priority = priority
        self.tags = tags
        self.language = language
        self.queue = queue
        self.requester = requester
    }

    /// The draft normalized (NFC text, trimmed, tags and locale in canonical form), or every problem with it at once.
    ///
    /// Requests from apps and chats often have no subject: one is derived from the body's first line.
    public func validated() throws(DomainError) -> NewTicketDraft {
        var out = self
        var problems: [FieldProblem] = []
        out.body = TextNormalizer.body(body)
        if out.body.isEmpty {
            problems.append(FieldProblem(field: "body", problem: "The message is empty; write what the customer needs."))
        } else if out.body.count > Self.maxBodyLength {
            problems.append(FieldProblem(field: "body", problem: "The message is longer than \(Self.maxBodyLength) characters."))
        }
        let subject = subject.map(TextNormalizer.line) ?? ""
        if subject.count > Self.maxSubjectLength {
            problems.append(FieldProblem(field: "subject", problem: "The subject is longer than \(Self.maxSubjectLength) characters."))
        }
        out.subject = subject.isEmpty ? Self.subject(derivedFrom: out.body) : subject
        do { out.tags = try TagList.normalize(tags, field: "tags") } catch { problems += error.problems }
        if let language {
            if let tag = LocaleTag.normalize(language) { out.language = tag } else {
                problems.append(FieldProblem(field: "language", problem: "'\(language)' is not a language tag such as en, pt-BR, ar or fr."))
            }
        }
        if let queue { out.queue = TextNormalizer.line(queue) }
        do { out.requester = try requester.validated() } catch { problems += error.problems }
        guard problems.isEmpty else { throw .invalid(problems) }
        return out
    }

    static func subject(derivedFrom body: String) -> String {
        let firstLine = body.split(whereSeparator: \.isNewline).first.map(String.init) ?? body
        let line = TextNormalizer.line(firstLine)
        return line.count <= derivedSubjectLength ? line : String(line.prefix(derivedSubjectLength - 1)) + "…"
    }
}

extension RequesterDraft {
    public func validated() throws(DomainError) -> RequesterDraft {
        var out = self
        var problems: [FieldProblem] = []
        if let email {
            if let normalized = EmailAddress.normalize(email) { out.email = normalized } else {
                problems.append(FieldProblem(field: "requester.email", problem: "'\(email)' is not an email address."))
            }
        }
        if let externalID {
            let trimmed = externalID.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.count > 128 {
                problems.append(FieldProblem(field: "requester.external_id", problem: "An external id has 1 to 128 characters."))
            }
            out.externalID = trimmed
        }
        if email == nil, externalID == nil {
            problems.append(FieldProblem(field: "requester", problem: "Give the requester's email or external_id so replies can reach them."))
        }
        if let name {
            let line = TextNormalizer.line(name)
            if line.count > 200 { problems.append(FieldProblem(field: "requester.name", problem: "A name is at most 200 characters.")) }
            out.name = line.isEmpty ? nil : line
        }
        if let locale {
            if let tag = LocaleTag.normalize(locale) { out.locale = tag } else {
                problems.append(FieldProblem(field: "requester.locale", problem: "'\(locale)' is not a locale such as en, pt-BR, ar or fr."))
            }
        }
        if let market {
            let code = market.trimmingCharacters(in: .whitespaces).uppercased()
            if code.count != 2 || !code.allSatisfy({ $0.isASCII && $0.isLetter }) {
                problems.append(FieldProblem(field: "requester.market", problem: "A market is a two-letter country code such as BR, SA, FR or US."))
            }
            out.market = code
        }
        if let tier {
            let line = TextNormalizer.line(tier).lowercased()
            if line.isEmpty || line.count > 40 { problems.append(FieldProblem(field: "requester.tier", problem: "A tier has 1 to 40 characters.")) }
            out.tier = line
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return out
    }
}

extension DomainError {
    /// The field problems of a validation error; a single general problem for the others.
    public var problems: [FieldProblem] {
        if case .invalid(let problems) = self { return problems }
        return [FieldProblem(field: "", problem: detail)]
    }
}
