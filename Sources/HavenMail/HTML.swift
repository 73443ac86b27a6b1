import Foundation

/// Just enough HTML for mail: a forgiving tokenizer, a plain-text rendering, and a sanitizer that keeps
/// formatting and drops everything active (scripts, handlers, forms, frames) and every remote load.
public enum HTML {
    enum Token {
        case text(Substring)
        case open(name: String, attributes: [(String, String)], selfClosing: Bool)
        case close(name: String)
    }

    /// Tokens of `html`; comments, doctypes and processing instructions are skipped. Linear time.
    static func tokens(_ html: String) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(html)
        while !rest.isEmpty {
            guard let lt = rest.firstIndex(of: "<") else { tokens.append(.text(rest)); break }
            if lt > rest.startIndex { tokens.append(.text(rest[..<lt])) }
            let tag = rest[lt...]
            if tag.hasPrefix("<!--") {
                rest = tag.range(of: "-->").map { tag[$0.upperBound...] } ?? ""
                continue
            }
            let next = tag.dropFirst().first
            guard let next, next.isLetter || next == "/" || next == "!" || next == "?" else {
                tokens.append(.text(tag.prefix(1)))  // a lone "<" is text
                rest = tag.dropFirst()
                continue
            }
            guard let gt = tag.firstIndex(of: ">") else { rest = ""; break }  // unterminated tag: drop it
            let inner = tag[tag.index(after: tag.startIndex)..<gt]
            rest = tag[tag.index(after: gt)...]
            if next == "!" || next == "?" { continue }
            if inner.hasPrefix("/") {
                tokens.append(.close(name: String(inner.dropFirst().prefix { $0.isLetter || $0.isNumber }).lowercased()))
                continue
            }
            let name = String(inner.prefix { $0.isLetter || $0.isNumber }).lowercased()
            tokens.append(.open(name: name, attributes: attributes(inner.dropFirst(name.count)), selfClosing: inner.hasSuffix("/")))
            // Raw-text elements: their content is not markup.
            if ["script", "style", "title", "textarea", "xmp"].contains(name) {
                if let close = rest.range(of: "</\(name)", options: .caseInsensitive) {
                    tokens.append(.text(rest[..<close.lowerBound]))
                    rest = rest[close.lowerBound...]
                } else {
                    rest = ""
                }
            }
        }
        return tokens
    }

    static func attributes(_ text: Substring) -> [(String, String)] {
        var result: [(String, String)] = []
        var rest = text
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "/" }
            guard !rest.isEmpty else { break }
            let name = rest.prefix { !$0.isWhitespace && $0 != "=" && $0 != ">" && $0 != "/" }
            guard !name.isEmpty else { rest = rest.dropFirst(); continue }
            rest = rest.dropFirst(name.count).drop { $0.isWhitespace }
            var value = ""
            if rest.first == "=" {
                rest = rest.dropFirst().drop { $0.isWhitespace }
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    let body = rest.dropFirst()
                    let end = body.firstIndex(of: quote) ?? body.endIndex
                    value = String(body[..<end])
                    rest = end < body.endIndex ? body[body.index(after: end)...] : ""
                } else {
                    let raw = rest.prefix { !$0.isWhitespace }
                    value = String(raw)
                    rest = rest.dropFirst(raw.count)
                }
            }
            result.append((name.lowercased(), decodeEntities(value)))
        }
        return result
    }

    static let blockElements: Set<String> = [
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "hr",
        "section", "article", "header", "footer", "address", "dd", "dt", "center",
    ]
    /// Blocks a browser sets apart with a blank line.
    static let paragraphElements: Set<String> = ["p", "ul", "ol", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "hr"]
    static let droppedWithContent: Set<String> = ["script", "style", "head", "title", "iframe", "object", "embed", "svg", "math", "noscript", "template", "xmp", "textarea", "select"]

    /// Readable plain text: block elements become line breaks, list items get a bullet, links keep their URL when
    /// it differs from their text, entities are decoded, and whitespace is collapsed as a browser would.
    public static func text(_ html: String) -> String {
        var output = ""
        var skipping: [String] = []
        var preDepth = 0
        var linkHref: String?
        var linkText = ""
        func newline(paragraph: Bool = false) {
            while output.hasSuffix(" ") { output.removeLast() }
            guard !output.isEmpty else { return }
            if !output.hasSuffix("\n") { output += "\n" }
            if paragraph, !output.hasSuffix("\n\n") { output += "\n" }
        }
        for token in tokens(html) {
            switch token {
            case .open(let name, let attributes, let selfClosing):
                if !skipping.isEmpty || droppedWithContent.contains(name) {
                    if !selfClosing && droppedWithContent.contains(name) { skipping.append(name) }
                    continue
                }
                if name == "pre" { preDepth += 1 }
                if name == "a" { linkHref = attributes.first { $0.0 == "href" }?.1; linkText = "" }
                if name == "li" { newline(); output += "• " } else if name == "br" { output += "\n" }
                else if blockElements.contains(name) { newline(paragraph: paragraphElements.contains(name)) }
                if name == "img", let alt = attributes.first(where: { $0.0 == "alt" })?.1, !alt.isEmpty { output += "[\(alt)]" }
                if name == "td" || name == "th" { if !output.hasSuffix("\n") && !output.isEmpty { output += " " } }
            case .close(let name):
                if let last = skipping.last {
                    if last == name { skipping.removeLast() }
                    continue
                }
                if name == "pre" { preDepth = max(0, preDepth - 1) }
                if name == "a", let href = linkHref {
                    let shown = linkText.trimmed()
                    if href.hasPrefix("http"), !shown.isEmpty, shown != href, !href.contains(shown) { output += " (\(href))" }
                    linkHref = nil
                }
                if blockElements.contains(name) { newline(paragraph: paragraphElements.contains(name)) }
            case .text(let raw):
                guard skipping.isEmpty else { continue }
                var text = decodeEntities(String(raw))
                if preDepth == 0 {
                    text = collapseSpaces(text)
                    if output.isEmpty || output.hasSuffix("\n") || output.hasSuffix(" ") { text = String(text.drop { $0 == " " }) }
                }
                output += text
                if linkHref != nil { linkText += text }
            }
        }
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmed() }
        var collapsed: [String] = []
        for line in lines where !(line.isEmpty && (collapsed.last?.isEmpty ?? true)) { collapsed.append(line) }
        return collapsed.joined(separator: "\n").trimmed()
    }

    /// Runs of spaces, tabs, line breaks and no-break spaces become one space, as a browser renders them.
    static func collapseSpaces(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        var inSpace = false
        for char in text {
            if char == " " || char == "\t" || char == "\n" || char == "\r\n" || char == "\r" || char == "\u{00A0}" {
                if !inSpace { result.append(" ") }
                inSpace = true
            } else {
                result.append(char)
                inSpace = false
            }
        }
        return result
    }

    static let allowedTags: Set<String> = [
        "a", "b", "strong", "i", "em", "u", "s", "p", "br", "div", "span", "ul", "ol", "li", "blockquote", "pre", "code",
        "table", "thead", "tbody", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "small", "sub",
        "sup", "font", "center", "dl", "dt", "dd",
    ]
    static let allowedAttributes: Set<String> = ["href", "src", "alt", "title", "colspan", "rowspan", "dir", "lang", "align", "width", "height"]
    static let voidTags: Set<String> = ["br", "hr", "img"]

    /// The HTML to display in the agent's browser: allow-listed tags and attributes only; links limited to
    /// http(s) and mailto (and opened safely); images only from `cid:` (the message's own parts), so opening a
    /// ticket never tells a sender it was read. Every text and attribute is re-escaped.
    public static func sanitize(_ html: String) -> String {
        var output = ""
        var skipping: [String] = []
        var open: [String] = []
        for token in tokens(html) {
            switch token {
            case .open(let name, let attributes, let selfClosing):
                if !skipping.isEmpty || droppedWithContent.contains(name) {
                    if !selfClosing && droppedWithContent.contains(name) { skipping.append(name) }
                    continue
                }
                guard allowedTags.contains(name) else { continue }
                var kept: [(String, String)] = []
                for (key, value) in attributes where allowedAttributes.contains(key) {
                    let lowered = value.trimmed().lowercased()
                    if key == "href" {
                        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") || lowered.hasPrefix("mailto:") else { continue }
                    }
                    if key == "src" { guard lowered.hasPrefix("cid:") else { continue } }
                    kept.append((key, value))
                }
                if name == "img", !kept.contains(where: { $0.0 == "src" }) {
                    // A remote image: show its description instead of loading it.
                    if let alt = attributes.first(where: { $0.0 == "alt" })?.1, !alt.isEmpty { output += escape("[\(alt)]") }
                    continue
                }
                if name == "a", kept.contains(where: { $0.0 == "href" }) { kept += [("rel", "noopener noreferrer nofollow"), ("target", "_blank")] }
                output += "<" + name + kept.map { " \($0.0)=\"\(escape($0.1))\"" }.joined() + ">"
                if !voidTags.contains(name) && !selfClosing { open.append(name) }
            case .close(let name):
                if let last = skipping.last {
                    if last == name { skipping.removeLast() }
                    continue
                }
                guard let index = open.lastIndex(of: name) else { continue }
                for tag in open[index...].reversed() { output += "</\(tag)>" }
                open.removeSubrange(index...)
            case .text(let text):
                guard skipping.isEmpty else { continue }
                output += escape(decodeEntities(String(text)))
            }
        }
        for tag in open.reversed() { output += "</\(tag)>" }
        return output
    }

    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for char in text {
            switch char {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(char)
            }
        }
        return result
    }

    static let namedEntities: [Substring: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "copy": "©", "reg": "®", "hellip": "…",
        "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»", "euro": "€",
        "eacute": "é", "egrave": "è", "ecirc": "ê", "agrave": "à", "aacute": "á", "acirc": "â", "atilde": "ã", "ccedil": "ç",
        "ocirc": "ô", "otilde": "õ", "oacute": "ó", "uacute": "ú", "ugrave": "ù", "iacute": "í", "icirc": "î", "Eacute": "É",
        "Agrave": "À", "Ccedil": "Ç", "Atilde": "Ã", "Otilde": "Õ", "bull": "•", "middot": "·", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        "rlm": "\u{200F}", "lrm": "\u{200E}", "shy": "", "trade": "™", "deg": "°",
    ]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            let name = after.prefix(12).prefix { $0 != ";" && !$0.isWhitespace && $0 != "&" }
            let hasSemicolon = after.dropFirst(name.count).first == ";"
            var replacement: String?
            if name.hasPrefix("#") {
                let digits = name.dropFirst()
                let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
                if let value, let scalar = Unicode.Scalar(value), value != 0 { replacement = String(Character(scalar)) }
            } else if let named = namedEntities[name] {
                replacement = named
            }
            if let replacement {
                output += replacement
                rest = after.dropFirst(name.count + (hasSemicolon ? 1 : 0))
            } else {
                output += "&"
                rest = after
            }
        }
        output += rest
        return output
    }
}
