import Foundation
import HavenCore
import HavenStorage
import Synchronization

/// The node's topic model: suggests a topic for each new request, and learns, in `topic_examples` order, from the
/// topics agents gave the tickets they solved. The examples are the model's truth: a node that starts replays them
/// all, so every node converges on the same weights without shipping them around.
public final class TopicLearner: Sendable {
    struct State {
        var model: TopicModel
        var lastExampleID: Int64 = 0
    }

    private let state: Mutex<State>
    private let examples: any TopicExampleRepository
    private let risk: RiskDetector

    public init(model: TopicModel, examples: any TopicExampleRepository, risk: RiskDetector) {
        state = Mutex(State(model: model))
        self.examples = examples
        self.risk = risk
    }

    public func suggest(_ text: TriageText, harms: [Harm]) -> TopicSuggestion {
        state.withLock { $0.model.suggest(text, harms: harms) }
    }

    /// How many solved tickets the model has learned from.
    public var examplesLearned: Int { state.withLock { $0.model.examplesLearned } }

    /// Learns every example written since the last call; returns how many.
    @discardableResult
    public func catchUp() async throws -> Int {
        var learned = 0
        while true {
            let after = state.withLock { $0.lastExampleID }
            let batch = try await examples.examples(after: after, limit: 500)
            guard !batch.isEmpty else { return learned }
            // Tokenizing and risk run outside the lock, so suggestions are not held up by a long replay.
            let prepared = batch.map { example -> (TopicExample, TriageText, [Harm]) in
                let text = TriageText(example.text)
                return (example, text, risk.assess(text).harms)
            }
            state.withLock { state in
                for (example, text, harms) in prepared where example.id > state.lastExampleID {
                    state.model.learn(text, topic: example.topic, harms: harms)
                    state.lastExampleID = example.id
                }
            }
            learned += batch.count
        }
    }
}
