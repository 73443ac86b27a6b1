import Foundation
import Testing

@testable import HavenCore

/// The shipped models against the labelled sets in data/triage: a lexicon change that loses a critical message, or
/// brings back a decoy, fails here. (The dev set was used to write the lexicon: these are floors, not claims; the
/// held-out figures are in docs/benchmarks.md.)
@Suite struct TriageDevSetTests {
    static let triage: Triage = {
        let root = LanguageIdentifierTests.root
        let resources = root.appendingPathComponent("Sources/HavenApp/Resources")
        return Triage(
            languages: LanguageIdentifier(model: try! LanguageModel(tsv: String(contentsOf: resources.appendingPathComponent("language-model.tsv"), encoding: .utf8))),
            risk: RiskDetector(lexicon: try! RiskLexicon(json: Data(contentsOf: resources.appendingPathComponent("risk-lexicon.json")))),
            topics: TopicModel(keywords: try! TopicKeywords(json: Data(contentsOf: resources.appendingPathComponent("topic-keywords.json")))))
    }()

    static func messages(_ name: String) throws -> [LabelledMessage] {
        try LabelledMessage.read(jsonLines: String(contentsOf: LanguageIdentifierTests.root.appendingPathComponent("data/triage/\(name)"), encoding: .utf8))
    }

    @Test func theDevSetHasAHundredMessagesPerLanguageAndItsHardCases() throws {
        let messages = try Self.messages("dev-set.jsonl")
        for group in ["en", "pt", "fr", "ar"] {
            #expect(messages.filter { $0.group == group }.count >= 100, "\(group)")
            #expect(messages.filter { $0.group == group && $0.note?.hasPrefix("decoy") == true }.count >= 15, "\(group) decoys")
        }
        #expect(Set(messages.flatMap(\.harms)) == Set(Harm.allCases))
    }

    @Test func criticalRecallAndHarmPrecisionOnTheDevSet() throws {
        let evaluation = TriageEvaluation(try Self.messages("dev-set.jsonl"), triage: Self.triage)
        for group in ["en", "pt", "fr", "ar", "ar-Latn"] {
            let figures = try #require(evaluation.groups[group])
            #expect((figures.critical.recall ?? 0) >= 0.97, "\(group) critical recall \(figures.critical)")
            #expect((figures.harms.precision ?? 0) >= 0.85, "\(group) harm precision \(figures.harms)")
            #expect(figures.languageAccuracy >= 0.95, "\(group) language")
        }
    }

    /// Its figures are measured, not asserted (docs/benchmarks.md); it must stay readable by `haven triage eval`.
    @Test func theTestSetIsReadable() throws {
        #expect(try Self.messages("test-set.jsonl").count >= 100)
    }
}
