import Foundation
import HavenCore

// Triage throughput on one core over the held-out short texts, repeated: each stage, then all three as intake runs them.
// Usage: triage-bench [seconds]  (run from the repository root; bench/run-triage builds it in release).
let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let model = try LanguageModel(tsv: String(contentsOf: root.appendingPathComponent("Sources/HavenApp/Resources/language-model.tsv"), encoding: .utf8))
let identifier = LanguageIdentifier(model: model)
let lexicon = try RiskLexicon(json: Data(contentsOf: root.appendingPathComponent("Sources/HavenApp/Resources/risk-lexicon.json")))
let detector = RiskDetector(lexicon: lexicon)
let keywords = try TopicKeywords(json: Data(contentsOf: root.appendingPathComponent("Sources/HavenApp/Resources/topic-keywords.json")))
let triage = Triage(languages: identifier, risk: detector, topics: TopicModel(keywords: keywords))
let texts = try String(contentsOf: root.appendingPathComponent("Tests/HavenCoreTests/Data/language-test.tsv"), encoding: .utf8)
    .split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1)[1]) }
let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 5 : 5
let averageLength = texts.map(\.count).reduce(0, +) / texts.count

/// Messages a second of `work` over the texts, for `seconds`.
func measure(_ work: (String) -> Bool) -> (rate: Double, hits: Int) {
    var done = 0, hits = 0
    let start = Date()
    while Date().timeIntervalSince(start) < seconds {
        for text in texts where work(text) { hits += 1 }
        done += texts.count
    }
    return (Double(done) / Date().timeIntervalSince(start), hits / max(1, done / texts.count))
}
// `triage-bench SECONDS dev` measures the dev set alone (for profiling).
let devOnly = CommandLine.arguments.count > 2 && CommandLine.arguments[2] == "dev"
if !devOnly {
let language = measure { identifier.identify($0).language != nil }
print(String(format: "language identification: %.0f messages/s on one core (%d texts, %d characters on average, %d identified)", language.rate, texts.count, averageLength, language.hits))
let risk = measure { detector.assess($0).level != .none }
print(String(format: "risk detection: %.0f messages/s on one core (%d phrases in the lexicon, %d texts flagged)", risk.rate, lexicon.count, risk.hits))
let both = measure { identifier.identify($0).language != nil && detector.assess($0).level == .none }
print(String(format: "language + risk: %.0f messages/s on one core", both.rate))
let topic = measure { triage.topics.suggest($0).topic != .other }
print(String(format: "topic suggestion: %.0f messages/s on one core (%d keyword phrases)", topic.rate, keywords.count))
let all = measure { triage.assess($0).risk.level != .none }
print(String(format: "language + risk + topic (one message as intake triages it): %.0f messages/s on one core", all.rate))
}

// The labelled dev set's messages: support requests as agents see them, longer than the short-text set.
let devTexts = try LabelledMessage.read(jsonLines: String(contentsOf: root.appendingPathComponent("data/triage/dev-set.jsonl"), encoding: .utf8)).map(\.text)
var done = 0, critical = 0
let start = Date()
while Date().timeIntervalSince(start) < seconds {
    for text in devTexts where triage.assess(text).risk.level == .critical { critical += 1 }
    done += devTexts.count
}
print(String(format: "language + risk + topic over the dev set (%d messages, %d characters on average, %d critical): %.0f messages/s on one core",
             devTexts.count, devTexts.map(\.count).reduce(0, +) / devTexts.count, critical / max(1, done / devTexts.count), Double(done) / Date().timeIntervalSince(start)))

// Email-length messages: the dev set's messages eight at a time (a greeting, the problem, the details, a sign-off).
let longTexts = stride(from: 0, to: devTexts.count - 7, by: 8).map { devTexts[$0..<$0 + 8].joined(separator: " ") }
var longDone = 0
let longStart = Date()
while Date().timeIntervalSince(longStart) < seconds {
    for text in longTexts { _ = triage.assess(text) }
    longDone += longTexts.count
}
print(String(format: "language + risk + topic over email-length messages (%d messages, %d characters on average): %.0f messages/s on one core",
             longTexts.count, longTexts.map(\.count).reduce(0, +) / longTexts.count, Double(longDone) / Date().timeIntervalSince(longStart)))
