import Foundation

/// Text as risk detection reads it: words in a canonical form, so spelling games do not hide a phrase.
///
/// Each word is lower-cased; Latin accents are dropped ("não" → "nao"); Arabic loses its diacritics and tatweel
/// and has its alef, yeh, teh marbuta, hamza-on-waw/yeh forms unified; runs of a repeated letter count once
/// ("killlll", "kill" → "kil": applied to lexicon phrases too, so they still meet); a few emoji become words
/// ("🔪" → "knife"). A word with digits among letters also gets a leetspeak reading ("k1ll" → "kil"), unless it
/// looks like Arabizi, where the digits are letters ("3" for ع, "7" for ح).
public struct TriageText: Sendable, Equatable {
    public struct Word: Sendable, Equatable {
        /// The canonical form matched against lexicons.
        public var key: String
        /// Another reading, when there is one: leetspeak with its digits as letters ("k1ll" → "kil"), or an Arabic
        /// word without its leading "و" ("and"), which is written joined to the next word ("وأقتلكم").
        public var alternate: String?
        /// Where the word is in the original text (for quoting it in a signal).
        public var range: Range<String.Index>
        /// Inside quotation marks.
        public var quoted: Bool
        /// Which clause (between , . ; : ! ? and line breaks) the word is in: a negation reaches only its own.
        public var clause: Int
    }

    public let original: String
    public let words: [Word]

    static let emoji: [Unicode.Scalar: String] = [
        "🔪": "knife", "🔫": "gun", "💣": "bomb", "🪦": "grave", "⚰": "coffin", "🩸": "blood", "😂": "haha", "🤣": "haha", "💀": "dead",
    ]
    static let leetDigits: [Character: Character] = ["0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"]
    static let quotes: Set<Character> = ["\"", "“", "”", "«", "»", "„", "‘", "’"]

    public init(_ text: String) {
        original = text
        var words: [Word] = []
        var quoted = false
        var clause = 0
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if Self.quotes.contains(character) {
                // ’ between letters is an apostrophe (d’accès), not a quotation mark.
                let next = text.index(after: index)
                let between = index > text.startIndex && text[text.index(before: index)].isLetter && next < text.endIndex && text[next].isLetter
                if !between { quoted.toggle() }
                index = next
                continue
            }
            if let scalar = character.unicodeScalars.first, let word = Self.emoji[scalar] {
                words.append(Word(key: word, alternate: nil, range: index..<text.index(after: index), quoted: quoted, clause: clause))
                index = text.index(after: index)
                continue
            }
            guard Self.isWordCharacter(character) else {
                if ",.;:!?\n¿¡،؛؟".contains(character) { clause += 1 }
                index = text.index(after: index)
                continue
            }
            let start = index
            while index < text.endIndex, Self.isWordCharacter(text[index]) { index = text.index(after: index) }
            let raw = String(text[start..<index])
            guard let key = Self.canonical(raw) else { continue }
            var leet: String?
            if raw.contains(where: { $0.isNumber || $0 == "@" || $0 == "$" }), raw.contains(where: \.isLetter), !Self.looksArabizi(raw) {
                leet = Self.canonical(String(raw.map { Self.leetDigits[$0] ?? $0 }))
                if leet == key { leet = nil }
            }
            if leet == nil, key.hasPrefix("\u{0648}"), key.unicodeScalars.count >= 4 { leet = String(key.unicodeScalars.dropFirst()) }
            words.append(Word(key: key, alternate: leet, range: start..<index, quoted: quoted, clause: clause))
        }
        self.words = words
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "@" || character == "$"
    }

    /// Arabic diacritics (harakat, shadda, sukun, superscript alef) and tatweel: spelling, not letters. (The same
    /// set as `ARABIC_MARKS` in scripts/language-id/train.py.)
    static func isArabicMark(_ scalar: Unicode.Scalar) -> Bool {
        (0x064B...0x065F).contains(scalar.value) || scalar.value == 0x0670 || scalar.value == 0x0640
    }

    /// Arabizi uses 2, 3, 5, 7 and 9 as letters ("3afak", "7sab", "ma9dertch"); leetspeak uses 0, 1, 4, 8, @ and $
    /// ("k1ll", "h4te"), which Arabizi does not.
    static func looksArabizi(_ word: String) -> Bool {
        word.contains(where: { "23579".contains($0) }) && !word.contains(where: { "0148@$".contains($0) })
    }

    /// The canonical form of one word, or nil when nothing is left (a word of digits only stays: "11 anos").
    public static func canonical(_ word: String) -> String? {
        var out: [Unicode.Scalar] = []
        for scalar in word.lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            let value = scalar.value
            // Latin combining accents and Arabic diacritics, tatweel.
            if (0x0300...0x036F).contains(value) || isArabicMark(scalar) { continue }
            var mapped = scalar
            switch value {
            case 0x0622, 0x0623, 0x0625, 0x0671: mapped = "\u{0627}"  // آ أ إ ٱ → ا
            case 0x0649: mapped = "\u{064A}"  // ى → ي
            case 0x0629: mapped = "\u{0647}"  // ة → ه
            case 0x0624: mapped = "\u{0648}"  // ؤ → و
            case 0x0626: mapped = "\u{064A}"  // ئ → ي
            case 0x0131: mapped = "i"  // dotless ı
            default: break
            }
            if out.last == mapped { continue }  // a repeated letter counts once
            out.append(mapped)
        }
        return out.isEmpty ? nil : String(String.UnicodeScalarView(out))
    }

    /// A phrase from a lexicon in the same canonical form, word by word ("*" stays a gap).
    public static func phraseKeys(_ phrase: String) -> [String] {
        TriageText(phrase.replacingOccurrences(of: "*", with: " gapxq ")).words.map { $0.key == "gapxq" ? "*" : $0.key }
    }
}
