import Foundation

/// Small, pure normalizers shared by every channel's intake and by the API.
public enum TextNormalizer {
    /// Unicode NFC, line endings unified, surrounding whitespace trimmed.
    /// The same text typed on a phone or pasted from Outlook compares and searches the same.
    public static func body(_ text: String) -> String {
        // Every message passes here: line endings are unified on bytes, and Foundation's NFC runs only when
        // a scalar at or above U+0300 (where combining marks start) could change. Latin-1 text is already NFC.
        var bytes = Array(text.utf8)
        if bytes.contains(0x0D) { bytes = unifyLineEndings(bytes) }
        var unified = String(decoding: bytes, as: UTF8.self)
        if unified.unicodeScalars.contains(where: { $0.value >= 0x300 }) { unified = unified.precomposedStringWithCanonicalMapping }
        return trimmed(unified)
    }

    private static func unifyLineEndings(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0D {
                out.append(0x0A)
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                out.append(byte)
            }
            index += 1
        }
        return out
    }

    /// Without surrounding whitespace and newlines (Unicode's White_Space, as `trimmingCharacters(in: .whitespacesAndNewlines)`).
    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        if first == scalars.startIndex, last == scalars.index(before: scalars.endIndex) { return text }
        return String(scalars[first...last])
    }

    /// A single line: NFC, every run of whitespace (including newlines) collapsed to one space.
    public static func line(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
            .split(whereSeparator: { $0.isWhitespace || $0.isNewline })
            .joined(separator: " ")
    }
}

public enum TagList {
    public static let maxCount = 30
    public static let maxLength = 50

    /// Lower-cased, trimmed, spaces turned to `-`, duplicates dropped (first kept).
    /// Letters of any script are fine ("conta_hackeada", "حساب"); punctuation other than `-_:.` is not.
    public static func normalize(_ tags: [String], field: String) throws(DomainError) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        var problems: [FieldProblem] = []
        for (index, raw) in tags.enumerated() {
            let tag = TextNormalizer.line(raw).lowercased().replacingOccurrences(of: " ", with: "-")
            if tag.isEmpty {
                problems.append(FieldProblem(field: "\(field)[\(index)]", problem: "A tag cannot be empty."))
            } else if tag.count > maxLength {
                problems.append(FieldProblem(field: "\(field)[\(index)]", problem: "A tag can be at most \(maxLength) characters long."))
            } else if !tag.unicodeScalars.allSatisfy(isTagScalar) {
                problems.append(FieldProblem(
                    field: "\(field)[\(index)]",
                    problem: "'\(raw)' has characters a tag cannot hold; use letters, digits and - _ : . only."))
            } else if seen.insert(tag).inserted {
                result.append(tag)
            }
        }
        if result.count > maxCount {
            problems.append(FieldProblem(field: field, problem: "A ticket can carry at most \(maxCount) tags."))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return result
    }

    private static func isTagScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || scalar.properties.numericType != nil || "-_:.".unicodeScalars.contains(scalar)
            || scalar.properties.generalCategory == .nonspacingMark
    }
}

public enum EmailAddress {
    /// A pragmatic check, not RFC 5322: one `@`, a non-empty local part, a dotted domain, no spaces.
    /// Returns the address lower-cased: local parts are case-sensitive in theory, never in practice for the mail
    /// providers our users have, and "Ana@Gmail.com" and "ana@gmail.com" must be one contact and one login.
    public static func normalize(_ raw: String) -> String? {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.count <= 254, !trimmed.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }) else { return nil }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return nil }
        let domain = parts[1].lowercased()
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else { return nil }
        return "\(parts[0].lowercased())@\(domain)"
    }
}

public enum LocaleTag {
    /// A BCP 47 language tag in its usual casing (`pt-BR`, `ar`, `fr-CA`, `zh-Hant-TW`), or nil if it is not one.
    public static func normalize(_ raw: String) -> String? {
        let parts = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "-").split(separator: "-")
        guard let first = parts.first, (2...3).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            return nil
        }
        var out = [first.lowercased()]
        for part in parts.dropFirst() {
            guard (1...8).contains(part.count), part.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
            switch part.count {
            case 2 where part.allSatisfy(\.isLetter): out.append(part.uppercased())
            case 4 where part.allSatisfy(\.isLetter): out.append(part.prefix(1).uppercased() + part.dropFirst().lowercased())
            default: out.append(part.lowercased())
            }
        }
        return out.joined(separator: "-")
    }

    /// The language part of a tag: `pt-BR` → `pt`.
    public static func language(of tag: String) -> String {
        String(tag.split(separator: "-").first ?? Substring(tag))
    }
}
