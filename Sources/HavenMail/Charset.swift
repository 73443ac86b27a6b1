/// Turns bytes in a declared charset into text, and never gives up: an unknown or wrong label falls back to
/// what the bytes most likely are, so a mislabelled message is readable instead of empty or garbled.
public enum Charset: Equatable, Sendable {
    case utf8, utf16LE, utf16BE, utf16  // utf16: byte order from the BOM, big-endian without one (RFC 2781)
    case singleByte(name: String, table: [UInt16])

    /// A label lower-cased without the spaces and quotes mailers put around it. Byte-level: this runs for every part
    /// and every encoded word, and Foundation's trimming is many times slower.
    static func bareLabel(_ label: String) -> String {
        let padding: Set<UInt8> = [0x20, 0x09, 0x22, 0x27]
        let bytes = label.utf8
        guard let first = bytes.firstIndex(where: { !padding.contains($0) }) else { return "" }
        let last = bytes.lastIndex(where: { !padding.contains($0) })!
        return String(label[first...last]).lowercased()
    }

    public static let windows1252 = Charset.singleByte(name: "windows-1252", table: CharsetTables.windows1252)
    public static let windows1256 = Charset.singleByte(name: "windows-1256", table: CharsetTables.windows1256)

    /// The charset a MIME label names, with its usual aliases; nil when Haven does not know it.
    public init?(label: String) {
        var name = Self.bareLabel(label)
        // RFC 2231 allows a language suffix on the charset in encoded words: "utf-8*pt-BR".
        if let star = name.firstIndex(of: "*") { name = String(name[..<star]) }
        switch name {
        case "utf-8", "utf8", "unicode-1-1-utf-8", "x-unicode20utf8": self = .utf8
        // US-ASCII labels often hide 8-bit text; Windows-1252 is ASCII's superset that mail clients really mean.
        case "us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us", "iso-ir-6", "cp367", "ibm367", "646":
            self = .windows1252
        // WHATWG: ISO-8859-1 is decoded as Windows-1252 (its C1 range is never meant as control characters).
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819", "iso-ir-100",
            "windows-1252", "cp1252", "x-cp1252", "win-1252", "ms-ansi", "iso_8859-1:1987":
            self = .windows1252
        case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin9", "latin-9", "l9", "csisolatin9":
            self = .singleByte(name: "iso-8859-15", table: CharsetTables.iso8859_15)
        case "iso-8859-2", "iso8859-2", "iso_8859-2", "latin2", "latin-2", "l2", "iso-ir-101", "csisolatin2":
            self = .singleByte(name: "iso-8859-2", table: CharsetTables.iso8859_2)
        case "windows-1250", "cp1250", "x-cp1250":
            self = .singleByte(name: "windows-1250", table: CharsetTables.windows1250)
        case "iso-8859-6", "iso8859-6", "iso_8859-6", "arabic", "asmo-708", "ecma-114", "iso-ir-127", "csisolatinarabic",
            "iso-8859-6-e", "iso-8859-6-i":
            self = .singleByte(name: "iso-8859-6", table: CharsetTables.iso8859_6)
        case "windows-1256", "cp1256", "x-cp1256":
            self = .windows1256
        case "iso-8859-9", "iso8859-9", "latin5", "windows-1254", "cp1254":
            self = .singleByte(name: "iso-8859-9", table: CharsetTables.iso8859_9)
        case "koi8-r", "koi8r", "cskoi8r": self = .singleByte(name: "koi8-r", table: CharsetTables.koi8r)
        case "utf-16le", "utf16le": self = .utf16LE
        case "utf-16be", "utf16be": self = .utf16BE
        case "utf-16", "utf16", "ucs-2", "iso-10646-ucs-2", "csunicode": self = .utf16
        default: return nil
        }
    }

    /// Decodes `bytes` declared as `label` (nil: undeclared). Never fails.
    public static func decode(_ bytes: some Collection<UInt8>, label: String?) -> String {
        let bytes = Array(bytes)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            // Pure ASCII reads the same in every charset but UTF-16.
            if let label, let charset = Charset(label: label), charset.isUTF16 { return charset.decode(bytes) }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let label, let charset = Charset(label: label) else { return guess(bytes) }
        switch charset {
        case .utf8:
            return String(validating: bytes, as: UTF8.self) ?? guessLegacy(bytes)
        case .singleByte:
            // A legacy label on valid multi-byte UTF-8 is a mislabel (common with webmail and scripts): real
            // Latin-1 text almost never forms valid UTF-8 sequences by accident.
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            return charset.decode(bytes)
        case .utf16, .utf16LE, .utf16BE:
            return charset.decode(bytes)
        }
    }

    /// Undeclared or unknown charset: UTF-8 if the bytes are valid UTF-8, else the legacy charset they look like.
    static func guess(_ bytes: [UInt8]) -> String {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return Charset.utf16.decode(bytes)
        }
        return String(validating: bytes, as: UTF8.self) ?? guessLegacy(bytes)
    }

    /// Windows-1256 when most letters are high bytes in its Arabic range (Arabic text), else Windows-1252:
    /// in French or Portuguese, accented letters are a minority among ASCII ones.
    static func guessLegacy(_ bytes: [UInt8]) -> String {
        var high = 0, ascii = 0
        for byte in bytes {
            if byte >= 0xC1 { high += 1 } else if (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) { ascii += 1 }
        }
        return (high > ascii ? Charset.windows1256 : Charset.windows1252).decode(bytes)
    }

    var isUTF16: Bool {
        switch self {
        case .utf16, .utf16LE, .utf16BE: true
        default: false
        }
    }

    func decode(_ bytes: [UInt8]) -> String {
        switch self {
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .singleByte(_, let table):
            var scalars = String.UnicodeScalarView()
            scalars.reserveCapacity(bytes.count)
            for byte in bytes {
                let value = byte < 0x80 ? UInt32(byte) : UInt32(table[Int(byte) - 0x80])
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            }
            return String(scalars)
        case .utf16, .utf16LE, .utf16BE:
            var body = bytes[...]
            var littleEndian = self == .utf16LE
            if self == .utf16, body.count >= 2 {
                if body.starts(with: [0xFF, 0xFE]) { littleEndian = true; body = body.dropFirst(2) }
                else if body.starts(with: [0xFE, 0xFF]) { body = body.dropFirst(2) }
            }
            var units: [UInt16] = []
            units.reserveCapacity(body.count / 2)
            var index = body.startIndex
            while index + 1 < body.endIndex {
                let a = UInt16(body[index]), b = UInt16(body[index + 1])
                units.append(littleEndian ? a | b << 8 : a << 8 | b)
                index += 2
            }
            return String(decoding: units, as: UTF16.self)
        }
    }
}
