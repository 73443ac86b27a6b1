import Foundation

/// The trained tables of the language identifier: for each character n-gram (1 to 4 scalars of a word padded
/// with spaces), its log-probability under each language. Made offline by `scripts/language-id/train.py`
/// from wordfreq's frequency lists and examples written for Haven; read once at start.
public struct LanguageModel: Sendable {
    public let languages: [String]
    let unseen: [Float]
    /// n-gram (its UTF-8 bytes packed in a UInt64) → offset of its row in `table`.
    let rows: GramRows
    let table: [Float]

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Reads the model file's text; the error says which line is wrong.
    public init(tsv: String) throws(Invalid) {
        var lines = tsv.split(separator: "\n", omittingEmptySubsequences: true).makeIterator()
        guard lines.next() == "haven-language-model\t1" else { throw Invalid(description: "not a Haven language model (version 1): the first line is wrong") }
        guard let header = lines.next()?.split(separator: "\t"), header.first == "languages", header.count > 2 else {
            throw Invalid(description: "line 2 must list the languages")
        }
        languages = header.dropFirst().map(String.init)
        let width = languages.count
        func floats(_ fields: ArraySlice<Substring>, line: Int) throws(Invalid) -> [Float] {
            let values = fields.compactMap { Float($0) }
            guard values.count == width, fields.count == width else { throw Invalid(description: "line \(line) needs \(width) numbers") }
            return values
        }
        guard let unseenLine = lines.next()?.split(separator: "\t", omittingEmptySubsequences: false), unseenLine.first == "unseen" else {
            throw Invalid(description: "line 3 must give the unseen n-gram costs")
        }
        unseen = try floats(unseenLine.dropFirst(), line: 3)
        var rows: [(UInt64, Int32)] = [], table: [Float] = []
        var number = 3
        while let line = lines.next() {
            number += 1
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == width + 1, let key = Self.key(Array(fields[0].utf8)) else { throw Invalid(description: "line \(number) is not an n-gram row") }
            rows.append((key, Int32(table.count)))
            table += try floats(fields.dropFirst(), line: number)
        }
        self.rows = GramRows(rows)
        self.table = table
    }

    /// Up to 8 UTF-8 bytes packed, first byte lowest; nil when longer. Unambiguous without a length: no n-gram
    /// holds a NUL byte, so the zero bytes above a short n-gram cannot be part of a longer one.
    static func key(_ bytes: some Collection<UInt8>) -> UInt64? {
        guard bytes.count <= 8 else { return nil }
        var key: UInt64 = 0
        for (shift, byte) in bytes.enumerated() { key |= UInt64(byte) << (8 * UInt64(shift)) }
        return key
    }
}

/// n-gram key → row offset, open addressing with linear probing: the identifier looks up every n-gram of every
/// message, and a Dictionary's seeded SipHash was a fifth of its time. Key 0 marks an empty slot (no n-gram is 0).
struct GramRows: Sendable {
    let keys: [UInt64]
    let offsets: [Int32]
    let shift: UInt64

    init(_ rows: [(UInt64, Int32)]) {
        var bits: UInt64 = 4
        while (1 << bits) < rows.count * 2 { bits += 1 }
        shift = 64 - bits
        var keys = [UInt64](repeating: 0, count: 1 << bits), offsets = [Int32](repeating: 0, count: 1 << bits)
        let mask = (1 << Int(bits)) - 1
        for (key, offset) in rows {
            var slot = Self.slot(key, shift: shift)
            while keys[slot] != 0, keys[slot] != key { slot = (slot + 1) & mask }
            keys[slot] = key
            offsets[slot] = offset
        }
        self.keys = keys
        self.offsets = offsets
    }

    @inline(__always) static func slot(_ key: UInt64, shift: UInt64) -> Int { Int((key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    subscript(key: UInt64) -> Int32? {
        let mask = keys.count - 1
        var slot = Self.slot(key, shift: shift)
        while true {
            let found = keys[slot]
            if found == key { return offsets[slot] }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }
}

/// What language a text is in: a BCP 47 tag, or nil ("unknown") when the text is too short, mixes scripts, or
/// the evidence is too even; `confidence` is the winner's share of the probability against the runner-up.
public struct LanguageIdentification: Sendable, Equatable {
    public var language: String?
    public var confidence: Double
    public var reason: String?
}

/// Language identification, no I/O: Arabic script is Arabic; Latin text is scored by naive Bayes over character
/// n-grams among English, Portuguese, French, Spanish, Italian, German, Indonesian, Turkish and Arabizi (Arabic
/// in Latin letters and digits, `ar-Latn`); Portuguese is told apart as pt-BR or pt-PT by words only one of
/// them uses.
public struct LanguageIdentifier: Sendable {
    public let model: LanguageModel
    /// Fewer letters than this: unknown.
    public var minimumLetters = 5
    /// Below this average log-probability lead per n-gram over the runner-up: unknown.
    public var minimumMargin: Float = 0.05

    public init(model: LanguageModel) {
        self.model = model
    }

    public func identify(_ text: String) -> LanguageIdentification {
        var arabic = 0, latin = 0
        for scalar in text.unicodeScalars.prefix(1_000) {
            if (0x0600...0x06FF).contains(scalar.value) || (0x0750...0x077F).contains(scalar.value) || (0xFB50...0xFEFF).contains(scalar.value) {
                if Self.isLetter(scalar) { arabic += 1 }
            } else if Self.isLetter(scalar), scalar.value < 0x0250 { latin += 1 }
        }
        guard arabic + latin >= minimumLetters else { return LanguageIdentification(language: nil, confidence: 0, reason: "too short") }
        let letters = Double(arabic + latin)
        if Double(arabic) / letters >= 0.7 { return LanguageIdentification(language: "ar", confidence: Double(arabic) / letters, reason: nil) }
        if Double(arabic) / letters > 0.3 { return LanguageIdentification(language: nil, confidence: 0, reason: "mixed Arabic and Latin script") }

        var scores = [Float](repeating: 0, count: model.languages.count)
        var count = 0
        Self.forEachGram(in: text) { key in
            count += 1
            if let row = model.rows[key] {
                let offset = Int(row)
                for index in scores.indices { scores[index] += model.table[offset + index] }
            } else {
                for index in scores.indices { scores[index] += model.unseen[index] }
            }
        }
        guard count > 0 else { return LanguageIdentification(language: nil, confidence: 0, reason: "no words") }
        let ranked = scores.indices.sorted { scores[$0] > scores[$1] }
        let lead = scores[ranked[0]] - scores[ranked[1]]
        let confidence = 1 / (1 + exp(-Double(lead)))
        guard lead / Float(count) >= minimumMargin else {
            return LanguageIdentification(language: nil, confidence: confidence, reason: "between \(model.languages[ranked[0]]) and \(model.languages[ranked[1]])")
        }
        var language = model.languages[ranked[0]]
        if language == "pt" { language = PortugueseVariety.of(text) }
        return LanguageIdentification(language: language, confidence: confidence, reason: nil)
    }

    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? (0x30...0x39).contains(scalar.value) : scalar.properties.generalCategory == .decimalNumber
    }

    /// The words as the training script cuts them (lower case, Arabic marks and tatweel dropped, letters and
    /// digits, words of digits only dropped), and each word's n-grams, packed.
    static func forEachGram(in text: String, _ body: (UInt64) -> Void) {
        // " word " as UTF-8, with the offset where each scalar starts; reused from word to word.
        var bytes: [UInt8] = [0x20], starts: [Int] = [0]
        var allDigits = true
        func flush() {
            defer {
                bytes.removeAll(keepingCapacity: true)
                starts.removeAll(keepingCapacity: true)
                bytes.append(0x20)
                starts.append(0)
                allDigits = true
            }
            guard bytes.count > 1, !allDigits else { return }
            starts.append(bytes.count)
            bytes.append(0x20)
            starts.append(bytes.count)
            let scalars = starts.count - 1
            for n in 1...4 {
                guard n <= scalars else { break }
                for first in 0...(scalars - n) {
                    let from = starts[first], to = starts[first + n]
                    // An n-gram of padding alone is no evidence; more than 8 bytes has no key.
                    if n == 1, bytes[from] == 0x20 { continue }
                    guard to - from <= 8 else { continue }
                    var key: UInt64 = 0
                    for offset in from..<to { key |= UInt64(bytes[offset]) << (8 * UInt64(offset - from)) }
                    body(key)
                }
            }
        }
        func append(_ scalar: Unicode.Scalar) {
            starts.append(bytes.count)
            if scalar.value < 0x80 { bytes.append(UInt8(scalar.value)) } else { bytes.append(contentsOf: UTF8.encode(scalar)!) }
        }
        for scalar in text.unicodeScalars.prefix(2_000) {
            if TriageText.isArabicMark(scalar) { continue }
            if isLetter(scalar) {
                if scalar.value >= 0x41, scalar.value <= 0x5A {
                    append(Unicode.Scalar(scalar.value + 0x20)!)
                } else if !scalar.isASCII, scalar.properties.changesWhenLowercased {
                    for lower in scalar.properties.lowercaseMapping.unicodeScalars { append(lower) }
                } else {
                    append(scalar)
                }
                allDigits = false
            } else if isDigit(scalar) {
                append(scalar)
            } else {
                flush()
            }
        }
        flush()
    }
}

/// Brazilian or European Portuguese, by words one uses and the other does not ("você", "celular", "tela" against
/// "telemóvel", "ecrã", "estou a fazer"); plain "pt" when the text does not say.
enum PortugueseVariety {
    static let brazilian: Set<String> = [
        "você", "vocês", "celular", "tela", "usuário", "cadastro", "ônibus", "oi", "tchau", "gente", "legal", "planilha", "registro",
        "time", "banheiro", "trem", "moça", "cara", "né", "pra", "pro", "tá", "dá", "vcs", "vc", "aí", "baixar", "arquivo", "deletar",
    ]
    static let european: Set<String> = [
        "telemóvel", "ecrã", "utilizador", "registo", "contacto", "facto", "autocarro", "fixe", "pá", "comboio", "rapariga",
        "equipa", "secção", "descarregar", "ficheiro", "estás", "tens", "podes", "queres", "obrigadinho", "giro", "miúdo",
    ]

    static func of(_ text: String) -> String {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter })
        var brazil = 0, portugal = 0
        for (index, word) in words.enumerated() {
            if brazilian.contains(String(word)) { brazil += 1 }
            if european.contains(String(word)) { portugal += 1 }
            // "estou a fazer" (Portugal) against "estou fazendo" (Brazil).
            if word == "a", index + 1 < words.count, index > 0, ["estou", "está", "estás", "estamos", "estão", "ando"].contains(String(words[index - 1])),
               words[index + 1].hasSuffix("ar") || words[index + 1].hasSuffix("er") || words[index + 1].hasSuffix("ir") { portugal += 1 }
            if word.hasSuffix("ando") || word.hasSuffix("endo") || word.hasSuffix("indo"), index > 0,
               ["estou", "está", "estamos", "estão", "fico", "ficou"].contains(String(words[index - 1])) { brazil += 1 }
        }
        if brazil > portugal { return "pt-BR" }
        if portugal > brazil { return "pt-PT" }
        return "pt"
    }
}
