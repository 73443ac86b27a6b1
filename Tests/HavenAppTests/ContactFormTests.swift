import Foundation
@testable import HavenApp
import HavenCore
import HavenStorage
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The web contact form: server-rendered in four languages (Arabic right to left), sent as a browser sends it
/// (multipart/form-data, no JavaScript), checked against forgery, bots and floods, and acknowledged by email
/// through the outbox to a real SMTP server.
@Suite(.serialized) struct ContactFormTests {
    /// What a browser keeps from showing the form: the hidden token and the cookie.
    struct Shown {
        var html: String
        var token: String
        var cookie: String
    }

    static func show(_ client: some TestClientProtocol, _ query: String = "", headers: HTTPFields = [:]) async throws -> Shown {
        try await client.execute(uri: "/contact" + query, method: .get, headers: headers) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(buffer: response.body)
            let token = try #require(html.firstMatch(of: /name="form_token" value="([^"]+)"/)?.1)
            let cookie = try #require(response.headers[.setCookie])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
            let pair = try #require(cookie.split(separator: ";").first)
            return Shown(html: html, token: String(token), cookie: String(pair))
        }
    }

    /// A multipart/form-data body as a browser builds it.
    static func multipart(_ fields: [(String, String)], files: [(name: String, filename: String, type: String, bytes: [UInt8])] = [])
        -> (ByteBuffer, String) {
        let boundary = "----HavenFormBoundary\(UUID().uuidString.prefix(8))"
        var body: [UInt8] = []
        for (name, value) in fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return (ByteBuffer(bytes: body), "multipart/form-data; boundary=\(boundary)")
    }

    static func submit(
        _ client: some TestClientProtocol, _ shown: Shown, _ fields: [(String, String)], files: [(name: String, filename: String, type: String, bytes: [UInt8])] = [],
        lang: String = "en", cookie: Bool = true
    ) async throws -> TestResponse {
        let (body, type) = multipart([("form_token", shown.token)] + fields, files: files)
        var headers: HTTPFields = [.contentType: type]
        if cookie { headers[.cookie] = shown.cookie }
        return try await client.execute(uri: "/contact?lang=\(lang)", method: .post, headers: headers, body: body) { $0 }
    }

    static let good: [(String, String)] = [
        ("name", "Layla"), ("email", "layla@example.com"), ("category", "live_gifts"), ("description", "My LIVE gifts did not arrive yesterday"), ("hp_extra", ""),
    ]

    @Test func theFormSpeaksFourLanguagesAndArabicIsRightToLeft() async throws {
        try await withApp { app, client in
            for (lang, title, category, dir) in [
                ("en", "Contact support", "LIVE, gifts and coins", "ltr"), ("pt-BR", "Fale com o suporte", "LIVE, presentes e moedas", "ltr"),
                ("ar", "تواصل مع الدعم", "البث المباشر والهدايا والعملات", "rtl"), ("fr", "Contacter l’assistance", "LIVE, cadeaux et pièces", "ltr"),
            ] {
                let shown = try await Self.show(client, "?lang=\(lang)")
                #expect(shown.html.contains("<html lang=\"\(lang)\" dir=\"\(dir)\">"), "\(lang)")
                #expect(shown.html.contains("<title>\(title)</title>") && shown.html.contains(category), "\(lang)")
                // The switcher names every language in itself.
                #expect(shown.html.contains("العربية") && shown.html.contains("Português (Brasil)"))
            }
            // Without ?lang, the browser's languages decide; Portuguese from Portugal gets the Portuguese we have.
            for (accept, lang) in [("ar-SA,fr;q=0.5", "ar"), ("de-DE,fr;q=0.8,en;q=0.5", "fr"), ("pt-PT", "pt-BR"), ("de", "en"), ("en;q=0.1,fr", "fr")] {
                let shown = try await Self.show(client, headers: [.acceptLanguage: accept])
                #expect(shown.html.contains("<html lang=\"\(lang)\""), "\(accept)")
            }
        }
    }

    @Test func aSentFormIsAWebTicketWithItsFilesAndTheCustomerIsAcknowledged() async throws {
        let sink = try SMTPSink()
        defer { sink.stop() }
        let clock = TestClock()
        try await withApp(mailOut: try MailOutTests.mailOut(port: sink.port), clock: clock) { app, client in
            let shown = try await Self.show(client, "?lang=fr")
            clock.advance(by: 20)
            let response = try await Self.submit(client, shown, Self.good, files: [("attachments", "capture.png", "image/png", tinyPNG)], lang: "fr")
            #expect(response.status == .seeOther, "\(String(buffer: response.body))")
            let location = try #require(response.headers[.location])
            let digits = try #require(location.firstMatch(of: /ticket=(\d+)/)?.1)
            let number = try #require(Int(digits))
            try await client.execute(uri: location, method: .get) { page in
                let html = String(buffer: page.body)
                #expect(html.contains("Merci, nous avons bien reçu votre demande") && html.contains("#\(number)"))
            }
            let ticket = try await client.execute(uri: "/api/v1/tickets/\(number)", method: .get, headers: app.admin.header) { try object($0) }
            #expect(ticket["channel"] as? String == "web")
            let requester = try #require(ticket["requester"] as? [String: Any])
            #expect(requester["email"] as? String == "layla@example.com" && requester["name"] as? String == "Layla" && requester["locale"] as? String == "fr")
            let details = try #require(ticket["details"] as? [String: Any])
            #expect(details["category"] as? String == "live_gifts" && details["form_locale"] as? String == "fr")
            let message = try #require((ticket["messages"] as? [[String: Any]])?.first)
            #expect(message["body"] as? String == "My LIVE gifts did not arrive yesterday")
            let files = try #require(message["attachments"] as? [[String: Any]])
            #expect(files.map { $0["content_type"] as? String } == ["image/png"])
            // The acknowledgement goes out through the outbox, in French.
            let worker = try #require(app.services.outboxWorker)
            #expect(try await worker.runOnce() == 1)
            let mails = try MailOutTests.readWithPython(try sink.received())
            let mail = try #require(mails.first)
            #expect((mail["headers"] as? [String: Any])?["to"] as? String == "Layla <layla@example.com>")
            #expect((mail["defects"] as? [Any])?.isEmpty == true)
            #expect((mail["text"] as? String)?.contains("Merci") == true, "\(mail)")
        }
    }

    @Test func aFormWithoutFilesMayComeURLEncoded() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            let shown = try await Self.show(client, "?lang=ar")
            clock.advance(by: 10)
            var body = URLComponents()
            body.queryItems = ([("form_token", shown.token)] + Self.good).map { URLQueryItem(name: $0.0, value: $0.1) }
            let response = try await client.execute(
                uri: "/contact?lang=ar", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: shown.cookie], body: ByteBuffer(string: body.percentEncodedQuery!)
            ) { $0 }
            #expect(response.status == .seeOther, "\(String(buffer: response.body))")
            let ticket = try #require(try await app.services.tickets.list(TicketListQuery()).items.first)
            #expect(ticket.channel == .web && ticket.details?.category == .liveGifts && ticket.requester.locale == "ar")
        }
    }

    @Test func aRefusedFormSaysWhyInTheVisitorsLanguageAndKeepsWhatWasTyped() async throws {
        let clock = TestClock()
        try await withApp(maxAttachmentBytes: 4_096, clock: clock) { app, client in
            let shown = try await Self.show(client, "?lang=pt-BR")
            // Sent within a second: a person cannot type that fast.
            let fast = try await Self.submit(client, shown, Self.good, lang: "pt-BR")
            #expect(fast.status == .unprocessableContent)
            #expect(String(buffer: fast.body).contains("Foi rápido demais") && String(buffer: fast.body).contains("My LIVE gifts did not arrive yesterday"))
            clock.advance(by: 10)
            // No cookie (another site posting the form): refused as a forgery.
            let forged = try await Self.submit(client, shown, Self.good, lang: "pt-BR", cookie: false)
            #expect(forged.status == .forbidden && String(buffer: forged.body).contains("Não foi possível verificar"))
            // A token whose signature was changed.
            var tampered = shown
            tampered.token = String(shown.token.dropLast()) + (shown.token.hasSuffix("A") ? "B" : "A")
            #expect(try await Self.submit(client, tampered, Self.good, lang: "pt-BR").status == .forbidden)
            // The hidden field filled in: a bot.
            let bot = try await Self.submit(client, shown, Self.good.filter { $0.0 != "hp_extra" } + [("hp_extra", "http://spam.example")], lang: "pt-BR")
            #expect(bot.status == .unprocessableContent && String(buffer: bot.body).contains("Deixe vazio o último campo oculto"))
            // Field by field, each problem next to its field, in Portuguese, the values kept.
            let bad = try await Self.submit(client, shown, [("name", "Layla"), ("email", "not an address"), ("category", ""), ("description", "Meu LIVE caiu")],
                                            files: [("attachments", "foto.exe", "application/octet-stream", tinyPNG), ("attachments", "gato.png", "image/png", windowsProgram)],
                                            lang: "pt-BR")
            #expect(bad.status == .unprocessableContent)
            let html = String(buffer: bad.body)
            #expect(html.contains("id=\"email\" name=\"email\" value=\"not an address\""))
            #expect(html.contains("Meu LIVE caiu</textarea>"))
            #expect(html.contains("aria-invalid=\"true\" aria-describedby=\"email-error\"") && html.contains("Escreva um e-mail em que possamos responder"))
            #expect(html.contains("Escolha um assunto."))
            #expect(html.contains("“foto.exe” tem o nome de outro tipo de arquivo") && html.contains("“gato.png” não é uma captura"))
            let big = try await Self.submit(client, shown, Self.good, files: [("attachments", "big.png", "image/png", tinyPNG + [UInt8](repeating: 0, count: 5_000))], lang: "pt-BR")
            #expect(big.status == .unprocessableContent && String(buffer: big.body).contains("Um arquivo é maior que 4 KB"))
            // A day later the form has expired.
            clock.advance(by: 25 * 3600)
            let old = try await Self.submit(client, shown, Self.good, lang: "pt-BR")
            #expect(old.status == .unprocessableContent && String(buffer: old.body).contains("ficou aberto por muito tempo"))
            #expect(try await app.services.tickets.list(TicketListQuery()).items.isEmpty, "nothing refused became a ticket")
        }
    }

    @Test func behindATrustedProxyTheVisitorsAddressCounts() {
        let proxies: Set<String> = ["10.0.0.2", "10.0.0.3"]
        #expect(ContactFormController.client(peer: "10.0.0.2", forwardedFor: ["203.0.113.7"], trusted: proxies) == "203.0.113.7")
        // A visitor's made-up first hop is ignored: the nearest untrusted one counts.
        #expect(ContactFormController.client(peer: "10.0.0.2", forwardedFor: ["1.2.3.4, 203.0.113.7", "10.0.0.3"], trusted: proxies) == "203.0.113.7")
        // From anyone else, the header is not believed.
        #expect(ContactFormController.client(peer: "198.51.100.9", forwardedFor: ["203.0.113.7"], trusted: proxies) == "198.51.100.9")
        #expect(ContactFormController.client(peer: "10.0.0.2", forwardedFor: [], trusted: proxies) == "10.0.0.2")
    }

    @Test func aFloodFromOneAddressIsSlowedDown() async throws {
        try await withApp { _, client in
            let shown = try await Self.show(client)
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<8 {
                let response = try await Self.submit(client, shown, Self.good)
                statuses.append(response.status)
                if response.status == .tooManyRequests { retryAfter = response.headers[.retryAfter] }
            }
            // Twenty a minute, five at once plus one: the seventh waits.
            #expect(statuses.prefix(6).allSatisfy { $0 != .tooManyRequests } && statuses.suffix(2).allSatisfy { $0 == .tooManyRequests }, "\(statuses)")
            #expect(Int(retryAfter ?? "") ?? 0 >= 1)
        }
    }
}
