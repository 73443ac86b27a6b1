import Foundation

/// The support categories a request is about.
public enum Topic: String, Codable, Sendable, CaseIterable {
    case accountAccess = "account_access"
    case hackedAccount = "hacked_account"
    case banAppeal = "ban_appeal"
    case liveGifts = "live_gifts"
    case payments
    case creatorTools = "creator_tools"
    case bug
    case privacyRequest = "privacy_request"
    case safetyReport = "safety_report"
    case other

    var index: Int { Self.allCases.firstIndex(of: self)! }
}

/// Triage's guess at a request's topic, with how sure it is (0–1; the model's probability).
public struct TopicSuggestion: Sendable, Equatable, Codable {
    public var topic: Topic
    public var confidence: Double
    public init(topic: Topic, confidence: Double) {
        self.topic = topic
        self.confidence = confidence
    }
}

/// Phrases that say what a request is about, per topic and language: the topic model's starting point before
/// agents have taught it anything (`topic-keywords.json`). Each phrase is matched on canonical words, like risk.
public struct TopicKeywords: Sendable {
    struct File: Codable {
        var version: Int
        var topics: [String: [String: [String]]]
    }

    /// First word → (the phrase's words, its topic).
    var byFirstWord: [String: [([String], Topic)]] = [:]
    public private(set) var count = 0

    public init() {}

    public init(json: Data, name: String = "topic keywords") throws(RiskLexicon.Invalid) {
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: json) } catch {
            throw RiskLexicon.Invalid(description: "\(name) could not be read: \(error)")
        }
        guard file.version == 1 else { throw RiskLexicon.Invalid(description: "\(name): version must be 1") }
        for (name, languages) in file.topics {
            guard let topic = Topic(rawValue: name) else {
                throw RiskLexicon.Invalid(description: "topic keywords: unknown topic '\(name)'; topics are \(Topic.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for phrase in languages.values.joined() {
                let keys = TriageText.phraseKeys(phrase)
                guard !keys.isEmpty, !keys.contains("*") else {
                    throw RiskLexicon.Invalid(description: "topic keywords: '\(phrase)' must be words, without *")
                }
                byFirstWord[keys[0], default: []].append((keys, topic))
                count += 1
            }
        }
    }

    /// The topics whose phrases occur in the text.
    func topics(in words: [TriageText.Word]) -> Set<Topic> {
        var found = Set<Topic>()
        for start in words.indices {
            for (keys, topic) in byFirstWord[words[start].key] ?? [] where !found.contains(topic) && start + keys.count <= words.count {
                if keys.indices.allSatisfy({ words[start + $0].key == keys[$0] }) { found.insert(topic) }
            }
        }
        return found
    }
}

/// Suggests a request's topic: a multinomial logistic regression over hashed words and word pairs, learned online
/// from the topics agents set on the tickets they solve (`learn`).
///
/// The keyword phrases are the cold start, as features rather than rules: a "keywords say hacked account" feature
/// starts with a strong weight for that topic, and learning moves it like any other; so a keyword that agents keep
/// overruling loses its pull, and words no keyword lists gain theirs.
public struct TopicModel: Sendable {
    static let topics = Topic.allCases
    static let classes = Topic.allCases.count
    /// Hashed feature slots. The first `classes` hold the keyword features and the next ones the harms risk
    /// detection found, so words never collide with them.
    static let buckets = 1 << 16
    static let reserved = classes + Harm.allCases.count
    /// The keyword features' starting weight, and "other"'s starting bias (a request with no keyword is "other",
    /// unsure).
    static let keywordPrior: Float = 3
    static let otherPrior: Float = 1

    let keywords: TopicKeywords
    /// `weights[feature * classes + topic]`.
    var weights: [Float]
    var bias: [Float]
    public var learningRate: Float = 1
    /// How many solved tickets it has learned from.
    public private(set) var examplesLearned = 0

    public init(keywords: TopicKeywords) {
        self.keywords = keywords
        weights = [Float](repeating: 0, count: Self.buckets * Self.classes)
        for topic in Self.topics { weights[topic.index * Self.classes + topic.index] = Self.keywordPrior }
        // A message with a harm in it is, to start with, a safety report.
        for harm in Harm.allCases.indices { weights[(Self.classes + harm) * Self.classes + Topic.safetyReport.index] = Self.keywordPrior }
        bias = [Float](repeating: 0, count: Self.classes)
        bias[Topic.other.index] = Self.otherPrior
    }

    public func suggest(_ text: String) -> TopicSuggestion {
        suggest(TriageText(text))
    }

    /// `harms`: what risk detection found in the same text.
    public func suggest(_ text: TriageText, harms: [Harm] = []) -> TopicSuggestion {
        let probabilities = self.probabilities(features(text, harms: harms))
        var best = 0
        for index in probabilities.indices where probabilities[index] > probabilities[best] { best = index }
        return TopicSuggestion(topic: Self.topics[best], confidence: Double(probabilities[best]))
    }

    /// One step of stochastic gradient descent on the log loss: the agents' topic for this text.
    public mutating func learn(_ text: String, topic: Topic, harms: [Harm] = []) {
        learn(TriageText(text), topic: topic, harms: harms)
    }

    public mutating func learn(_ text: TriageText, topic: Topic, harms: [Harm] = []) {
        let features = self.features(text, harms: harms)
        let probabilities = self.probabilities(features)
        for index in 0..<Self.classes {
            let gradient = learningRate * ((index == topic.index ? 1 : 0) - probabilities[index])
            // The bias moves slower than the features: it carries "other"'s cold-start prior, which a few solved
            // tickets should not wipe out.
            bias[index] += gradient * 0.1
            for (feature, value) in features { weights[feature * Self.classes + index] += gradient * value }
        }
        examplesLearned += 1
    }

    /// (slot, value): keyword features count 1; words and word pairs share a total of about 1, so a long message
    /// does not outvote a short one by length alone.
    func features(_ text: TriageText, harms: [Harm]) -> [(Int, Float)] {
        var features = keywords.topics(in: text.words).map { ($0.index, Float(1)) }
        features += harms.map { (Self.classes + Harm.allCases.firstIndex(of: $0)!, Float(1)) }
        var slots = Set<Int>()
        var previous: String?
        for word in text.words {
            slots.insert(Self.slot(word.key, previous: nil))
            if let previous { slots.insert(Self.slot(word.key, previous: previous)) }
            previous = word.key
        }
        let value = 1 / Float(max(1, slots.count)).squareRoot()
        features += slots.map { ($0, value) }
        return features
    }

    func probabilities(_ features: [(Int, Float)]) -> [Float] {
        var scores = bias
        for (feature, value) in features {
            let base = feature * Self.classes
            for index in 0..<Self.classes { scores[index] += weights[base + index] * value }
        }
        let top = scores.max() ?? 0
        var total: Float = 0
        for index in scores.indices {
            scores[index] = exp(scores[index] - top)
            total += scores[index]
        }
        return scores.map { $0 / total }
    }

    /// FNV-1a of the word (and the one before it), into the slots after the keyword features. Stable across runs,
    /// unlike `Hasher`, so a model replayed on another node has the same slots.
    static func slot(_ word: String, previous: String?) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        if let previous {
            for byte in previous.utf8 { mix(byte) }
            mix(0x20)
        }
        for byte in word.utf8 { mix(byte) }
        return reserved + Int(hash % UInt64(buckets - reserved))
    }
}
