import Foundation
@testable import HavenMail
import Testing

/// Property tests: the parser takes any bytes and gives bounded output. The libFuzzer harness (scripts/fuzz-mail)
/// explores further; an input it crashes on becomes a case here (none so far).
@Suite struct RobustnessTests {
    /// A small deterministic generator (SplitMix64), so a failure can be reproduced from its seed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let tokens: [[UInt8]] = ["--", "\r\n", "\n\n", "=?", "?=", "=?utf-8?B?", "boundary=", "Content-Type: multipart/mixed; boundary=", "<", ">", "\"", "(", "=", "&#", "<script>", ";", ":", "*0*="].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], using rng: inout SplitMix) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: position)
            case 2: bytes = Array(bytes.prefix(position))
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + Int.random(in: 1...200, using: &rng))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            default: if !bytes.isEmpty { bytes.remove(at: position) }
            }
        }
        return bytes
    }

    static func checkBounded(_ bytes: [UInt8]) {
        let mail = InboundMail(parsing: bytes)
        #expect(mail.text.utf8.count <= 4 * bytes.count + 1_024)
        #expect(mail.newText.utf8.count <= mail.text.utf8.count + 1)
        #expect(mail.attachments.count <= MIMEParser().maxParts)
        #expect(mail.attachments.reduce(0) { $0 + $1.data.count } <= bytes.count * MIMEParser().maxDepth)
    }

    @Test func mutatedCorpusMessagesParse() throws {
        let corpus = Bundle.module.resourceURL!.appendingPathComponent("Corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).filter { $0.hasSuffix(".eml") }.sorted()
        var rng = SplitMix(state: 20_261_121)
        for file in files {
            let original = try [UInt8](Data(contentsOf: corpus.appendingPathComponent(file)))
            for _ in 0..<150 { Self.checkBounded(Self.mutate(original, using: &rng)) }
        }
    }

    @Test func pathologicalShapesStayBounded() {
        // 5,000 nested multiparts: parsing stops at the depth limit.
        var nested = ""
        for level in 0..<5_000 { nested += "Content-Type: multipart/mixed; boundary=b\(level)\r\n\r\n--b\(level)\r\n" }
        Self.checkBounded(Array(nested.utf8))
        // 20,000 parts: parsing stops at the part limit.
        let many = "Content-Type: multipart/mixed; boundary=x\r\n\r\n" + String(repeating: "--x\r\nContent-Type: application/octet-stream\r\n\r\nAAAA\r\n", count: 20_000) + "--x--\r\n"
        let mail = InboundMail(parsing: Array(many.utf8))
        #expect(mail.attachments.count < MIMEParser().maxParts)
        // Headers full of encoded-word starts, a megabyte line, an HTML body of unclosed tags and ampersands.
        Self.checkBounded(Array(("Subject: " + String(repeating: "=?utf-8?B?", count: 50_000) + "\r\n\r\nx").utf8))
        Self.checkBounded(Array(("Subject: x\r\n\r\n" + String(repeating: "a", count: 1 << 20)).utf8))
        Self.checkBounded(Array(("Content-Type: text/html\r\n\r\n" + String(repeating: "<b><i>&amp&#99999999;<", count: 20_000)).utf8))
        Self.checkBounded(Array(("From: " + String(repeating: "(((\"<", count: 20_000) + "\r\n\r\n").utf8))
    }
}
