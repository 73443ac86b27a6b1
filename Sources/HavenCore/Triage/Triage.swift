/// Everything triage says about one message.
public struct TriageResult: Sendable, Equatable {
    public var language: LanguageIdentification
    public var risk: RiskAssessment
    public var topic: TopicSuggestion
}

/// Language, risk and topic of a message, read once.
public struct Triage: Sendable {
    public var languages: LanguageIdentifier
    public var risk: RiskDetector
    public var topics: TopicModel

    public init(languages: LanguageIdentifier, risk: RiskDetector, topics: TopicModel) {
        self.languages = languages
        self.risk = risk
        self.topics = topics
    }

    public func assess(_ text: String) -> TriageResult {
        Self.assess(text, languages: languages, risk: risk) { topics.suggest($0, harms: $1) }
    }

    /// The same with another topic suggester (a node's learning model, behind its lock).
    public static func assess(
        _ text: String, languages: LanguageIdentifier, risk: RiskDetector, topic: (TriageText, [Harm]) -> TopicSuggestion
    ) -> TriageResult {
        let words = TriageText(text)
        let assessment = risk.assess(words)
        return TriageResult(language: languages.identify(text), risk: assessment, topic: topic(words, assessment.harms))
    }
}
