import Foundation

/// One message of a labelled set (`haven triage eval FILE.jsonl`, one JSON object per line): what a careful
/// reader says it is.
public struct LabelledMessage: Codable, Sendable, Equatable {
    public var text: String
    /// The language it is written in: en, pt-BR, pt-PT, pt, fr, ar, ar-Latn (Arabizi), or another BCP 47 tag.
    public var language: String
    public var level: RiskLevel
    public var harms: [Harm]
    public var topic: Topic?
    /// Why it is in the set ("decoy: hyperbole", "algospeak"): shown next to a miss.
    public var note: String?

    public init(text: String, language: String, level: RiskLevel, harms: [Harm], topic: Topic? = nil, note: String? = nil) {
        self.text = text
        self.language = language
        self.level = level
        self.harms = harms
        self.topic = topic
        self.note = note
    }

    /// Reads JSON lines; a bad line is named with its number.
    public static func read(jsonLines: String) throws(RiskLexicon.Invalid) -> [LabelledMessage] {
        var messages: [LabelledMessage] = []
        for (number, line) in jsonLines.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            do {
                messages.append(try JSONDecoder().decode(LabelledMessage.self, from: Data(trimmed.utf8)))
            } catch {
                throw RiskLexicon.Invalid(description: "line \(number + 1): \(Self.explain(error))")
            }
        }
        return messages
    }

    static func explain(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "needs \"\(key.stringValue)\""
        case DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty:
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        case DecodingError.typeMismatch(_, let context): "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        default: "not a JSON object with text, language, level, harms (and optionally topic, note)"
        }
    }

    /// The group a message is reported in: its base language, with Arabizi apart.
    var group: String {
        language == "ar-Latn" ? "ar-Latn" : String(language.prefix { $0 != "-" })
    }
}

/// Counts for precision and recall.
public struct Tally: Sendable, Equatable {
    public var truePositives = 0
    public var falsePositives = 0
    public var falseNegatives = 0

    /// nil when nothing was predicted (precision) or nothing was there to find (recall).
    public var precision: Double? {
        truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives)
    }
    public var recall: Double? {
        truePositives + falseNegatives == 0 ? nil : Double(truePositives) / Double(truePositives + falseNegatives)
    }
}

/// How triage does on a labelled set, per language and per harm.
public struct TriageEvaluation: Sendable {
    public struct Group: Sendable, Equatable {
        public var name: String
        public var messages = 0
        public var languageCorrect = 0
        /// Labelled critical, found critical.
        public var critical = Tally()
        /// Over (message, harm) pairs.
        public var harms = Tally()
        /// Labelled with a topic / suggested that topic.
        public var topicLabelled = 0
        public var topicCorrect = 0
        /// [labelled level][found level].
        public var levels: [RiskLevel: [RiskLevel: Int]] = [:]

        public var languageAccuracy: Double { messages == 0 ? 0 : Double(languageCorrect) / Double(messages) }
        public var topicAccuracy: Double? { topicLabelled == 0 ? nil : Double(topicCorrect) / Double(topicLabelled) }
    }

    public struct Miss: Sendable, Equatable {
        public var message: LabelledMessage
        public var found: TriageResult
        public var what: String
    }

    public private(set) var groups: [String: Group] = [:]
    public private(set) var overall = Group(name: "all")
    public private(set) var byHarm: [Harm: Tally] = [:]
    /// [labelled language][found language or "unknown"].
    public private(set) var languageConfusion: [String: [String: Int]] = [:]
    /// [labelled topic][suggested topic].
    public private(set) var topicConfusion: [Topic: [Topic: Int]] = [:]
    public private(set) var misses: [Miss] = []

    public init(_ messages: [LabelledMessage], triage: Triage) {
        for message in messages { add(message, found: triage.assess(message.text)) }
    }

    mutating func add(_ message: LabelledMessage, found: TriageResult) {
        let detected = found.language.language ?? "unknown"
        // pt-BR labelled, "pt" found (the text did not say which) counts as right; pt-PT for pt-BR does not.
        let languageRight = detected == message.language || (message.language.hasPrefix("pt") && detected == "pt")
        languageConfusion[message.language, default: [:]][detected, default: 0] += 1
        var groupTally = groups[message.group] ?? Group(name: message.group)
        var misses: [String] = []
        if !languageRight { misses.append("language \(detected)") }
        groupTally.count(message, found: found, languageRight: languageRight)
        overall.count(message, found: found, languageRight: languageRight)
        groups[message.group] = groupTally
        let foundHarms = Set(found.risk.harms)
        for harm in Harm.allCases {
            let labelled = message.harms.contains(harm)
            let flagged = foundHarms.contains(harm)
            if labelled && flagged { byHarm[harm, default: Tally()].truePositives += 1 }
            if flagged && !labelled {
                byHarm[harm, default: Tally()].falsePositives += 1
                misses.append("false \(harm.rawValue)")
            }
            if labelled && !flagged {
                byHarm[harm, default: Tally()].falseNegatives += 1
                misses.append("missed \(harm.rawValue)")
            }
        }
        if message.level != found.risk.level, message.level == .critical || found.risk.level == .critical {
            misses.append("level \(found.risk.level.rawValue), labelled \(message.level.rawValue)")
        }
        if let topic = message.topic {
            topicConfusion[topic, default: [:]][found.topic.topic, default: 0] += 1
        }
        if !misses.isEmpty { self.misses.append(Miss(message: message, found: found, what: misses.joined(separator: "; "))) }
    }
}

extension TriageEvaluation.Group {
    mutating func count(_ message: LabelledMessage, found: TriageResult, languageRight: Bool) {
        messages += 1
        if languageRight { languageCorrect += 1 }
        let labelledCritical = message.level == .critical, foundCritical = found.risk.level == .critical
        if labelledCritical && foundCritical { critical.truePositives += 1 }
        if foundCritical && !labelledCritical { critical.falsePositives += 1 }
        if labelledCritical && !foundCritical { critical.falseNegatives += 1 }
        let labelled = Set(message.harms), flagged = Set(found.risk.harms)
        harms.truePositives += labelled.intersection(flagged).count
        harms.falsePositives += flagged.subtracting(labelled).count
        harms.falseNegatives += labelled.subtracting(flagged).count
        levels[message.level, default: [:]][found.risk.level, default: 0] += 1
        if let topic = message.topic {
            topicLabelled += 1
            if topic == found.topic.topic { topicCorrect += 1 }
        }
    }
}

/// How much the topic model gains from what agents teach it: k-fold, each fold suggested by a model that learned
/// (online, one pass) from the other folds' labelled topics, against the cold start.
public struct TopicLearningCheck: Sendable {
    public private(set) var coldStart = Tally()
    public private(set) var learned = Tally()
    public private(set) var byGroup: [String: (cold: Int, learned: Int, total: Int)] = [:]
    public let folds: Int

    public init(_ messages: [LabelledMessage], triage: Triage, folds: Int = 2) {
        self.folds = folds
        // Interleaved folds, so each holds every language and topic.
        let labelled = messages.enumerated().filter { $0.element.topic != nil }
        for fold in 0..<folds {
            var model = triage.topics
            for (index, message) in labelled where index % folds != fold {
                let text = TriageText(message.text)
                model.learn(text, topic: message.topic!, harms: triage.risk.assess(text).harms)
            }
            for (index, message) in labelled where index % folds == fold {
                let text = TriageText(message.text)
                let harms = triage.risk.assess(text).harms
                let cold = triage.topics.suggest(text, harms: harms).topic == message.topic
                let taught = model.suggest(text, harms: harms).topic == message.topic
                if cold { coldStart.truePositives += 1 } else { coldStart.falseNegatives += 1 }
                if taught { learned.truePositives += 1 } else { learned.falseNegatives += 1 }
                var group = byGroup[message.group] ?? (0, 0, 0)
                group.total += 1
                if cold { group.cold += 1 }
                if taught { group.learned += 1 }
                byGroup[message.group] = group
            }
        }
    }

    public func report() -> String {
        var lines = ["Topic: cold start (keywords) vs learned from the other \(folds - 1) of \(folds) folds (accuracy)"]
        for name in byGroup.keys.sorted() {
            let group = byGroup[name]!
            let label = name.padding(toLength: 10, withPad: " ", startingAt: 0)
            lines.append("  " + label + String(format: "%.3f → %.3f  (%d messages)", Double(group.cold) / Double(group.total), Double(group.learned) / Double(group.total), group.total))
        }
        lines.append("  all       " + String(format: "%.3f → %.3f", coldStart.recall ?? 0, learned.recall ?? 0))
        return lines.joined(separator: "\n")
    }
}

extension TriageEvaluation {
    /// The report `haven triage eval` prints.
    public func report(showMisses: Bool = true) -> String {
        func ratio(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "  -  " }
        func fixed(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
        var lines: [String] = []
        lines.append("By language (critical: labelled critical found critical; harms: over message × harm pairs)")
        lines.append("group     messages  language  crit.recall  crit.prec  harm.prec  harm.recall  topic.acc")
        let ordered = ["en", "pt", "fr", "ar", "ar-Latn"].compactMap { groups[$0] } + groups.values.filter { !["en", "pt", "fr", "ar", "ar-Latn"].contains($0.name) }.sorted { $0.name < $1.name }
        for group in ordered + [overall] {
            lines.append(
                fixed(group.name, 10) + fixed(String(group.messages), 10) + fixed(ratio(group.languageAccuracy), 10)
                    + fixed(ratio(group.critical.recall) + " (\(group.critical.truePositives)/\(group.critical.truePositives + group.critical.falseNegatives))", 13)
                    + fixed(ratio(group.critical.precision), 11) + fixed(ratio(group.harms.precision), 11) + fixed(ratio(group.harms.recall), 13)
                    + ratio(group.topicAccuracy))
        }
        lines.append("")
        lines.append("By harm         precision  recall   (tp fp fn)")
        for harm in Harm.allCases {
            let tally = byHarm[harm] ?? Tally()
            lines.append(fixed(harm.rawValue, 16) + fixed(ratio(tally.precision), 11) + fixed(ratio(tally.recall), 9) + "(\(tally.truePositives) \(tally.falsePositives) \(tally.falseNegatives))")
        }
        lines.append("")
        lines.append("Risk level confusion (rows labelled, columns found: none medium high critical)")
        for group in ordered {
            for level in RiskLevel.allCases {
                let row = RiskLevel.allCases.map { String(group.levels[level]?[$0] ?? 0) }
                if row.allSatisfy({ $0 == "0" }) { continue }
                lines.append(fixed("  \(group.name) \(level.rawValue)", 22) + row.map { fixed($0, 7) }.joined())
            }
        }
        lines.append("")
        lines.append("Language confusion (labelled → found)")
        for (label, found) in languageConfusion.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(fixed(label, 8)) " + found.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        lines.append("")
        lines.append("Topic confusion (labelled → suggested)")
        for topic in Topic.allCases {
            guard let found = topicConfusion[topic] else { continue }
            lines.append("  \(fixed(topic.rawValue, 16)) " + found.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
        }
        if showMisses, !misses.isEmpty {
            lines.append("")
            lines.append("Disagreements (\(misses.count))")
            for miss in misses {
                lines.append("  [\(miss.message.language)] \(miss.what): \(miss.message.text.prefix(100))" + (miss.message.note.map { "  (\($0))" } ?? ""))
            }
        }
        return lines.joined(separator: "\n")
    }
}
