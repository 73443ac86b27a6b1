import Foundation
import HavenCore

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
        if let problem = lexicon.unknownContexts.first { throw ConfigurationError("Risk lexicon folder '\(directory)': \(problem).") }
        return RiskDetector(lexicon: lexicon)
    }

    /// The topic model's cold start (`Resources/topic-keywords.json`), before agents have taught it anything.
    public static let topicKeywords: TopicKeywords = {
        guard let url = Bundle.module.url(forResource: "topic-keywords", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            preconditionFailure("topic-keywords.json is missing from the build")
        }
        do { return try TopicKeywords(json: data, name: "topic-keywords.json") } catch { preconditionFailure("\(error)") }
    }()

    /// Language, risk and a cold-start topic model, as `haven triage eval` and a new node start with.
    public static func triage(risk: RiskDetector = risk) -> Triage {
        Triage(languages: languages, risk: risk, topics: TopicModel(keywords: topicKeywords))
    }

    /// The risk lexicon Haven ships (`Resources/risk-lexicon.json`).
    public static let risk: RiskDetector = {
        guard let url = Bundle.module.url(forResource: "risk-lexicon", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            preconditionFailure("risk-lexicon.json is missing from the build")
        }
        do {
            let lexicon = try RiskLexicon(json: data, name: "risk-lexicon.json")
            precondition(lexicon.unknownContexts.isEmpty, "risk-lexicon.json: \(lexicon.unknownContexts)")
            return RiskDetector(lexicon: lexicon)
        } catch { preconditionFailure("\(error)") }
    }()
}
