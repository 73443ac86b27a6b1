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
    static let quotes: Set<Unicode.Scalar> = ["\"", "“", "”", "«", "»", "„", "‘", "’"]

    public init(_ text: String) {
        original = text
        var words: [Word] = []
        var quoted = false
        var clause = 0
        // Read scalar by scalar (grapheme breaking is most of the cost of reading by Character); a word is a run of
        // letters, digits, "@", "$" and the combining marks on them.
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        var previousIsLetter = false
        var key: [Unicode.Scalar] = []
        while index < scalars.endIndex {
            let scalar = scalars[index]
            let next = scalars.index(after: index)
            if Self.quotes.contains(scalar) {
                // ’ between letters is an apostrophe (d’accès), not a quotation mark.
                let between = previousIsLetter && next < scalars.endIndex && ScalarTable.isLetter(scalars[next])
                if !between { quoted.toggle() }
                previousIsLetter = false
                index = next
                continue
            }
            if let word = Self.emoji[scalar] {
                words.append(Word(key: word, alternate: nil, range: index..<next, quoted: quoted, clause: clause))
                previousIsLetter = false
                index = next
                continue
            }
            guard ScalarTable.startsWord(scalar) else {
                if Self.clauseEnds.contains(scalar) { clause += 1 }
                previousIsLetter = false
                index = next
                continue
            }
            let start = index
            var hasLetter = false, hasDigitOrSign = false
            key.removeAll(keepingCapacity: true)
            while index < scalars.endIndex, ScalarTable.continuesWord(scalars[index]) {
                let scalar = scalars[index]
                if ScalarTable.isLetter(scalar) { hasLetter = true } else if !ScalarTable.isMark(scalar) { hasDigitOrSign = true }
                ScalarTable.appendCanonical(scalar, to: &key)
                index = scalars.index(after: index)
            }
            previousIsLetter = ScalarTable.kindOf(scalars[scalars.index(before: index)]) & (ScalarTable.letter | ScalarTable.mark) != 0
            guard !key.isEmpty else { continue }
            let canonical = String(String.UnicodeScalarView(key))
            var alternate: String?
            if hasDigitOrSign, hasLetter {
                let raw = String(text.unicodeScalars[start..<index])
                if !Self.looksArabizi(raw) {
                    alternate = Self.canonical(String(raw.map { Self.leetDigits[$0] ?? $0 }))
                    if alternate == canonical { alternate = nil }
                }
            }
            if alternate == nil, key.first == "\u{0648}", key.count >= 4 { alternate = String(String.UnicodeScalarView(key.dropFirst())) }
            words.append(Word(key: canonical, alternate: alternate, range: start..<index, quoted: quoted, clause: clause))
        }
        self.words = words
    }

    static let clauseEnds: Set<Unicode.Scalar> = [",", ".", ";", ":", "!", "?", "\n", "¿", "¡", "،", "؛", "؟"]

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
        for scalar in word.unicodeScalars { ScalarTable.appendCanonical(scalar, to: &out) }
        return out.isEmpty ? nil : String(String.UnicodeScalarView(out))
    }

    /// A phrase from a lexicon in the same canonical form, word by word ("*" stays a gap).
    public static func phraseKeys(_ phrase: String) -> [String] {
        TriageText(phrase.replacingOccurrences(of: "*", with: " gapxq ")).words.map { $0.key == "gapxq" ? "*" : $0.key }
    }
}

/// What reading a word needs to know of each scalar, worked out once: whether it is a letter, digit or mark, and its
/// canonical form (lower case, accents and Arabic marks dropped, Arabic letter forms unified). Scalars below U+3000
/// (every script triage reads) come from a table; the rest are worked out each time.
enum ScalarTable {
    static let limit: UInt32 = 0x3000
    static let letter: UInt8 = 1, digit: UInt8 = 2, mark: UInt8 = 4
    /// Bit flags per scalar below `limit`.
    static let kinds: [UInt8] = (0..<limit).map { value in Unicode.Scalar(value).map(kind) ?? 0 }
    /// The canonical form per scalar below `limit`: 0 dropped, `multiple` when it becomes several scalars.
    static let forms: [UInt32] = (0..<limit).map { value in
        guard let scalar = Unicode.Scalar(value) else { return 0 }
        let form = slowForm(scalar)
        return form.count == 1 ? form[0].value : form.isEmpty ? 0 : multiple
    }
    static let multiple: UInt32 = .max

    static func kind(_ scalar: Unicode.Scalar) -> UInt8 {
        let properties = scalar.properties
        var kind: UInt8 = 0
        if properties.isAlphabetic { kind |= letter }
        if properties.numericType != nil { kind |= digit }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: kind |= mark
        default: break
        }
        return kind
    }

    @inline(__always) static func kindOf(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar.value < 0x80 {
            let lower = scalar.value | 0x20
            if lower >= 0x61, lower <= 0x7A { return letter }
            return scalar.value >= 0x30 && scalar.value <= 0x39 ? digit : 0
        }
        return scalar.value < limit ? kinds[Int(scalar.value)] : kind(scalar)
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool { kindOf(scalar) & letter != 0 }
    static func isMark(_ scalar: Unicode.Scalar) -> Bool { kindOf(scalar) & (mark | letter) == mark }
    static func startsWord(_ scalar: Unicode.Scalar) -> Bool { kindOf(scalar) & (letter | digit) != 0 || scalar == "@" || scalar == "$" }
    static func continuesWord(_ scalar: Unicode.Scalar) -> Bool { kindOf(scalar) != 0 || scalar == "@" || scalar == "$" }

    /// Appends the scalar's canonical form; a letter repeated counts once.
    @inline(__always) static func appendCanonical(_ scalar: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        var value = scalar.value
        if value < 0x80 {
            if value >= 0x41, value <= 0x5A { value += 0x20 }
            append(Unicode.Scalar(UInt8(value)), to: &out)
            return
        }
        let form = value < limit ? forms[Int(value)] : multiple
        if form == 0 { return }
        if form != multiple, let mapped = Unicode.Scalar(form) {
            append(mapped, to: &out)
            return
        }
        for mapped in slowForm(scalar) { append(mapped, to: &out) }
    }

    @inline(__always) static func append(_ scalar: Unicode.Scalar, to out: inout [Unicode.Scalar]) {
        if out.last != scalar { out.append(scalar) }
    }

    /// Lower case, canonical decomposition, Latin accents and Arabic marks and tatweel dropped, Arabic letter
    /// forms unified.
    static func slowForm(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        for scalar in String(scalar).lowercased().decomposedStringWithCanonicalMapping.unicodeScalars {
            let value = scalar.value
            if (0x0300...0x036F).contains(value) || TriageText.isArabicMark(scalar) { continue }
            switch value {
            case 0x0622, 0x0623, 0x0625, 0x0671: out.append("\u{0627}")  // آ أ إ ٱ → ا
            case 0x0649: out.append("\u{064A}")  // ى → ي
            case 0x0629: out.append("\u{0647}")  // ة → ه
            case 0x0624: out.append("\u{0648}")  // ؤ → و
            case 0x0626: out.append("\u{064A}")  // ئ → ي
            case 0x0131: out.append("i")  // dotless ı
            default: out.append(scalar)
            }
        }
        return out
    }
}
