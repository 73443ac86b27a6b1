import Foundation
import HavenCore
import Testing

@Suite struct TextNormalizerTests {
    @Test func bodiesGetOneKindOfLineEndingNoSurroundingSpaceAndNFC() {
        #expect(TextNormalizer.body("  Olá,\r\nminha conta\rfoi hackeada.\n\n ") == "Olá,\nminha conta\nfoi hackeada.")
        // "e" + combining acute (as macOS and some phones type it) is stored as the one precomposed "é".
        #expect(TextNormalizer.body("cafe\u{301}") == "caf\u{E9}")
        #expect(Array(TextNormalizer.body("cafe\u{301}").unicodeScalars).count == 4)
        // Arabic with its harakat and an alef with hamza written as two scalars (U+0627 U+0654 → U+0623).
        #expect(TextNormalizer.body("\u{A0}\u{627}\u{654}\u{646}\u{627}\u{2003}") == "\u{623}\u{646}\u{627}")
        #expect(TextNormalizer.body(" \t\r\n\u{2028}") == "")
        #expect(TextNormalizer.body("plain") == "plain")
    }

    @Test func bodyAgreesWithFoundationOnRandomText() {
        // The fast path must give what Foundation's NFC and trimming give.
        let alphabet: [Unicode.Scalar] = ["a", "Z", " ", "\r", "\n", "\t", "\u{A0}", "\u{E9}", "\u{301}", "\u{627}", "\u{654}", "\u{64E}", "\u{2003}", "\u{1F600}", "\u{85}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            var text = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &generator) { text.append(alphabet.randomElement(using: &generator)!) }
            let input = String(text)
            // Line endings replaced scalar by scalar: Foundation's `replacingOccurrences` works on Characters and
            // leaves a "\r" alone when a combining mark follows it.
            var unified = String.UnicodeScalarView()
            var scalars = Array(input.unicodeScalars)[...]
            while let scalar = scalars.popFirst() {
                if scalar == "\r" {
                    unified.append("\n")
                    if scalars.first == "\n" { scalars.removeFirst() }
                } else {
                    unified.append(scalar)
                }
            }
            let expected = String(unified).precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(Array(TextNormalizer.body(input).unicodeScalars) == Array(expected.unicodeScalars), "\(Array(input.unicodeScalars))")
        }
    }
}
