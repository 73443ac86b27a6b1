import Foundation
@testable import HavenMail
import Testing

/// Every message of the corpus (scripts/mail-corpus.py) parsed and compared with its expected parse, written by
/// hand in Corpus/expected.json.
@Suite struct CorpusTests {
    static let corpus = Bundle.module.resourceURL!.appendingPathComponent("Corpus")
    nonisolated(unsafe) static let expectations: [String: [String: Any]] = {  // read-only after first use
        let data = try! Data(contentsOf: corpus.appendingPathComponent("expected.json"))
        return try! JSONSerialization.jsonObject(with: data) as! [String: [String: Any]]
    }()
    static let names = expectations.keys.sorted()

    @Test func everyCorpusFileHasAnExpectation() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).filter { $0.hasSuffix(".eml") }
        #expect(Set(files.map { String($0.dropLast(4)) }) == Set(Self.names))
    }

    @Test(arguments: names) func parsesAsExpected(_ name: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.corpus.appendingPathComponent(name + ".eml")))
        let mail = InboundMail(parsing: bytes)
        let expected = Self.expectations[name]!
        if let from = expected["from"] as? String { #expect(mail.from?.address == from) }
        if let name = expected["from_name"] as? String { #expect(mail.from?.name == name) }
        if let subject = expected["subject"] as? String { #expect(mail.subject == subject) }
        if let id = expected["message_id"] as? String { #expect(mail.messageID == id) }
        if let ids = expected["thread_ids"] as? [String] { #expect(mail.threadIDs == ids) }
        if let to = expected["to"] as? [String] { #expect(mail.to.map(\.address) == to) }
        if let cc = expected["cc"] as? [String] { #expect(mail.cc.map(\.address) == cc) }
        if let names = expected["cc_names"] as? [Any] { #expect(mail.cc.map { $0.name ?? "" } == names.map { ($0 as? String) ?? "" }) }
        if let date = expected["date"] as? String { #expect(mail.date == ISO8601DateFormatter().date(from: date)) }
        if let text = expected["new_text"] as? String { #expect(mail.newText == text) }
        for piece in expected["text_contains"] as? [String] ?? [] { #expect(mail.text.contains(piece), "text lacks \(piece): \(mail.text)") }
        for piece in expected["text_excludes"] as? [String] ?? [] { #expect(!mail.text.contains(piece), "text has \(piece)") }
        for piece in expected["html_contains"] as? [String] ?? [] { #expect(mail.html?.contains(piece) == true, "html lacks \(piece): \(mail.html ?? "nil")") }
        for piece in expected["html_excludes"] as? [String] ?? [] { #expect(mail.html?.contains(piece) != true, "html has \(piece)") }
        if let length = expected["text_length"] as? Int { #expect(mail.text.count == length) }
        if expected.keys.contains("automatic") { #expect(mail.automatic?.rawValue == expected["automatic"] as? String) }
        if let files = expected["attachments"] as? [[String: Any]] {
            #expect(mail.attachments.count == files.count, "attachments: \(mail.attachments.map(\.filename))")
            for (file, want) in zip(mail.attachments, files) {
                #expect(file.filename == want["filename"] as? String)
                #expect(file.contentType == want["content_type"] as? String)
                if let size = want["size"] as? Int { #expect(file.data.count == size) }
                if let inline = want["inline"] as? Bool { #expect(file.isInline == inline) }
                if let cid = want["content_id"] as? String { #expect(file.contentID == cid) }
            }
        }
        if let bounce = expected["bounce"] as? [String: Any] {
            let report = try #require(mail.deliveryReport)
            #expect(report.originalMessageID == bounce["original_message_id"] as? String)
            let recipients = bounce["recipients"] as? [[String: Any]] ?? []
            #expect(report.recipients.map(\.address) == recipients.map { $0["address"] as? String ?? "" })
            #expect(report.recipients.map(\.isPermanent) == recipients.map { $0["permanent"] as? Bool ?? false })
        }
    }
}
