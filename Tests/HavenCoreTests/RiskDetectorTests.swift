import Foundation
import HavenCore
import Testing

/// Risk detection's hard cases, in the four languages, with the lexicon Haven ships.
@Suite struct RiskDetectorTests {
    static let detector: RiskDetector = {
        let url = LanguageIdentifierTests.root.appendingPathComponent("Sources/HavenApp/Resources/risk-lexicon.json")
        return RiskDetector(lexicon: try! RiskLexicon(json: Data(contentsOf: url)))
    }()

    func assess(_ text: String) -> RiskAssessment { Self.detector.assess(text) }

    @Test func firstPersonSelfHarmIsCriticalWithAReadableSignal() {
        let result = assess("Olá, eu não aguento mais, não quero mais viver, ninguém me ajuda com essa conta")
        #expect(result.level == .critical)
        #expect(result.harms == [.selfHarm])
        #expect(result.signals.first?.description == "self-harm: 'não quero mais viver' (pt), first person, no negation")
        #expect(assess("I just want to die, nothing works anymore").level == .critical)
        #expect(assess("j'ai plus envie de vivre").level == .critical)
        #expect(assess("والله ما بدي عيش بعد اليوم").level == .critical)
    }

    @Test func spellingGamesDoNotHideIt() {
        #expect(assess("i want to k1ll myself").level == .critical)              // leetspeak
        #expect(assess("i just wanna dieeeee").level == .critical)              // repeated letters
        #expect(assess("أُرِيـــدُ أَنْ أَمُوتَ").level == .critical)            // diacritics, tatweel, hamza forms
        #expect(assess("NÃO QUERO MAIS VIVER").level == .critical)              // case
        #expect(assess("nao quero mais viver").level == .critical)              // no accents
        #expect(assess("salam, bghit nmout, 3yit").level == .critical)           // Arabizi
    }

    @Test func algospeakIsRead() {
        for text in ["thinking about sewer slide tbh", "i might just unalive myself", "kms"] {
            let result = assess(text)
            #expect(result.level == .critical, "\(text)")
            #expect(result.signals.first?.notes.contains("algospeak") == true)
        }
    }

    @Test func hyperboleIsNotRisk() {
        for text in ["this bug is killing me, the app crashes all the time", "je meurs de rire mdr", "هموت من الضحك على الفيديو",
                     "tô morrendo de rir com esse filtro", "my new video killed it"] {
            #expect(assess(text) == .none, "\(text): \(assess(text).signals.map(\.description))")
        }
    }

    @Test func aNegatedPhraseDoesNotCount() {
        #expect(assess("I would never hurt myself, I just need my password reset") == .none)
        #expect(assess("je ne vais pas me suicider, rassurez-vous") == .none)
        // "no" negates in English only: in Portuguese it is "in the".
        #expect(assess("eu vou aí no escritório e mato todo mundo").level == .critical)
        #expect(assess("I'm not going to kill you, relax").level == .none)
        // A negation in another clause does not reach: "I'm not ok, I want to die".
        #expect(assess("I'm not ok. I want to die").level == .critical)
        // An email's line break (CRLF, one Character in Swift) ends a clause too.
        #expect(assess("I'm not ok\r\nI want to die").level == .critical)
    }

    @Test func reportsAboutOthersAndQuotesKeepTheirWeight() {
        let friend = assess("my friend told me she wants to kill herself tonight")
        #expect(friend.level == .critical)
        #expect(friend.signals.first?.notes.contains("about someone else") == true)
        let quoted = assess("someone keeps commenting \"kill yourself\" on every video I post")
        #expect(quoted.harms == [.bullying])
        #expect(quoted.signals.first?.notes.contains("quoted") == true)
        #expect(assess("um cara pediu nudes pra minha filha de 12 anos").harms == [.childSafety])
        #expect(assess("il m'a écrit je sais où tu habites").harms == [.violentThreat])
        #expect(assess("he posted a video torturing a cat").harms == [.animalCruelty])
        #expect(assess("ele vive dizendo volta pro seu país").harms == [.hateSpeech])
    }

    @Test func ordinarySupportRequestsAreNotRisk() {
        for text in ["My LIVE gifts disappeared and I didn't get my coins", "kill the app and open it again, still crashing",
                     "Não consigo sacar meus ganhos", "mon compte est bloqué depuis hier", "لا أستطيع الدخول إلى حسابي",
                     "the shooting of my video was ruined by a bug", "I want to delete my account"] {
            #expect(assess(text) == .none, "\(text): \(assess(text).signals.map(\.description))")
        }
    }

    @Test func aBadLexiconFileIsExplained() {
        let badLevel = Data(#"{"version":1,"phrases":[{"harm":"self_harm","level":"crit","language":"en","phrase":"x"}],"negations":{},"hyperbole":{}}"#.utf8)
        #expect(throws: RiskLexicon.Invalid.self) { try RiskLexicon(json: badLevel) }
        let gap = Data(#"{"version":1,"phrases":[{"harm":"bullying","level":"high","language":"en","phrase":"* you"}],"negations":{},"hyperbole":{}}"#.utf8)
        #expect(throws: RiskLexicon.Invalid(description: "extra.json: phrase 1 ('* you') must have 1 to 12 words and not start or end with *")) {
            try RiskLexicon(json: gap, name: "extra.json")
        }
        let missing = Data(#"{"version":1,"phrases":[{"harm":"bullying","level":"high","language":"en"}],"negations":{},"hyperbole":{}}"#.utf8)
        #expect(throws: RiskLexicon.Invalid(description: "extra.json: phrases[1] needs \"phrase\"")) { try RiskLexicon(json: missing, name: "extra.json") }
    }

    @Test func anAdminsFileAddsPhrasesWithoutARebuild() throws {
        var lexicon = Self.detector.lexicon
        let extra = Data(#"{"version":1,"phrases":[{"harm":"bullying","level":"high","language":"pt","phrase":"seu * inútil"}],"negations":{},"hyperbole":{}}"#.utf8)
        lexicon.merge(try RiskLexicon(json: extra))
        #expect(RiskDetector(lexicon: lexicon).assess("cala a boca seu bicho inútil").harms == [.bullying])
        #expect(Self.detector.assess("cala a boca seu bicho inútil") == .none)
    }
}

@Suite struct RiskContextTests {
    static let lexicon = try! RiskLexicon(json: Data(#"""
        {"version": 1,
         "phrases": [{"harm": "child_safety", "level": "critical", "language": "en", "phrase": "keep it secret", "with": "minor"},
                     {"harm": "animal_cruelty", "level": "high", "language": "en", "phrase": "on fire", "with": "animal"}],
         "negations": {}, "hyperbole": {},
         "contexts": {"minor": {"en": ["year old", "kid"]}, "animal": {"en": ["kitten", "dog"]}}}
        """#.utf8))

    @Test func aPhraseWithAContextCountsOnlyWithIt() {
        let detector = RiskDetector(lexicon: Self.lexicon)
        #expect(detector.assess("he told my 12 year old brother to keep it secret").level == .critical)
        #expect(detector.assess("please keep it secret, it's a surprise for my wife").level == .none)
        #expect(detector.assess("they set a kitten on fire").harms == [.animalCruelty])
        #expect(detector.assess("this song is on fire").level == .none)
    }

    @Test func aContextNoFileDefinesIsNamed() throws {
        let lexicon = try RiskLexicon(json: Data(#"""
            {"version": 1, "phrases": [{"harm": "bullying", "level": "high", "language": "en", "phrase": "loser", "with": "school"}],
             "negations": {}, "hyperbole": {}}
            """#.utf8))
        #expect(lexicon.unknownContexts == ["'loser' needs the context 'school', which no lexicon file defines"])
        var merged = Self.lexicon
        merged.merge(lexicon)
        #expect(merged.unknownContexts.count == 1)
    }
}
