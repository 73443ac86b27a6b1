import Foundation

public enum Harm: String, Codable, Sendable, CaseIterable {
    case selfHarm = "self_harm"
    case childSafety = "child_safety"
    case violentThreat = "violent_threat"
    case bullying
    case hateSpeech = "hate_speech"
    case animalCruelty = "animal_cruelty"
}

public enum RiskLevel: String, Codable, Sendable, CaseIterable, Comparable {
    case none, medium, high, critical

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// One piece of evidence an agent can read: "self-harm: 'não quero mais viver' (pt), first person, no negation".
public struct RiskSignal: Sendable, Equatable, Codable {
    public var harm: Harm
    public var level: RiskLevel
    /// The words as the customer wrote them.
    public var excerpt: String
    public var language: String
    public var notes: [String]

    public var description: String {
        "\(harm.rawValue.replacingOccurrences(of: "_", with: "-")): '\(excerpt)' (\(language))" + (notes.isEmpty ? "" : ", " + notes.joined(separator: ", "))
    }
}

public struct RiskAssessment: Sendable, Equatable {
    public var level: RiskLevel
    public var harms: [Harm]
    public var signals: [RiskSignal]

    public static let none = RiskAssessment(level: .none, harms: [], signals: [])
}

/// The phrases risk detection looks for, per harm and language, with the words that negate them and the idioms
/// that only sound violent. A data file (`risk-lexicon.json`) a safety admin can extend without a rebuild:
/// every entry is checked on load and a bad one is named with what to fix.
public struct RiskLexicon: Sendable {
    public struct Entry: Codable, Sendable, Equatable {
        public var harm: Harm
        public var level: RiskLevel
        public var language: String
        /// Words; "*" stands for up to three words ("quero * morrer").
        public var phrase: String
        /// "first" (the writer, about themself), "other" (about or to someone else); nil: either.
        public var person: String?
        public var note: String?
        /// A context (`contexts` in the file) that must also occur somewhere in the message: "keep it secret" is
        /// child safety only when a child is mentioned ("minor"), "on fire" animal cruelty only with an animal.
        public var with: String?
    }

    struct File: Codable {
        var version: Int
        var phrases: [Entry]
        var negations: [String: [String]]
        var hyperbole: [String: [String]]
        /// Named word lists, per language, that entries can require (`with`).
        var contexts: [String: [String: [String]]]?
    }

    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    struct Pattern: Sendable {
        var entry: Entry
        var keys: [String]
    }

    var patterns: [Pattern] = []
    /// First word → the patterns that start with it.
    var byFirstWord: [String: [Int]] = [:]
    /// Per language: "no" negates in English, and is "in the" in Portuguese.
    var negations: [String: Set<String>] = [:]
    var hyperbole: [[String]] = []
    /// First word → the idioms that start with it (a message is checked word by word, not idiom by idiom).
    var hyperboleByFirstWord: [String: [Int]] = [:]
    /// Context name → its phrases' words.
    var contexts: [String: [[String]]] = [:]

    public init() {}

    /// Reads one lexicon file; several files add up (`merge`).
    public init(json: Data, name: String = "risk lexicon") throws(Invalid) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: json)
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            // A value that is not one of the allowed ones ("level": "sev").
            throw Invalid(description: "\(name): \(Self.path(context.codingPath)): \(context.debugDescription); harms are \(Harm.allCases.map(\.rawValue).joined(separator: ", ")), levels medium, high, critical")
        } catch let DecodingError.dataCorrupted(context) {
            throw Invalid(description: "\(name) is not valid JSON: \(context.debugDescription)")
        } catch let DecodingError.keyNotFound(key, context) {
            throw Invalid(description: "\(name): \(Self.path(context.codingPath)) needs \"\(key.stringValue)\"")
        } catch let DecodingError.typeMismatch(_, context) {
            throw Invalid(description: "\(name): \(Self.path(context.codingPath)) has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw Invalid(description: "\(name): \(Self.path(context.codingPath)) is missing")
        } catch {
            throw Invalid(description: "\(name) could not be read: \(error)")
        }
        guard file.version == 1 else { throw Invalid(description: "\(name): version must be 1") }
        for (context, languages) in file.contexts ?? [:] {
            contexts[context, default: []] += languages.values.joined().map(TriageText.phraseKeys).filter { !$0.isEmpty }
        }
        for (index, entry) in file.phrases.enumerated() {
            let keys = TriageText.phraseKeys(entry.phrase)
            guard !keys.isEmpty, keys.first != "*", keys.last != "*", keys.count <= 12 else {
                throw Invalid(description: "\(name): phrase \(index + 1) ('\(entry.phrase)') must have 1 to 12 words and not start or end with *")
            }
            if let person = entry.person, !["first", "other"].contains(person) {
                throw Invalid(description: "\(name): phrase \(index + 1) ('\(entry.phrase)'): person is first or other, not '\(person)'")
            }
            guard entry.level != .none else { throw Invalid(description: "\(name): phrase \(index + 1) ('\(entry.phrase)'): level is medium, high or critical") }
            add(Pattern(entry: entry, keys: keys))
        }
        negations = file.negations.mapValues { Set($0.compactMap(TriageText.canonical)) }
        hyperbole = file.hyperbole.values.joined().map(TriageText.phraseKeys).filter { !$0.isEmpty }
        indexHyperbole()
    }

    /// Another file's entries added to these.
    public mutating func merge(_ other: RiskLexicon) {
        for pattern in other.patterns { add(pattern) }
        negations.merge(other.negations) { $0.union($1) }
        hyperbole += other.hyperbole
        indexHyperbole()
        contexts.merge(other.contexts, uniquingKeysWith: +)
    }

    public var count: Int { patterns.count }

    private mutating func indexHyperbole() {
        hyperboleByFirstWord = Dictionary(grouping: hyperbole.indices, by: { hyperbole[$0][0] })
    }

    /// Phrases whose `with` names a context that no file defines (checked once all files are merged, so an
    /// admin's file can use Haven's "minor" or "animal").
    public var unknownContexts: [String] {
        patterns.compactMap { pattern in
            pattern.entry.with.flatMap { contexts[$0] == nil ? "'\(pattern.entry.phrase)' needs the context '\($0)', which no lexicon file defines" : nil }
        }
    }

    private mutating func add(_ pattern: Pattern) {
        byFirstWord[pattern.keys[0], default: []].append(patterns.count)
        patterns.append(pattern)
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.map { $0.intValue.map { "[\($0 + 1)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }
}

/// Finds self-harm, child-safety, threat, bullying, hate and animal-cruelty signals in a message, in context:
/// idioms that only sound violent ("this bug is killing me", "je meurs de rire") are set aside first; a phrase
/// right after a negation ("I would never hurt myself") is dropped; a phrase that needs a context ("keep it secret"
/// with a child mentioned) counts only with it; quoting and reporting keep their level (a report of bullying is
/// bullying).
public struct RiskDetector: Sendable {
    public let lexicon: RiskLexicon
    /// How many words before a phrase a negation still applies to.
    static let negationReach = 3

    public init(lexicon: RiskLexicon) {
        self.lexicon = lexicon
    }

    public func assess(_ text: String) -> RiskAssessment {
        assess(TriageText(text))
    }

    /// The same, on text already read (triage reads a message once for risk and topic).
    public func assess(_ triageText: TriageText) -> RiskAssessment {
        let text = triageText.original
        let words = triageText.words
        guard !words.isEmpty else { return .none }
        let idiomatic = idiomWords(words)
        var signals: [RiskSignal] = []
        var covered = Set<Int>()
        var contextPresent: [String: Bool] = [:]
        func present(_ context: String) -> Bool {
            if let known = contextPresent[context] { return known }
            let found = (lexicon.contexts[context] ?? []).contains { keys in words.indices.contains { match(keys, in: words, at: $0) != nil } }
            contextPresent[context] = found
            return found
        }
        for start in words.indices where !idiomatic.contains(start) {
            var candidates = lexicon.byFirstWord[words[start].key] ?? []
            if let alternate = words[start].alternate { candidates += lexicon.byFirstWord[alternate] ?? [] }
            for index in candidates {
                let pattern = lexicon.patterns[index]
                guard let end = match(pattern.keys, in: words, at: start), !(start...end).contains(where: idiomatic.contains) else { continue }
                // A longer phrase already covering these words said it (e.g. "want to kill myself" and "kill myself").
                if (start...end).allSatisfy(covered.contains) { continue }
                if let context = pattern.entry.with, !present(context) { continue }
                guard let signal = signal(for: pattern.entry, words: words, span: start...end, text: text) else { continue }
                covered.formUnion(start...end)
                signals.append(signal)
            }
        }
        guard !signals.isEmpty else { return .none }
        let level = signals.map(\.level).max() ?? .none
        var harms: [Harm] = []
        for signal in signals.sorted(by: { $0.level > $1.level }) where !harms.contains(signal.harm) { harms.append(signal.harm) }
        return RiskAssessment(level: level, harms: harms, signals: signals.sorted { $0.level > $1.level })
    }

    private func signal(for entry: RiskLexicon.Entry, words: [TriageText.Word], span: ClosedRange<Int>, text: String) -> RiskSignal? {
        let level = entry.level
        var notes: [String] = []
        if let person = entry.person { notes.append(person == "first" ? "first person" : "about someone else") }
        let negations = lexicon.negations[entry.language] ?? lexicon.negations[String(entry.language.prefix { $0 != "-" })] ?? []
        let reach = max(0, span.lowerBound - Self.negationReach)..<span.lowerBound
        // "I would never hurt myself": said to be reassuring, not a risk (the eval set's decoys hold this to account).
        if reach.contains(where: { words[$0].clause == words[span.lowerBound].clause && negations.contains(words[$0].key) }) { return nil }
        notes.append("no negation")
        if let context = entry.with { notes.append("with \(context.replacingOccurrences(of: "_", with: " "))") }
        if span.contains(where: { words[$0].quoted }) { notes.append("quoted") }
        if let note = entry.note { notes.append(note) }
        let excerpt = String(text[words[span.lowerBound].range.lowerBound..<words[span.upperBound].range.upperBound])
        return RiskSignal(harm: entry.harm, level: level, excerpt: excerpt, language: entry.language, notes: notes)
    }

    /// The last word of `keys` matched from `start` (keys or leet readings; "*" skips up to three words).
    private func match(_ keys: [String], in words: [TriageText.Word], at start: Int) -> Int? {
        func matches(_ key: String, _ word: TriageText.Word) -> Bool { word.key == key || word.alternate == key }
        func step(_ k: Int, _ w: Int) -> Int? {
            if k == keys.count { return w - 1 }
            guard w < words.count else { return nil }
            if keys[k] == "*" {
                for skip in 0...3 where w + skip < words.count {
                    if let end = step(k + 1, w + skip) { return end }
                }
                return nil
            }
            return matches(keys[k], words[w]) ? step(k + 1, w + 1) : nil
        }
        return step(0, start)
    }

    /// Words inside an idiom that only sounds violent.
    private func idiomWords(_ words: [TriageText.Word]) -> Set<Int> {
        var set = Set<Int>()
        for start in words.indices {
            var candidates = lexicon.hyperboleByFirstWord[words[start].key] ?? []
            if let alternate = words[start].alternate { candidates += lexicon.hyperboleByFirstWord[alternate] ?? [] }
            for index in candidates {
                if let end = match(lexicon.hyperbole[index], in: words, at: start) { set.formUnion(start...end) }
            }
        }
        return set
    }
}
