import Foundation
@testable import HavenApp
import Testing

/// The SMTP client against a real SMTP server (aiosmtpd) on loopback.
@Suite struct SMTPClientTests {
    let message = Array("From: support@haven.test\r\nTo: ana@example.com\r\nSubject: Hi\r\n\r\nHello\r\n.starts with a dot\r\n".utf8)

    @Test func deliversOverPlainSMTP() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)?starttls=off"))
        let delivery = try await client.send(message, from: "bounces@haven.test", to: ["ana@example.com", "bo@example.com"])
        #expect(delivery.accepted == ["ana@example.com", "bo@example.com"])
        let received = try sink.received()
        #expect(received.count == 1)
        #expect(received.first?.mailFrom == "bounces@haven.test")
        #expect(received.first?.recipients == ["ana@example.com", "bo@example.com"])
        // Dot-stuffing undone by the server: the line that starts with a dot arrives as written.
        let text = String(decoding: received.first?.raw ?? [], as: UTF8.self)
        #expect(text.contains("\r\n.starts with a dot\r\n"))
    }

    @Test func answersPerRecipient() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try sink.control(rcpt: ["gone@example.com": "550 5.1.1 No such user", "full@example.com": "452 4.2.2 Mailbox full"])
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)?starttls=off"))
        let delivery = try await client.send(message, from: "b@haven.test", to: ["ana@example.com", "gone@example.com", "full@example.com"])
        #expect(delivery.accepted == ["ana@example.com"])
        #expect(delivery.rejected["gone@example.com"]?.hasPrefix("550") == true)
        #expect(delivery.deferred["full@example.com"]?.hasPrefix("452") == true)
        #expect(try sink.received().first?.recipients == ["ana@example.com"])
    }

    @Test func aRefusedMessageIsTemporaryOrPermanentByItsCode() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        try sink.control(data: ["451 4.3.0 Try again later", "554 5.6.0 Message refused"])
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)?starttls=off"))
        let first = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        #expect(first.deferred["ana@example.com"]?.hasPrefix("451") == true)
        let second = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        #expect(second.rejected["ana@example.com"]?.hasPrefix("554") == true)
        let third = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        #expect(third.accepted == ["ana@example.com"])
        #expect(try sink.received().count == 1)
    }

    @Test func startTLSWithAVerifiedCertificateAndLogin() async throws {
        let sink = try SMTPSink(mode: .startTLS, auth: ("haven", "s3cret pass"))
        defer { sink.stop() }
        let ca = try TestCertificate.shared.certificate
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://haven:s3cret%20pass@localhost:\(sink.port)?starttls=required&ca=\(ca)"))
        let delivery = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        #expect(delivery.accepted == ["ana@example.com"])
        let received = try #require(try sink.received().first)
        #expect(received.tls)
        #expect(received.login == "haven")
    }

    @Test func authLoginWhenPlainIsNotOffered() async throws {
        let sink = try SMTPSink(mode: .startTLS, auth: ("haven", "pässword"), onlyLogin: true)
        defer { sink.stop() }
        let ca = try TestCertificate.shared.certificate
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://haven:p%C3%A4ssword@localhost:\(sink.port)?ca=\(ca)"))
        let delivery = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        #expect(delivery.accepted == ["ana@example.com"])
        #expect(try sink.received().first?.login == "haven")
    }

    @Test func implicitTLS() async throws {
        let sink = try SMTPSink(mode: .implicitTLS, auth: ("haven", "pw"))
        defer { sink.stop() }
        let ca = try TestCertificate.shared.certificate
        let client = try SMTPClient(SMTPConfiguration(url: "smtps://haven:pw@localhost:\(sink.port)?ca=\(ca)"))
        let delivery = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        #expect(delivery.accepted == ["ana@example.com"])
        #expect(try sink.received().first?.tls == true)
    }

    @Test func anUntrustedCertificateIsNotUsed() async throws {
        let sink = try SMTPSink(mode: .startTLS)
        defer { sink.stop() }
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://localhost:\(sink.port)?starttls=required"))
        await #expect(throws: SMTPFailure.self) { try await client.send(message, from: "b@haven.test", to: ["ana@example.com"]) }
        #expect(try sink.received().isEmpty)
    }

    @Test func aWrongPasswordIsRetriedLater() async throws {
        let sink = try SMTPSink(mode: .startTLS, auth: ("haven", "right"))
        defer { sink.stop() }
        let ca = try TestCertificate.shared.certificate
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://haven:wrong@localhost:\(sink.port)?ca=\(ca)"))
        do {
            _ = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
            Issue.record("a refused login delivered")
        } catch {
            guard case .temporary(let reason) = error else { Issue.record("a refused login should be temporary: \(error)"); return }
            #expect(reason.contains("login"))
        }
    }

    @Test func requiredSTARTTLSMissingSendsNothingInTheClear() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let client = try SMTPClient(SMTPConfiguration(url: "smtp://127.0.0.1:\(sink.port)?starttls=required"))
        await #expect(throws: SMTPFailure.temporary("127.0.0.1 does not offer STARTTLS, which HAVEN_SMTP_URL requires; nothing was sent in the clear.")) {
            try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
        }
        #expect(try sink.received().isEmpty)
    }

    @Test func aServerThatIsDownOrStuckIsTemporary() async throws {
        let sink = try SMTPSink()
        let port = sink.port
        sink.stop()
        let down = try SMTPClient(SMTPConfiguration(url: "smtp://127.0.0.1:\(port)?starttls=off&timeout=2"))
        do {
            _ = try await down.send(message, from: "b@haven.test", to: ["ana@example.com"])
            Issue.record("delivered to a server that is down")
        } catch {
            guard case .temporary = error else { Issue.record("down should be temporary: \(error)"); return }
        }

        let stuck = try SMTPSink()
        defer { stuck.stop() }
        try stuck.control(hangData: true)
        var configuration = try SMTPConfiguration(url: "smtp://127.0.0.1:\(stuck.port)?starttls=off&timeout=2")
        configuration.dataTimeout = 1
        let started = Date()
        let client = try SMTPClient(configuration)
        do {
            _ = try await client.send(message, from: "b@haven.test", to: ["ana@example.com"])
            Issue.record("a stuck server answered")
        } catch {
            guard case .temporary(let reason) = error else { Issue.record("stuck should be temporary: \(error)"); return }
            #expect(reason.contains("no answer within 1 s"))
        }
        // Well under the default 120 s: the 1 s deadline did it (the margin is for a loaded 2-core CI machine).
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func urlsAreCheckedWithClearAnswers() throws {
        #expect(throws: ConfigurationError.self) { try SMTPConfiguration(url: "http://mail.example.com") }
        #expect(throws: ConfigurationError("HAVEN_SMTP_URL has a password but starttls=off: Haven never sends credentials unencrypted.")) {
            try SMTPConfiguration(url: "smtp://u:p@mail.example.com:25?starttls=off")
        }
        #expect(throws: ConfigurationError.self) { try SMTPConfiguration(url: "smtp://mail.example.com?bogus=1") }
        let submission = try SMTPConfiguration(url: "smtp://me%40example.com:p%40ss@mail.example.com")
        #expect(submission.port == 587)
        #expect(submission.security == .startTLS)
        #expect(submission.username == "me@example.com")
        #expect(submission.password == "p@ss")
        #expect(submission.redacted == "smtp://me@example.com:***@mail.example.com:587")
        #expect(try SMTPConfiguration(url: "smtps://mail.example.com").port == 465)
    }

    @Test func dotStuffing() {
        #expect(SMTPClient.dotStuffed(Array("a\r\n.b\n..c".utf8)) == Array("a\r\n..b\r\n...c\r\n.\r\n".utf8))
        #expect(SMTPClient.dotStuffed(Array(".\r\n".utf8)) == Array("..\r\n.\r\n".utf8))
    }
}
