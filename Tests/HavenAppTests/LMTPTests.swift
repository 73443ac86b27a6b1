import Foundation
@testable import HavenApp
import HavenStorage
import Logging
import Testing

@Suite struct LMTPSessionTests {
    func lines(_ session: inout LMTPSession, _ input: String) -> [LMTPSession.Action] {
        input.components(separatedBy: "\r\n").dropLast().compactMap { session.receive(Array($0.utf8)[...]) }
    }

    @Test func aWholeConversationWithDotStuffing() {
        var session = LMTPSession(hostname: "haven", maxMessageBytes: 1_000)
        let actions = lines(&session, "LHLO mx\r\nMAIL FROM:<a@example.com> SIZE=100\r\nRCPT TO:<support@haven.test>\r\nRCPT TO:<help@haven.test>\r\nDATA\r\nSubject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n")
        guard actions.count == 7 else { Issue.record("actions: \(actions)"); return }
        #expect(actions[0] == .reply("250-haven\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 1000"))
        #expect(actions[1] == .reply("250 2.1.0 Sender OK"))
        #expect(actions[4] == .reply("354 End data with <CR><LF>.<CR><LF>"))
        #expect(actions[5] == .deliver(message: Array("Subject: x\r\n\r\n.leading dot\r\n".utf8), recipients: ["support@haven.test", "help@haven.test"]))
        #expect(actions[6] == .close("221 2.0.0 Bye"))
    }

    @Test func outOfOrderCommandsAndOversizedMessagesGetClearReplies() {
        var session = LMTPSession(hostname: "haven", maxMessageBytes: 20)
        #expect(lines(&session, "MAIL FROM:<a@b>\r\n") == [.reply("503 5.5.1 Say LHLO first")])
        #expect(lines(&session, "EHLO mx\r\n") == [.reply("500 5.5.1 This is LMTP: greet with LHLO")])
        _ = lines(&session, "LHLO mx\r\n")
        #expect(lines(&session, "DATA\r\n") == [.reply("503 5.5.1 RCPT TO first")])
        #expect(lines(&session, "MAIL FROM:<a@b> SIZE=999\r\n") == [.reply("552 5.3.4 Message too big: the limit is 20 bytes")])
        #expect(lines(&session, "MAIL FROM a@b\r\n") == [.reply("501 5.5.4 Syntax: MAIL FROM:<address>")])
        _ = lines(&session, "MAIL FROM:<>\r\nRCPT TO:<s@h>\r\nRCPT TO:<t@h>\r\nDATA\r\n")
        let tooBig = lines(&session, "this line alone is longer than twenty bytes\r\n.\r\n")
        #expect(tooBig == [.reply("552 5.3.4 Message too big: the limit is 20 bytes\r\n552 5.3.4 Message too big: the limit is 20 bytes")])
        #expect(lines(&session, "WHAT\r\n") == [.reply("500 5.5.2 Unknown command")])
    }
}

/// LMTP end to end: Haven's listener on loopback, Python's smtplib.LMTP as the MTA.
@Suite struct LMTPEndToEndTests {
    static let client = #"""
import json, smtplib, sys
port = int(sys.argv[1])
def message(mid, body, extra=""):
    return ("From: Ana <ana@example.com>\r\nTo: support@haven.test\r\nSubject: LIVE caiu\r\nMessage-ID: <%s>\r\n%s"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n.dot line\r\n" % (mid, extra, body)).encode("utf-8")
out = []
with smtplib.LMTP("127.0.0.1", port, timeout=10) as lmtp:
    lmtp.ehlo_or_helo_if_needed = lambda: None
    out.append(lmtp.docmd("LHLO", "mx.test")[0])
    for mid, body, extra, rcpts in [
        ("l1@example.com", "Minha live caiu no meio.", "", ["support@haven.test", "live@haven.test"]),
        ("l2@example.com", "Ainda está caindo.", "In-Reply-To: <l1@example.com>\r\n", ["support@haven.test"]),
        ("l1@example.com", "Minha live caiu no meio.", "", ["support@haven.test"]),
        ("big@example.com", "x" * 5000, "", ["support@haven.test"]),
    ]:
        lmtp.mail("ana@example.com")
        for r in rcpts: lmtp.rcpt(r)
        replies = [lmtp.data(message(mid, body, extra))]
        replies += [lmtp.getreply() for _ in rcpts[1:]]
        out.append([[code, text.decode()] for code, text in replies])
print(json.dumps(out))
"""#

    @Test func pythonLMTPDeliversAndEachRecipientGetsAnAnswer() async throws {
        var configuration = MailIntakeConfiguration()
        configuration.maxMessageBytes = 3_000
        try await withApp(mailConfiguration: configuration) { app, _ in
            // The listener reports its port once bound; that may happen before or after the test starts waiting.
            let (ports, portReported) = AsyncStream.makeStream(of: Int.self)
            let server = LMTPServer(host: "127.0.0.1", port: 0, intake: app.services.mailIntake, logger: TestDatabase.logger) { port in
                portReported.yield(port)
                portReported.finish()
            }
            let running = Task { try await server.run() }
            defer { running.cancel() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())

            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", Self.client, String(port)]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = try await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
            let replies = try #require(try JSONSerialization.jsonObject(with: data) as? [Any], "python said: \(String(decoding: data, as: UTF8.self))")
            #expect(replies.first as? Int == 250)
            func codes(_ index: Int) -> [Int] { ((replies[index] as? [[Any]]) ?? []).compactMap { $0.first as? Int } }
            func text(_ index: Int) -> String { ((replies[index] as? [[Any]]) ?? []).compactMap { $0.last as? String }.joined(separator: " | ") }
            #expect(codes(1) == [250, 250])          // one answer per recipient
            #expect(text(1).contains("created, ticket #1"))
            #expect(codes(2) == [250])
            #expect(text(2).contains("appended, ticket #1"))
            #expect(text(3).contains("duplicate"))     // the MTA retried a message it had delivered
            #expect(codes(4) == [552])               // too big: refused for good
            let ticket = try #require(try await app.services.tickets.find(.number(1), includeInternal: false))
            #expect(ticket.messages?.map(\.body) == ["Minha live caiu no meio.\n.dot line", "Ainda está caindo.\n.dot line"])
        }
    }
}
