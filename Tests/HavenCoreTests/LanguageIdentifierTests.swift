import Foundation
import HavenCore
import Testing

@Suite struct LanguageIdentifierTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let identifier: LanguageIdentifier = {
        let text = try! String(contentsOf: root.appendingPathComponent("Sources/HavenApp/Resources/language-model.tsv"), encoding: .utf8)
        return LanguageIdentifier(model: try! LanguageModel(tsv: text))
    }()

    /// The held-out test set (never read by the training script): accuracy per language.
    @Test func accuracyOnTheHeldOutShortTexts() throws {
        let lines = try String(contentsOf: Self.root.appendingPathComponent("Tests/HavenCoreTests/Data/language-test.tsv"), encoding: .utf8)
            .split(separator: "\n")
        var right: [String: Int] = [:], total: [String: Int] = [:], mistakes: [String] = []
        for line in lines {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            let (expected, text) = (parts[0], parts[1])
            #expect((5...200).contains(text.count))
            total[expected, default: 0] += 1
            // Portuguese counts as right in any variety: the test set does not say which.
            let got = Self.identifier.identify(text).language.map { $0.hasPrefix("pt") ? "pt" : $0 }
            if got == expected { right[expected, default: 0] += 1 } else { mistakes.append("\(expected) → \(got ?? "unknown"): \(text)") }
        }
        for (language, count) in total.sorted(by: { $0.key < $1.key }) {
            let accuracy = Double(right[language, default: 0]) / Double(count)
            print("language-id \(language): \(right[language, default: 0])/\(count) = \(String(format: "%.1f", accuracy * 100))%")
            #expect(accuracy >= (language == "ar-Latn" ? 0.80 : 0.95), "\(language): \(accuracy)")
        }
        let nine = total.filter { $0.key != "ar-Latn" }
        let nineRight = nine.keys.reduce(0) { $0 + right[$1, default: 0] }
        #expect(Double(nineRight) / Double(nine.values.reduce(0, +)) >= 0.95)
        print("language-id mistakes:\n" + mistakes.joined(separator: "\n"))
    }

    @Test func tooShortOrMixedIsUnknown() {
        #expect(Self.identifier.identify("ok").language == nil)
        #expect(Self.identifier.identify("?? 123 !!").language == nil)
        #expect(Self.identifier.identify("my account حسابي مقفول please help").language == nil)
        #expect(Self.identifier.identify("مرحبا، حسابي مقفول").language == "ar")
        // Arabic with diacritics and tatweel is still Arabic.
        #expect(Self.identifier.identify("أُرِيـــدُ اسْتِعَادَةَ حِسَابِي").language == "ar")
    }

    @Test func brazilianAndEuropeanPortuguese() {
        #expect(Self.identifier.identify("você pode me ajudar? meu celular não abre o aplicativo").language == "pt-BR")
        #expect(Self.identifier.identify("estou a tentar entrar mas o ecrã do telemóvel fica preto").language == "pt-PT")
        #expect(Self.identifier.identify("não consigo entrar na minha conta").language == "pt")
    }

    @Test func arabiziIsArabicInLatinLetters() {
        #expect(Self.identifier.identify("salam, 3afak l compte dyali tsefa7").language == "ar-Latn")
        #expect(Self.identifier.identify("ana mesh 3aref ad5ol 3ala el 7esab beta3i").language == "ar-Latn")
    }

    @Test func aBrokenModelFileIsExplained() {
        #expect(throws: LanguageModel.Invalid.self) { try LanguageModel(tsv: "hello") }
        #expect(throws: LanguageModel.Invalid(description: "line 4 needs 2 numbers")) {
            try LanguageModel(tsv: "haven-language-model\t1\nlanguages\ten\tfr\nunseen\t-1\t-1\nab\t-1\tx\n")
        }
    }
}
