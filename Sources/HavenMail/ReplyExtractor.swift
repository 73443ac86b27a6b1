/// Finds what the sender wrote this time in a reply: cuts the quoted conversation under the reply header of
/// Gmail, Outlook, Apple Mail, Yahoo and Thunderbird (in English, Portuguese, French, Arabic, Spanish and
/// German), a trailing ">" quote, a "-- " signature and mobile footers. The full text is always stored too;
/// when stripping would leave nothing, the full text is the answer.
///
/// Plain prefix and suffix tests, not regular expressions: this runs on every line of every message.
public enum ReplyExtractor {
    /// "On … wrote:" and its translations (Gmail, Apple Mail, Yahoo, Thunderbird).
    static let attributionStarts = ["on ", "am ", "el ", "em ", "le ", "في "]
    static let attributionEnds = [
        "wrote:", "wrote :", "schrieb:", "escribió:", "escreveu:", "a écrit :", "a écrit:", "a ecrit :", "a ecrit:", "كتب:", "كتب :",
    ]
    /// Outlook and Yahoo separators, compared with dashes and spaces trimmed.
    static let separators = [
        "original message", "mensagem original", "message d'origine", "message d’origine", "mensaje original",
        "ursprüngliche nachricht", "الرسالة الأصلية", "forwarded message", "mensagem encaminhada", "message transféré",
    ]
    /// The first line of Outlook's header block, and the lines that follow it.
    static let headerFrom = ["from:", "from :", "de:", "de :", "von:", "من:", "من :"]
    static let headerOther = [
        "sent:", "sent :", "date:", "date :", "to:", "to :", "subject:", "subject :", "cc:", "enviado:", "enviada:", "data:", "para:",
        "assunto:", "envoyé :", "envoyé:", "à :", "à:", "objet :", "objet:", "fecha:", "asunto:", "gesendet:", "an:", "betreff:",
        "أرسل:", "أرسلت:", "التاريخ:", "إلى:", "الموضوع:",
    ]
    static let mobileFooters = [
        "sent from my", "sent from outlook", "sent from yahoo", "sent from mail for", "get outlook for", "enviado do meu",
        "enviado de meu", "enviado desde mi", "envoyé de mon", "envoyé depuis", "envoye de mon", "obter o outlook",
        "télécharger outlook", "von meinem", "gesendet von", "أرسلت من", "مرسل من", "تم الإرسال من",
    ]

    public static func newText(of text: String) -> String {
        let lines = Self.lines(text)
        // Only lines with a ":" or starting with "-" or "_" can start a quote; the rest are never lower-cased or compared.
        let keys: [String?] = lines.map { line in
            let bytes = line.utf8
            guard bytes.contains(UInt8(ascii: ":")) || bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "_") else { return nil }
            return key(line)
        }
        var end = lines.count
        for index in keys.indices {
            guard let line = keys[index], !line.isEmpty else { continue }
            // Clients wrap a long attribution: "On Mon, … <a@b>" / "wrote:" (the first half may have no ":" at all),
            // so the pair is tried before the line alone, which would leave the first half behind.
            if index > 0, line.hasSuffix(":"), case let previous = keys[index - 1] ?? key(lines[index - 1]), !previous.isEmpty,
                attributionStarts.contains(where: { previous.hasPrefix($0) }), isAttribution(previous + " " + line) {
                end = index - 1; break
            }
            if isAttribution(line) { end = index; break }
            if isSeparator(line) { end = index; break }
            if headerFrom.contains(where: { line.hasPrefix($0) && line.count > $0.count + 1 }),
                keys[(index + 1)..<min(keys.count, index + 5)].contains(where: { next in next.map { n in headerOther.contains { n.hasPrefix($0) } } ?? false }) {
                end = index; break
            }
        }
        var kept = Array(lines[..<end])
        // Signature: everything from the last "-- " line (RFC 3676 §4.3), if it is in the last 15 lines.
        if let signature = kept.lastIndex(where: { $0 == "-- " || $0 == "--" }), kept.count - signature <= 15 { kept = Array(kept[..<signature]) }
        let tail = kept.indices.suffix(3)
        if let footer = tail.last(where: { index in
            kept[index].utf8.count < 120 && mobileFooters.contains { key(kept[index]).hasPrefix($0) }
        }) {
            kept = Array(kept[..<footer])
        }
        // A trailing ">" quote block, with the blank lines around it.
        while let last = kept.last, last.allSatisfy(\.isWhitespace) || last.hasPrefix(">") { kept.removeLast() }
        let result = kept.joined(separator: "\n").trimmed()
        return result.isEmpty ? text.trimmed() : result
    }

    /// The text's lines, split on LF bytes (splitting on `Character`s would pay for grapheme breaking on every byte).
    static func lines(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        let bytes = text.utf8
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: 0x0A) {
            lines.append(text[start..<newline])
            start = bytes.index(after: newline)
        }
        lines.append(text[start...])
        return lines
    }

    /// A line lower-cased and trimmed, without Markdown-style stars and bidi marks (Outlook bolds "From:";
    /// Arabic clients put RLM marks around names and dates).
    static func key(_ line: Substring) -> String {
        line.lowercased().filter { $0 != "*" && $0 != "\u{200F}" && $0 != "\u{200E}" }.trimmed()
    }

    static let attributionVerbs = [" wrote", " schrieb", " escribió", " escreveu", " a écrit", " a ecrit", " كتب"]

    static func isAttribution(_ line: String) -> Bool {
        guard line.count >= 6, line.count <= 400, line.hasSuffix(":") else { return false }
        if attributionEnds.contains(where: { line.hasSuffix($0) }) {
            // Anchored at the start ("On Mon, … wrote:") or, in the clients that start with the name, short enough to be a header.
            return attributionStarts.contains { line.hasPrefix($0) } || line.count <= 160
        }
        // German and others put the sender after the verb: "Am 16.11.2026 um 10:02 schrieb Name <a@b>:".
        return attributionStarts.contains { line.hasPrefix($0) } && attributionVerbs.contains { line.contains($0 + " ") }
    }

    static func isSeparator(_ line: String) -> Bool {
        if line.count >= 20, line.allSatisfy({ $0 == "_" }) { return true }
        guard line.hasPrefix("--") else { return false }
        let inner = line.filter { $0 != "-" }.trimmed()
        return separators.contains(inner)
    }
}
