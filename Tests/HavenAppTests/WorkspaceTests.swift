import Foundation
@testable import HavenApp
import HavenCore
import HavenStorage
import Hummingbird
import HummingbirdTesting
import Testing

/// The agent workspace's server side, on the real app and database: sign-in, sessions, anti-forgery, lockout,
/// who sees what, and the forms that change tickets. The pages themselves are driven in Chromium by
/// scripts/e2e-workspace.py.
@Suite struct WorkspaceTests {
    @Test func signInNeedsTheFormsTokenAndTheRightPasswordAndLocksAfterFiveFailures() async throws {
        let clock = TestClock()
        try await withApp(clock: clock) { app, client in
            let agent = try await addAgent(app.services, email: "rafaela@haven.test")
            var browser = Browser(client: client)
            // A page asked for without a session: sign in first, and come back after.
            let redirect = try await browser.get("/inbox?view=all")
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers[.location] == "/login?next=/inbox%3Fview%3Dall")
            // A sign-in posted without the form's token (another site's form) is refused.
            let forged = try await browser.post("/login", ["email": agent.agent.email, "password": testPassword])
            #expect(forged.status == .forbidden)
            #expect(browser.cookies["haven_session"] == nil)

            // Wrong passwords: a clear message, then a lockout at the fifth that holds even for the right password.
            for attempt in 1...5 {
                let page = try await browser.signIn(agent.agent.email, "wrong password \(attempt)")
                #expect(page.status == (attempt < 5 ? .unauthorized : .tooManyRequests), "attempt \(attempt)")
                #expect(page.text.contains(attempt < 5 ? "The email or password is wrong" : "this account is locked until"))
            }
            #expect(try await browser.signIn(agent.agent.email, testPassword).status == .tooManyRequests)
            // An unknown email gets the same answer as a wrong password.
            let unknown = try await browser.signIn("nobody@haven.test", testPassword)
            #expect(unknown.status == .unauthorized && unknown.text.contains("The email or password is wrong"))

            // After the lockout, the right password works; the cookie is HttpOnly and SameSite; the next page follows.
            clock.advance(by: 15 * 60 + 1)
            let signedIn = try await browser.signIn(agent.agent.email, testPassword, next: "/inbox?view=all")
            #expect(signedIn.status == .seeOther)
            #expect(signedIn.headers[.location] == "/inbox?view=all")
            let cookie = try #require(signedIn.headers[values: .setCookie].first { $0.hasPrefix("haven_session=") })
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"))
            #expect(try await browser.get("/inbox").status == .ok)
            // Signing in set the agent online for work.
            let routing = try await app.services.routing.agentRouting(agent.agent.id.uuidString)
            #expect(routing.presence == .online)
        }
    }

    @Test func aLinkCannotSendTheAgentToAnotherSiteAfterSigningIn() async throws {
        try await withApp { app, client in
            var browser = Browser(client: client)
            for next in ["https://evil.example/", "//evil.example/", "/\\evil.example", "/login?next=/x"] {
                let answer = try await browser.signIn(app.admin.agent.email, testPassword, next: next)
                #expect(answer.headers[.location] == "/inbox", "\(next)")
            }
        }
    }

    @Test func everyFormNeedsTheSessionsTokenAndSessionsEndEverywhere() async throws {
        try await withApp { app, client in
            let ticket = try await client.createTicket(app.admin, ticketBody("Não consigo entrar na minha conta"))
            let number = try #require(ticket["number"] as? Int)
            var laptop = Browser(client: client), phone = Browser(client: client)
            _ = try await laptop.signIn(app.admin.agent.email, testPassword)
            _ = try await phone.signIn(app.admin.agent.email, testPassword)
            let page = try await laptop.get("/tickets/\(number)")
            #expect(page.status == .ok)
            let csrf = try #require(page.value(of: "csrf"))
            // Without the token, or with another session's token, nothing changes.
            let forged = try await laptop.post("/tickets/\(number)/reply", ["body": "forged", "visibility": "public"])
            #expect(forged.status == .forbidden && forged.text.contains("Nothing was changed"))
            let phonesToken = try #require(try await phone.get("/inbox").value(of: "csrf"))
            #expect(phonesToken != csrf)
            #expect(try await laptop.post("/tickets/\(number)/reply", ["body": "forged", "visibility": "public", "csrf": phonesToken]).status == .forbidden)
            let messages = try await app.services.tickets.find(.number(number), includeInternal: true)?.messages ?? []
            #expect(!messages.contains { $0.body == "forged" })

            // With it: a reply, a note and a refused empty message that keeps nothing but says why.
            let replied = try await laptop.post("/tickets/\(number)/reply", ["body": "Olá! Vamos ajudar.", "visibility": "public", "status": "pending", "csrf": csrf])
            #expect(replied.status == .seeOther && replied.headers[.location] == "/tickets/\(number)?notice=sent")
            _ = try await laptop.post("/tickets/\(number)/reply", ["body": "Checked the login logs.", "visibility": "internal", "csrf": csrf])
            let empty = try await laptop.post("/tickets/\(number)/reply", ["body": "  ", "visibility": "public", "csrf": csrf])
            #expect(empty.status == .unprocessableContent && empty.text.contains("Write a message before sending."))
            let stored = try #require(try await app.services.tickets.find(.number(number), includeInternal: true))
            #expect(stored.status == .pending)
            #expect(stored.messages?.suffix(2).map(\.visibility) == [.public, .internal])
            #expect(stored.messages?.last?.author == .agent(app.admin.agent.id.uuidString.lowercased()))
            // A refused status change says why and keeps the ticket as it was.
            let closed = try await laptop.post("/tickets/\(number)/update", ["status": "closed", "csrf": csrf])
            #expect(closed.status == .unprocessableContent)
            #expect(try await app.services.tickets.summary(.number(number))?.status == .pending)

            // Signing out everywhere ends the phone's session too, and sets the agent offline.
            #expect(try await laptop.post("/logout/everywhere", ["csrf": csrf]).headers[.location] == "/login?signed_out=all")
            #expect(try await phone.get("/inbox").headers[.location]?.hasPrefix("/login") == true)
            #expect(try await laptop.get("/inbox").headers[.location]?.hasPrefix("/login") == true)
            #expect(try await app.services.routing.agentRouting(app.admin.agent.id.uuidString).presence == .offline)
        }
    }

    @Test func theSafetyQueueIsOnlyForTheSafetyTrainedAndLeads() async throws {
        try await withApp { app, client in
            _ = try await app.services.directory.addQueue(slug: "general", name: "General", team: nil, isDefault: true)
            _ = try await app.services.directory.addQueue(slug: "safety", name: "Safety · Critical", team: nil, isDefault: false)
            let critical = try await client.createTicket(app.admin, ticketBody("Quero me matar, não aguento mais", extra: ["subject": "Socorro"]))
            let number = try #require(critical["number"] as? Int)
            #expect((critical["queue"] as? [String: Any])?["slug"] as? String == "safety")
            let ordinary = try await client.createTicket(app.admin, ticketBody("Esqueci minha senha", email: "bia@example.com"))
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            let trained = try await addAgent(app.services, email: "safety@haven.test", roles: [.agent, .safety])

            var browser = Browser(client: client)
            _ = try await browser.signIn(agent.agent.email, testPassword)
            let inbox = try await browser.get("/inbox?view=all")
            #expect(!inbox.text.contains("Socorro") && !inbox.text.contains("Safety · Critical"))
            #expect(inbox.text.contains("/tickets/\(ordinary["number"] as! Int)"))
            #expect(try await browser.get("/tickets/\(number)").status == .notFound)
            #expect(try await browser.get("/inbox?q=%23\(number)").headers[.location] == nil)
            let csrf = try #require(inbox.value(of: "csrf"))
            #expect(try await browser.post("/tickets/\(number)/take", ["csrf": csrf]).status == .notFound)

            // The counts leave it out too.
            _ = try await app.services.tickets.update(
                .number(ordinary["number"] as! Int), with: TicketUpdate(assignee: .some(agent.agent.email)), actor: .system)
            let counts = try await app.services.inbox.counts(agentID: agent.agent.id, visibility: TicketVisibility(roles: agent.agent.roles))
            #expect([counts.all, counts.mine, counts.unassigned, counts.breaching] == [Int]([1, 1, 0, 0]))
            #expect(counts.queues.map { "\($0.slug) \($0.count)" } == ["general 1"])
            let trainedCounts = try await app.services.inbox.counts(agentID: trained.agent.id, visibility: TicketVisibility(roles: trained.agent.roles))
            #expect([trainedCounts.all, trainedCounts.mine, trainedCounts.unassigned] == [Int]([2, 0, 1]))
            #expect(trainedCounts.queues.map { "\($0.slug) \($0.count)" } == ["general 1", "safety 1"])

            // The API answers the same: not listed, not found, not changeable.
            try await client.execute(uri: "/api/v1/tickets/\(number)", method: .get, headers: agent.header) { try expectProblem($0, .notFound, code: "not_found") }
            try await client.execute(uri: "/api/v1/tickets/\(number)/events", method: .get, headers: agent.header) { try expectProblem($0, .notFound, code: "not_found") }
            try await client.execute(uri: "/api/v1/tickets/\(number)", method: .patch, headers: agent.header, body: json(["status": "solved"])) {
                try expectProblem($0, .notFound, code: "not_found")
            }
            try await client.execute(uri: "/api/v1/tickets?limit=100", method: .get, headers: agent.header) {
                let numbers = try #require(try object($0)["items"] as? [[String: Any]]).compactMap { $0["number"] as? Int }
                #expect(!numbers.contains(number) && numbers.contains(ordinary["number"] as! Int))
            }
            try await client.execute(uri: "/api/v1/tickets/\(number)", method: .get, headers: trained.header) { #expect($0.status == .ok) }

            var safety = Browser(client: client)
            _ = try await safety.signIn(trained.agent.email, testPassword)
            let theirs = try await safety.get("/inbox?queue=safety")
            #expect(theirs.text.contains("Socorro"))
            let page = try await safety.get("/tickets/\(number)")
            #expect(page.status == .ok && page.text.contains("Critical risk") && page.text.contains("Self-harm"))
            // Every view and sort answers (on SQLite each names the index it reads: a wrong name would fail the query).
            for view in ["view=mine", "view=unassigned", "view=breaching", "view=all", "queue=general", "queue=safety"] {
                for sort in ["priority", "updated", "created"] {
                    for status in ["", "&status=solved"] {
                        let answer = try await safety.get("/inbox?\(view)&sort=\(sort)\(status)")
                        #expect(answer.status == .ok, "\(view) \(sort) \(status): \(answer.text.prefix(300))")
                    }
                }
            }
            // "#N" in the search box opens the ticket.
            #expect(try await safety.get("/inbox?q=%23\(number)").headers[.location] == "/tickets/\(number)")
        }
    }

    /// Search reads words as triage does: "nao" finds "não", Arabic is found with or without its diacritics, words
    /// of any message or note count, each word as a prefix, and every word must be there.
    @Test func searchFindsWordsWithOrWithoutAccentsAndDiacritics() async throws {
        try await withApp { app, client in
            let portuguese = try await client.createTicket(app.admin, ticketBody("Não consigo recuperar minha conta", extra: ["subject": "Acesso"]))
            let arabic = try await client.createTicket(
                app.admin, ticketBody("مَرْحَباً، البثّ المباشر ينقطع", email: "layla@example.com", locale: "ar", extra: ["subject": "البث"]))
            let other = try await client.createTicket(app.admin, ticketBody("I forgot my password", email: "sam@example.com", locale: "en"))
            let numbers = [portuguese, arabic, other].map { $0["number"] as! Int }
            _ = try await app.services.tickets.addMessage(
                to: .number(numbers[2]), NewMessage(body: "Escalated to the identity team", visibility: .internal), actor: .agent(app.admin.agent.id.uuidString))
            var browser = Browser(client: client)
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            func found(_ query: String) async throws -> [Int] {
                let page = try await browser.get("/inbox?view=all&q=" + Browser.encode(query))
                return numbers.filter { page.text.contains("href=\"/tickets/\($0)\"") }
            }
            #expect(try await found("nao consigo") == [numbers[0]])
            #expect(try await found("NÃO recup") == [numbers[0]])
            #expect(try await found("مرحبا") == [numbers[1]])
            #expect(try await found("البث المباشر") == [numbers[1]])
            #expect(try await found("identity") == [numbers[2]], "an internal note is searched")
            #expect(try await found("nao password") == [])
            #expect(try await found("sam@example") == [numbers[2]], "the requester's email")
            #expect(try await found("ana") == numbers, "the requester's name")
            #expect(try await found("\"*) OR (") == [], "query syntax is only text")
            // A start that many words share: expanded by FTS5 itself past `TicketSearch.maxExpansion` words, found alike.
            // Letters only, none repeated: triage's reading keeps them as they are (digits would read as leetspeak).
            let letters = Array("abcdefghijkl")
            let many = (0..<30).map { "zq\(letters[$0 / 6])\(letters[6 + $0 % 6])" }.joined(separator: " ")
            _ = try await app.services.tickets.addMessage(to: .number(numbers[1]), NewMessage(body: many, visibility: .internal), actor: .system)
            #expect(try await found("zq") == [numbers[1]])
            #expect(try await found("zqbh zqci") == [numbers[1]])
            #expect(try await found("zqxy").isEmpty)
        }
    }

    @Test func theWorkspaceSpeaksTheAgentsLanguage() async throws {
        try await withApp { app, client in
            let ticket = try await client.createTicket(app.admin, ticketBody("السلام عليكم، البث المباشر ينقطع", email: "layla@example.com", locale: "ar"))
            var browser = Browser(client: client)
            browser.acceptLanguage = "fr-CA,fr;q=0.9"
            let login = try await browser.get("/login")
            #expect(login.text.contains("<html lang=\"fr\" dir=\"ltr\">") && login.text.contains("Se connecter"))
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            #expect(try await browser.get("/inbox").text.contains("Boîte de réception"))
            let csrf = try #require(try await browser.get("/inbox").value(of: "csrf"))
            _ = try await browser.post("/settings/language", ["locale": "ar", "csrf": csrf])
            let page = try await browser.get("/tickets/\(ticket["number"] as! Int)")
            #expect(page.text.contains("<html lang=\"ar\" dir=\"rtl\">"))
            #expect(page.text.contains("المحادثة"))
            // The customer's Arabic message is right to left whatever the page is.
            #expect(page.text.contains("dir=\"rtl\" lang=\"ar\">السلام عليكم"))
            // The event history in the agent's words, with what changed.
            _ = try await browser.post("/tickets/\(ticket["number"] as! Int)/update", ["status": "pending", "csrf": csrf])
            let history = try await browser.get("/tickets/\(ticket["number"] as! Int)")
            #expect(history.text.contains("<li data-type=\"status.changed\">") && history.text.contains("<strong>تغيّرت الحالة</strong>"))
            #expect(history.text.contains("<strong>أُنشئت</strong>"))
        }
    }

    @Test func aReplyCarriesFilesAndTooManyOrTooLargeAreRefusedSayingWhy() async throws {
        try await withApp { app, client in
            let number = try #require(try await client.createTicket(app.admin, ticketBody("Não consigo sacar meus ganhos"))["number"] as? Int)
            var browser = Browser(client: client)
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            let csrf = try #require(try await browser.get("/tickets/\(number)").value(of: "csrf"))
            let pdf = Array("%PDF-1.4 guia de saque".utf8), png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            let sent = try await browser.postMultipart(
                "/tickets/\(number)/reply", ["body": "Segue o guia.", "visibility": "public", "csrf": csrf],
                files: [("attachments", "guia de saque.pdf", "application/pdf", pdf), ("attachments", "tela.png", "image/png", png)])
            #expect(sent.status == .seeOther, "\(sent.text)")
            let message = try #require(try await app.services.tickets.find(.number(number), includeInternal: true)?.messages?.last)
            #expect(message.body == "Segue o guia." && message.attachments.map(\.filename) == ["guia de saque.pdf", "tela.png"])
            #expect(message.attachments.map(\.contentType) == ["application/pdf", "image/png"])
            #expect(message.attachments.allSatisfy { $0.size > 0 })
            // The page shows them: the picture inline (an ordinary ticket: not blurred), the PDF as a link.
            let page = try await browser.get("/tickets/\(number)")
            #expect(page.text.contains(">guia de saque.pdf</a>") && page.text.contains("alt=\"tela.png\""))

            // Eleven files: refused, saying so, the draft kept, nothing stored.
            let many = (0...10).map { ("attachments", "f\($0).txt", "text/plain", Array("x".utf8)) }
            let refused = try await browser.postMultipart("/tickets/\(number)/reply", ["body": "Mais arquivos", "visibility": "public", "csrf": csrf], files: many)
            #expect(refused.status == .unprocessableContent && refused.text.contains("Attach at most 10 files to one reply."))
            #expect(refused.text.contains(">Mais arquivos</textarea>"))
            // More than the limit in all (1 MiB of attachments here, plus the form): a page that says what to do.
            let big = try await browser.postMultipart(
                "/tickets/\(number)/reply", ["body": "Grande", "visibility": "public", "csrf": csrf],
                files: [("attachments", "video.mp4", "video/mp4", [UInt8](repeating: 0, count: 2_200_000))])
            #expect(big.status == .contentTooLarge && big.text.contains("That is too much to send at once: at most 2 MB."))
            #expect(try await app.services.tickets.find(.number(number), includeInternal: true)?.messages?.count == 2)
        }
    }

    @Test func theChatsViewListsLiveChatsAndWhoHoldsHowMany() async throws {
        try await withApp { app, client in
            let first = try #require(try await ChatTests.start(client, email: "a@example.com")["ticket"] as? Int)
            let second = try #require(try await ChatTests.start(client, email: "b@example.com")["ticket"] as? Int)
            let ended = try #require(try await ChatTests.start(client, email: "c@example.com")["ticket"] as? Int)
            let email = try #require(try await client.createTicket(app.admin, ticketBody("Esqueci minha senha"))["number"] as? Int)
            let bob = try await addAgent(app.services, email: "bob@haven.test", name: "Bob Costa")
            _ = try await app.services.assignments.setPresence(.online, for: bob.agent.id)
            for number in [first, second] {
                _ = try await app.services.tickets.update(.number(number), with: TicketUpdate(assignee: .some(bob.agent.id.uuidString)), actor: .system)
            }
            let endedID = try #require(try await app.services.tickets.summary(.number(ended))?.id)
            _ = try await app.services.chats.end(ticket: endedID, by: .system)

            var browser = Browser(client: client)
            _ = try await browser.signIn(app.admin.agent.email, testPassword)
            let page = try await browser.get("/inbox?view=chats")
            // The live chats and only them: not the ended one, not the email.
            #expect(page.text.contains("href=\"/tickets/\(first)\"") && page.text.contains("href=\"/tickets/\(second)\""))
            #expect(!page.text.contains("href=\"/tickets/\(ended)\"") && !page.text.contains("href=\"/tickets/\(email)\""))
            #expect(page.text.contains("<span>Live chats</span> <span class=\"count\">2</span>"))
            // Who holds how many, against their capacity (3 by default); offline agents with none are left out.
            #expect(page.text.contains("<td>Bob Costa</td><td>Online</td><td>2 of 3</td>"))
            #expect(page.text.contains("<td>Lead</td><td>Online</td><td>0 of 3</td>"))
        }
    }

    /// Every kind of event has a label in every workspace language: a new kind without one fails here.
    @Test func everyEventHasALabelInEveryLanguage() {
        for type in TicketChange.types {
            for locale in WorkspaceStrings.locales {
                #expect(WorkspaceStrings.table["event." + type]?[locale]?.isEmpty == false, "event.\(type) in \(locale)")
            }
        }
    }
}

/// A browser's part in these tests: cookies kept between requests, forms posted url-encoded, pages read as text.
struct Browser {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]
    var acceptLanguage = "en"

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String

        /// The page's text with HTML's character references read back (`&#39;` → `'`), for matching sentences.
        var plain: String {
            ["&#39;": "'", "&#x27;": "'", "&quot;": "\"", "&lt;": "<", "&gt;": ">", "&amp;": "&"].reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }

        /// The value of the first hidden input with this name.
        func value(of name: String) -> String? {
            guard let range = text.range(of: "name=\"\(name)\" value=\"") else { return nil }
            return String(text[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    mutating func get(_ uri: String) async throws -> Page { try await send(uri, method: .get, body: nil) }

    mutating func post(_ uri: String, _ form: [String: String]) async throws -> Page {
        let body = form.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await send(uri, method: .post, body: body)
    }

    /// Opens the sign-in page (for its token and cookie) and signs in.
    mutating func signIn(_ email: String, _ password: String, next: String? = nil) async throws -> Page {
        let form = try await get("/login")
        var fields = ["email": email, "password": password, "login_token": form.value(of: "login_token") ?? ""]
        if let next { fields["next"] = next }
        return try await post("/login", fields)
    }

    /// A form with files, as a browser sends `enctype="multipart/form-data"`.
    mutating func postMultipart(_ uri: String, _ form: [String: String], files: [(field: String, name: String, type: String, bytes: [UInt8])]) async throws -> Page {
        let boundary = "----haven\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in form.sorted(by: { $0.key < $1.key }) {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        for file in files {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.field)\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n".utf8)
            body += file.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return try await send(uri, method: .post, bytes: ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// A request as a page's script makes it: with its own headers (`Accept`, `X-CSRF-Token`) and no form.
    mutating func send(_ uri: String, method: HTTPRequest.Method, headers extra: [String: String]) async throws -> Page {
        try await send(uri, method: method, body: nil, extra: extra)
    }

    private mutating func send(_ uri: String, method: HTTPRequest.Method, body: String?, extra: [String: String] = [:]) async throws -> Page {
        try await send(uri, method: method, bytes: body.map { ByteBuffer(string: $0) }, contentType: body == nil ? nil : "application/x-www-form-urlencoded", extra: extra)
    }

    private mutating func send(_ uri: String, method: HTTPRequest.Method, bytes: ByteBuffer?, contentType: String?, extra: [String: String] = [:]) async throws -> Page {
        var headers: HTTPFields = [.acceptLanguage: acceptLanguage]
        for (name, value) in extra { headers[.init(name)!] = value }
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let contentType { headers[.contentType] = contentType }
        let page = try await client.execute(uri: uri, method: method, headers: headers, body: bytes) { response in
            Page(status: response.status, headers: response.headers, text: String(buffer: response.body))
        }
        for header in page.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty || header.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return page
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
