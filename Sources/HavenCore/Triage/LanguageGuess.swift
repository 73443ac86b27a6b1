/// A deliberately simple language guess for stored messages until triage brings the real model (issue 7):
/// Arabic by script, English, Portuguese, French and Spanish by their commonest short words. Nil when unsure.
public enum LanguageGuess {
    static let markers: [(language: String, words: Set<String>)] = [
        ("en", ["the", "and", "is", "my", "i", "you", "to", "it", "not", "have", "please", "can", "with", "this", "was", "account", "thanks"]),
        ("pt", ["não", "nao", "meu", "minha", "é", "você", "voce", "com", "para", "obrigado", "obrigada", "olá", "ola", "conta", "uma", "está", "por", "favor", "já", "estou", "o", "do", "da", "os", "em", "um", "ao", "segue", "pelo", "pela", "ainda", "consigo"]),
        ("fr", ["je", "mon", "ma", "est", "pas", "le", "la", "les", "et", "vous", "bonjour", "merci", "une", "des", "avec", "compte", "été", "ai", "ne"]),
        ("es", ["el", "mi", "es", "que", "no", "por", "favor", "hola", "gracias", "cuenta", "una", "está", "tengo", "los", "pero"]),
    ]

    public static func guess(_ text: String) -> String? {
        var arabic = 0, latin = 0
        for scalar in text.unicodeScalars.prefix(2_000) {
            if (0x0600...0x06FF).contains(scalar.value) || (0x0750...0x077F).contains(scalar.value) { arabic += 1 }
            else if scalar.properties.isAlphabetic, scalar.value < 0x0250 { latin += 1 }
        }
        if arabic > 0, arabic >= latin { return "ar" }
        // Words split on scalars, not Characters: this runs on every message and grapheme breaking is slow.
        let head = String(String.UnicodeScalarView(text.unicodeScalars.prefix(600))).lowercased()
        let words = head.unicodeScalars.split(whereSeparator: { !$0.properties.isAlphabetic }).map { String(String.UnicodeScalarView($0)) }
        guard words.count >= 2 else { return nil }
        let scores = markers.map { marker in (marker.language, words.filter { marker.words.contains($0) }.count) }.sorted { $0.1 > $1.1 }
        guard let best = scores.first, best.1 >= 2, best.1 > scores[1].1 else { return nil }
        return best.0
    }
}
