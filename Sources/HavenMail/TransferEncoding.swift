/// Content-Transfer-Encoding decoders, tolerant of what real mailers send: bad padding, long lines,
/// stray characters, `=` not followed by hex. They never fail; what cannot be decoded is kept as it is.
public enum TransferEncoding {
    public static func decode(_ bytes: ArraySlice<UInt8>, encoding: String?) -> [UInt8] {
        switch encoding.map(Charset.bareLabel) {
        case "base64": base64(bytes)
        case "quoted-printable": quotedPrintable(bytes)
        default: Array(bytes)  // 7bit, 8bit, binary, and unknown tokens (RFC 2045 §6.4: treat as opaque)
        }
    }

    static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, char) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(char)] = UInt8(index)
        }
        table[Int(UInt8(ascii: "-"))] = 62  // base64url, seen from some web mailers
        table[Int(UInt8(ascii: "_"))] = 63
        return table
    }()

    /// Base64 ignoring everything outside the alphabet (line breaks, spaces, junk) and missing or extra padding.
    public static func base64(_ bytes: some Sequence<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 3 / 4)
        var buffer: UInt32 = 0, count = 0
        for byte in bytes {
            let value = base64Values[Int(byte)]
            guard value != 0xFF else { continue }
            buffer = buffer << 6 | UInt32(value)
            count += 1
            if count == 4 {
                output.append(UInt8(truncatingIfNeeded: buffer >> 16))
                output.append(UInt8(truncatingIfNeeded: buffer >> 8))
                output.append(UInt8(truncatingIfNeeded: buffer))
                buffer = 0
                count = 0
            }
        }
        // A final group of 2 or 3 characters still holds 1 or 2 whole bytes; 1 character holds none.
        if count == 2 { output.append(UInt8(truncatingIfNeeded: buffer >> 4)) }
        if count == 3 {
            output.append(UInt8(truncatingIfNeeded: buffer >> 10))
            output.append(UInt8(truncatingIfNeeded: buffer >> 2))
        }
        return output
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Quoted-printable (RFC 2045 §6.7); with `underscoreIsSpace`, the Q encoding of RFC 2047.
    public static func quotedPrintable(_ bytes: some Collection<UInt8>, underscoreIsSpace: Bool = false) -> [UInt8] {
        let bytes = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "=") {
                // Soft line break: "=" then optional trailing whitespace then CRLF or LF.
                var next = index + 1
                while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
                if next < bytes.count, bytes[next] == 0x0A { index = next + 1; continue }
                if next + 1 < bytes.count, bytes[next] == 0x0D, bytes[next + 1] == 0x0A { index = next + 2; continue }
                if next == bytes.count { break }  // "=" at the very end: a soft break before nothing
                if index + 2 < bytes.count, let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                output.append(byte)  // "=" not followed by hex: keep it (RFC 2045 suggests exactly this)
                index += 1
            } else if underscoreIsSpace, byte == UInt8(ascii: "_") {
                output.append(0x20)
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }
}
