import Foundation
import Testing

@testable import HavenCore

@Suite struct TopicModelTests {
    static let keywords = try! TopicKeywords(json: Data(#"""
        {"version": 1, "topics": {"hacked_account": {"en": ["hacked"], "pt": ["invadiram minha conta"]}, "payments": {"en": ["payout"]}}}
        """#.utf8))

    @Test func keywordsAreTheColdStart() {
        let model = TopicModel(keywords: Self.keywords)
        #expect(model.suggest("My account was HACKED yesterday").topic == .hackedAccount)
        #expect(model.suggest("invadiram minha conta ontem").topic == .hackedAccount)
        #expect(model.suggest("Where is my payout?").topic == .payments)
        // Nothing it knows: "other", and unsure.
        let unknown = model.suggest("Hello there")
        #expect(unknown.topic == .other)
        #expect(unknown.confidence < 0.5)
    }

    @Test func aHarmPointsToASafetyReport() {
        let model = TopicModel(keywords: Self.keywords)
        #expect(model.suggest(TriageText("someone in a live is hurting a cat"), harms: [.animalCruelty]).topic == .safetyReport)
    }

    @Test func agentsTopicsAreLearnedAndOverruleAKeyword() {
        var model = TopicModel(keywords: Self.keywords)
        #expect(model.suggest("my stream key stopped working").topic == .other)
        for _ in 0..<5 { model.learn("my stream key stopped working in OBS", topic: .creatorTools) }
        #expect(model.suggest("the stream key does not work").topic == .creatorTools)
        #expect(model.examplesLearned == 5)
        // Agents keep filing "hacked" tips under safety reports: the keyword's pull gives way.
        for _ in 0..<8 { model.learn("report: this scam account says it hacked people", topic: .safetyReport) }
        #expect(model.suggest("this scam account says it hacked people").topic == .safetyReport)
    }

    @Test func badKeywordFilesAreNamed() {
        #expect(throws: RiskLexicon.Invalid.self) { try TopicKeywords(json: Data(#"{"version":1,"topics":{"billing":{"en":["x"]}}}"#.utf8)) }
        #expect(throws: RiskLexicon.Invalid.self) { try TopicKeywords(json: Data(#"{"version":2,"topics":{}}"#.utf8)) }
    }
}

@Suite struct TriageEvaluationTests {
    @Test func countsPrecisionRecallAndConfusion() throws {
        let lexicon = try RiskLexicon(json: Data(#"""
            {"version": 1, "phrases": [{"harm": "self_harm", "level": "critical", "language": "en", "phrase": "kill myself"},
                                      {"harm": "bullying", "level": "high", "language": "en", "phrase": "loser"}],
             "negations": {"en": ["never"]}, "hyperbole": {}}
            """#.utf8))
        let triage = Triage(
            languages: LanguageIdentifier(model: try LanguageModel(tsv: "haven-language-model\t1\nlanguages\ten\tfr\nunseen\t-10\t-10\n")), risk: RiskDetector(lexicon: lexicon),
            topics: TopicModel(keywords: TopicKeywords()))
        let messages = try LabelledMessage.read(jsonLines: """
            {"text": "I want to kill myself", "language": "en", "level": "critical", "harms": ["self_harm"]}
            {"text": "I want to end my life", "language": "en", "level": "critical", "harms": ["self_harm"], "note": "missed"}
            {"text": "you loser", "language": "en", "level": "none", "harms": [], "topic": "safety_report"}

            {"text": "I would never kill myself", "language": "en", "level": "none", "harms": []}
            """)
        #expect(messages.count == 4)
        let evaluation = TriageEvaluation(messages, triage: triage)
        #expect(evaluation.overall.critical == Tally(truePositives: 1, falsePositives: 0, falseNegatives: 1))
        #expect(evaluation.overall.critical.recall == 0.5)
        #expect(evaluation.byHarm[.bullying] == Tally(truePositives: 0, falsePositives: 1, falseNegatives: 0))
        #expect(evaluation.byHarm[.selfHarm]?.precision == 1)
        #expect(evaluation.overall.levels[.critical]?[.none] == 1)
        #expect(evaluation.overall.topicAccuracy == 1)
        // Every message: the empty language model says "unknown" to all of them.
        #expect(evaluation.misses.count == 4)
        #expect(evaluation.misses.contains { $0.what.contains("missed self_harm") && $0.message.note == "missed" })
        #expect(evaluation.report().contains("critical"))
    }

    @Test func aBadLineIsNamed() {
        let error = #expect(throws: RiskLexicon.Invalid.self) {
            try LabelledMessage.read(jsonLines: "{\"text\":\"a\",\"language\":\"en\",\"level\":\"none\",\"harms\":[]}\n{\"text\":\"b\",\"language\":\"en\",\"level\":\"severe\",\"harms\":[]}")
        }
        #expect(error?.description.hasPrefix("line 2: level") == true, "\(String(describing: error))")
    }
}
