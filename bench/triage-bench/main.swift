import Foundation
import HavenCore

// Triage throughput on one core: language identification of the held-out short texts, repeated.
// Usage: triage-bench [seconds]  (run from the repository root; bench/run-triage builds it in release).
let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let model = try LanguageModel(tsv: String(contentsOf: root.appendingPathComponent("Sources/HavenApp/Resources/language-model.tsv"), encoding: .utf8))
let identifier = LanguageIdentifier(model: model)
let texts = try String(contentsOf: root.appendingPathComponent("Tests/HavenCoreTests/Data/language-test.tsv"), encoding: .utf8)
    .split(separator: "\n").map { String($0.split(separator: "\t", maxSplits: 1)[1]) }
let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 5 : 5
var done = 0, known = 0
let start = Date()
while Date().timeIntervalSince(start) < seconds {
    for text in texts where identifier.identify(text).language != nil { known += 1 }
    done += texts.count
}
let elapsed = Date().timeIntervalSince(start)
let averageLength = texts.map(\.count).reduce(0, +) / texts.count
print(String(format: "language identification: %.0f messages/s on one core (%d texts of %d characters on average, %d identified)", Double(done) / elapsed, texts.count, averageLength, known / max(1, done / texts.count)))
