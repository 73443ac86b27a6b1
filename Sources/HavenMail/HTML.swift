import Foundation

/// Just enough HTML for mail: a forgiving tokenizer, a plain-text rendering, and a sanitizer that keeps
/// formatting and drops everything active (scripts, handlers, forms, frames) and every remote load.
public enum HTML {
    enum Token {
        case text(Substring)
        case open(name: String, attributes: [(String, String)], selfClosing: Bool)
        case close(name: String)
    }

    /// Tokens of `html`; comments, doctypes and processing instructions are skipped. Linear time; scans bytes, since
    /// every delimiter is ASCII (so each index found is also a valid `String.Index`).
    static func tokens(_ html: String) -> [Token] {
        var tokens: [Token] = []
        let bytes = html.utf8
        let end = bytes.endIndex
        var index = bytes.startIndex
        while index < end {
            guard let lt = bytes[index...].firstIndex(of: UInt8(ascii: "<")) else { tokens.append(.text(html[index..<end])); break }
            if lt > index { tokens.append(.text(html[index..<lt])) }
            let afterLT = bytes.index(after: lt)
            if bytes[lt...].starts(with: "<!--".utf8) {
                index = find("-->", in: bytes, from: afterLT).map { bytes.index($0, offsetBy: 3) } ?? end
                continue
            }
            guard afterLT < end else { tokens.append(.text(html[lt..<end])); break }
            let next = bytes[afterLT]
            guard isASCIILetter(next) || next == UInt8(ascii: "/") || next == UInt8(ascii: "!") || next == UInt8(ascii: "?") else {
                tokens.append(.text(html[lt..<afterLT]))  // a lone "<" is text
                index = afterLT
                continue
            }
            guard let gt = bytes[afterLT...].firstIndex(of: UInt8(ascii: ">")) else { break }  // unterminated tag: drop it
            index = bytes.index(after: gt)
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") { continue }
            let inner = html[afterLT..<gt]
            if next == UInt8(ascii: "/") {
                tokens.append(.close(name: tagName(inner.utf8.dropFirst())))
                continue
            }
            let name = tagName(inner.utf8[...])
            let rest = inner[inner.utf8.index(inner.startIndex, offsetBy: name.utf8.count)...]
            tokens.append(.open(name: name, attributes: attributes(rest), selfClosing: inner.utf8.last == UInt8(ascii: "/")))
            // Raw-text elements: their content is not markup.
            if ["script", "style", "title", "textarea", "xmp"].contains(name) {
                if let close = findCaseInsensitive("</" + name, in: bytes, from: index) {
                    tokens.append(.text(html[index..<close]))
                    index = close
                } else {
                    index = end
                }
            }
        }
        return tokens
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }

    static func tagName(_ bytes: Substring.UTF8View.SubSequence) -> String {
        let name = bytes.prefix { isASCIILetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
        return String(decoding: name.map { $0 | 0x20 }, as: UTF8.self)
    }

    static func find(_ needle: String, in bytes: String.UTF8View, from start: String.Index) -> String.Index? {
        let pattern = Array(needle.utf8)
        var index = start
        while let found = bytes[index...].firstIndex(of: pattern[0]) {
            if bytes[found...].starts(with: pattern) { return found }
            index = bytes.index(after: found)
        }
        return nil
    }

    static func findCaseInsensitive(_ needle: String, in bytes: String.UTF8View, from start: String.Index) -> String.Index? {
        let pattern = Array(needle.lowercased().utf8)
        var index = start
        while let found = bytes[index...].firstIndex(of: pattern[0]) {
            if bytes[found...].prefix(pattern.count).map({ isASCIILetter($0) ? $0 | 0x20 : $0 }) == pattern { return found }
            index = bytes.index(after: found)
        }
        return nil
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

    /// Points `cid:` images of sanitized HTML at other URLs (the stored files), by Content-ID.
    public static func replacingInlineImages(in html: String, with urls: [String: String]) -> String {
        urls.reduce(html) { html, entry in
            html.replacingOccurrences(of: "src=\"cid:\(escape(entry.key))\"", with: "src=\"\(escape(entry.value))\"")
        }
    }

    /// Plain text as an HTML document: paragraphs at blank lines, line breaks kept, everything escaped, the
    /// direction and language set on the whole (so Arabic reads right to left in every mail client).
    public static func document(fromText text: String, language: String, rightToLeft: Bool) -> String {
        let direction = rightToLeft ? "rtl" : "ltr"
        let paragraphs = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .newlines) }.filter { !$0.isEmpty }
            .map { "<p>" + escape($0).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>" }
        return """
            <!DOCTYPE html>
            <html lang="\(escape(language))" dir="\(direction)"><head><meta charset="utf-8"></head>
            <body dir="\(direction)" style="font-family: -apple-system, 'Segoe UI', Tahoma, Arial, sans-serif; font-size: 15px; line-height: 1.5; text-align: \(rightToLeft ? "right" : "left");">
            \(paragraphs.joined(separator: "\n"))
            </body></html>
            """
    }

    /// Text made safe inside HTML content and attribute values.
    public static func escape(_ text: String) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): result += Array("&amp;".utf8)
            case UInt8(ascii: "<"): result += Array("&lt;".utf8)
            case UInt8(ascii: ">"): result += Array("&gt;".utf8)
            case UInt8(ascii: "\""): result += Array("&quot;".utf8)
            case UInt8(ascii: "'"): result += Array("&#39;".utf8)
            default: result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
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
        guard text.containsUTF8("&") else { return text }
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
