import Crypto
import Foundation
import HavenApp
import HavenCore
import HavenStorage
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// The in-app API end to end, on SQLite and PostgreSQL: apps, signed identities, requests with their details and
/// files, "my requests", replies, solving, the updates feed, idempotency and rate limits.
@Suite struct InAppAPITests {
    @Test func adminsRegisterAppsAndTheSecretIsShownOnce() async throws {
        try await withApp { app, client in
            let secret = try await client.registerApp(app, "ios-prod")
            #expect(secret.count >= 40)
            try await client.execute(uri: "/api/v1/apps", method: .get, headers: app.admin.header) { response in
                let apps = try #require(try object(response)["apps"] as? [[String: Any]])
                #expect(apps.map { $0["app_id"] as? String } == ["ios-prod"])
                #expect(apps[0]["secret"] == nil)
            }
            try await client.execute(uri: "/api/v1/apps", method: .post, headers: app.admin.header, body: json(["app_id": "ios-prod", "name": "Again"])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["app_id"])
            }
            try await client.execute(uri: "/api/v1/apps", method: .post, headers: app.admin.header, body: json(["app_id": "has space", "name": ""])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["app_id", "name"])
            }
            let agent = try await addAgent(app.services, email: "agent@haven.test")
            try await client.execute(uri: "/api/v1/apps", method: .get, headers: agent.header) { try expectProblem($0, .forbidden, code: "forbidden") }
        }
    }

    @Test func identitiesThatAreNotSoundAreRefusedClearly() async throws {
        try await withApp { app, client in
            let secret = try await client.registerApp(app)
            let good = Identity.claims(app: "android", user: "u-1")
            func expectRefused(_ token: String?, _ status: HTTPResponse.Status = .unauthorized, code: String, _ comment: Comment) async throws {
                var headers: HTTPFields = [.contentType: "application/json"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                try await client.execute(uri: "/api/v1/app/requests", method: .get, headers: headers) { response in
                    #expect(response.status == status, comment)
                    try expectProblem(response, status, code: code)
                }
            }
            try await expectRefused(nil, code: "unauthenticated", "no identity")
            try await expectRefused("not-a-jwt", code: "invalid_identity", "not a JWT")
            try await expectRefused(Identity.hs256(good, secret: "another secret"), code: "invalid_identity", "wrong secret")
            try await expectRefused(Identity.hs256(Identity.claims(app: "nope", user: "u-1"), secret: secret), code: "invalid_identity", "unknown app")
            try await expectRefused(Identity.hs256(Identity.claims(app: "android", user: "u-1", expiresIn: -600), secret: secret), code: "identity_expired", "expired")
            try await expectRefused(Identity.hs256(Identity.claims(app: "android", user: "u-1", expiresIn: 7 * 86400), secret: secret), code: "invalid_identity", "lives a week")
            try await expectRefused(Identity.unsigned(good, alg: "none") + ".", code: "invalid_identity", "alg none")
            try await expectRefused(Identity.hs256(Identity.claims(app: "android", user: "u-1", extra: ["market": "Brazil"]), secret: secret), code: "invalid_identity", "bad market")
            // Tampered: the payload of a good token swapped for another user's, the signature kept.
            let signed = Identity.hs256(good, secret: secret).split(separator: ".")
            let forged = Identity.unsigned(Identity.claims(app: "android", user: "u-2"), alg: "HS256").split(separator: ".")[1]
            try await expectRefused("\(signed[0]).\(forged).\(signed[2])", code: "invalid_identity", "tampered")
            // The good one works.
            try await client.execute(uri: "/api/v1/app/requests", method: .get, headers: AppUser(token: Identity.hs256(good, secret: secret)).header) {
                #expect($0.status == .ok)
            }
            // Rotating the secret retires identities signed with the old one; disabling the app refuses all.
            let rotated = try await client.execute(uri: "/api/v1/apps/android/secret", method: .post, headers: app.admin.header) {
                try #require(try object($0)["secret"] as? String)
            }
            try await expectRefused(Identity.hs256(good, secret: secret), code: "invalid_identity", "old secret")
            try await client.execute(uri: "/api/v1/apps/android", method: .patch, headers: app.admin.header, body: json(["disabled": true])) {
                #expect($0.status == .ok)
            }
            try await expectRefused(Identity.hs256(good, secret: rotated), .forbidden, code: "app_disabled", "disabled")
        }
    }

    @Test func aPlatformKeySignsIdentitiesToo() async throws {
        try await withApp { app, client in
            let key = P256.Signing.PrivateKey()
            _ = try await client.registerApp(app, "web", extra: ["public_key_pem": key.publicKey.pemRepresentation])
            let user = AppUser(token: try Identity.es256(Identity.claims(app: "web", user: "u-7"), key: key))
            let created = try await client.createRequest(user, requestBody())
            #expect(created["status"] as? String == "new")
            let other = AppUser(token: try Identity.es256(Identity.claims(app: "web", user: "u-7"), key: P256.Signing.PrivateKey()))
            try await client.execute(uri: "/api/v1/app/requests", method: .get, headers: other.header) {
                try expectProblem($0, .unauthorized, code: "invalid_identity")
            }
        }
    }

    @Test func aRequestCarriesItsDetailsToAgentsAndGoesThroughTriage() async throws {
        try await withApp { app, client in
            let secret = try await client.registerApp(app)
            let user = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-42"), secret: secret))
            let created = try await client.createRequest(user, requestBody())
            let id = try #require(created["id"] as? String)
            #expect(created["category"] as? String == "account_access")
            #expect((created["messages"] as? [[String: Any]])?.first?["from"] as? String == "you")
            #expect(created["risk_level"] == nil && created["suggested_topic"] == nil, "triage stays inside")

            let ticket = try await client.execute(uri: "/api/v1/tickets/\(id)", method: .get, headers: app.admin.header) { try object($0) }
            #expect(ticket["channel"] as? String == "in_app")
            let requester = try #require(ticket["requester"] as? [String: Any])
            #expect(requester["external_id"] as? String == "u-42")
            #expect(requester["kind"] as? String == "creator" && requester["market"] as? String == "BR" && requester["tier"] as? String == "gold")
            let details = try #require(ticket["details"] as? [String: Any])
            #expect(details["category"] as? String == "account_access" && details["app"] as? String == "android")
            #expect((details["device"] as? [String: Any])?["app_version"] as? String == "34.1.2")
            #expect((details["content"] as? [String: Any])?["reported_user_id"] as? String == "u-99")
            #expect((ticket["suggested_topic"] as? [String: Any])?["topic"] as? String == "account_access")

            // A critical message is urgent at once, whatever category the user picked.
            let critical = try await client.createRequest(user, requestBody("não quero mais viver, ninguém me ajuda", category: "other"))
            let urgent = try await client.execute(uri: "/api/v1/tickets/\(critical["id"] as! String)", method: .get, headers: app.admin.header) { try object($0) }
            #expect(urgent["priority"] as? String == "urgent" && urgent["risk_level"] as? String == "critical")

            try await client.execute(uri: "/api/v1/app/requests", method: .post, headers: user.header, body: json(["category": "billing", "description": ""])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["category"])
            }
            try await client.execute(uri: "/api/v1/app/requests", method: .post, headers: user.header, body: json(["category": "bug", "description": "  "])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["body"])
            }
            let long = String(repeating: "x", count: 300)
            try await client.execute(
                uri: "/api/v1/app/requests", method: .post, headers: user.header, body: json(requestBody(extra: ["device": ["model": long]]))
            ) { let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["device.model"]) }
        }
    }

    @Test func filesAreCheckedByWhatTheyAreNotWhatTheyAreCalled() async throws {
        try await withApp(maxAttachmentBytes: 4_096) { app, client in
            let secret = try await client.registerApp(app)
            let user = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-5"), secret: secret))
            var headers = user.header
            headers[.contentType] = "application/octet-stream"
            let upload = try await client.execute(uri: "/api/v1/app/uploads?filename=screen.png", method: .post, headers: headers, body: ByteBuffer(bytes: tinyPNG)) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
                return try object($0)
            }
            #expect(upload["content_type"] as? String == "image/png", "the type is sniffed, not the client's")
            try await client.execute(uri: "/api/v1/app/uploads?filename=screen.exe", method: .post, headers: headers, body: ByteBuffer(bytes: tinyPNG)) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["filename"])
                #expect(problems(problem).contains { $0.contains("name it .png") })
            }
            try await client.execute(uri: "/api/v1/app/uploads?filename=cat.png", method: .post, headers: headers, body: ByteBuffer(bytes: windowsProgram)) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["file"])
                #expect(problems(problem).contains { $0.contains("Windows program") })
            }
            try await client.execute(
                uri: "/api/v1/app/uploads?filename=big.png", method: .post, headers: headers, body: ByteBuffer(bytes: tinyPNG + [UInt8](repeating: 0, count: 5_000))
            ) { try expectProblem($0, .contentTooLarge, code: "attachment_too_large") }

            // Uploaded first, or sent inline; another user's upload cannot be claimed.
            let uploadID = try #require(upload["id"] as? String)
            let other = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-6"), secret: secret))
            try await client.execute(
                uri: "/api/v1/app/requests", method: .post, headers: other.header, body: json(requestBody(extra: ["attachment_ids": [uploadID]]))
            ) { let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["attachment_ids[0]"]) }
            let inline = ["filename": "second.png", "data": Data(tinyPNG).base64EncodedString()]
            let created = try await client.createRequest(user, requestBody(category: "bug", extra: ["attachment_ids": [uploadID], "attachments": [inline]]))
            let files = try #require((created["messages"] as? [[String: Any]])?.first?["attachments"] as? [[String: Any]])
            #expect(Set(files.compactMap { $0["filename"] as? String }) == ["screen.png", "second.png"])
            let exeInline = ["filename": "x.png", "data": Data(windowsProgram).base64EncodedString()]
            try await client.execute(
                uri: "/api/v1/app/requests", method: .post, headers: user.header, body: json(requestBody(extra: ["attachments": [exeInline]]))
            ) { let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["attachments[0].file"]) }
            // The user downloads their file; another user cannot.
            let fileID = try #require(files.first?["id"] as? String)
            try await client.execute(uri: "/api/v1/app/attachments/\(fileID)", method: .get, headers: user.header) {
                #expect($0.status == .ok && Array(buffer: $0.body) == tinyPNG)
            }
            try await client.execute(uri: "/api/v1/app/attachments/\(fileID)", method: .get, headers: other.header) { try expectProblem($0, .notFound, code: "not_found") }
        }
    }

    @Test func myRequestsRepliesSolvingAndTheUpdatesFeed() async throws {
        try await withApp { app, client in
            let secret = try await client.registerApp(app)
            let user = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-8"), secret: secret))
            let stranger = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-9"), secret: secret))
            try await client.execute(uri: "/api/v1/app/updates", method: .get, headers: user.header) {
                let feed = try object($0)
                #expect((feed["updates"] as? [Any])?.isEmpty == true && feed["cursor"] as? Int == 0)
            }
            let created = try await client.createRequest(user, requestBody())
            let id = try #require(created["id"] as? String)
            let number = try #require(created["number"] as? Int)
            let start = try await client.execute(uri: "/api/v1/app/updates", method: .get, headers: user.header) { response in
                let feed = try object(response)
                let updates = try #require(feed["updates"] as? [[String: Any]])
                #expect(updates.map { $0["type"] as? String } == ["request.created", "message"])
                return try #require(feed["cursor"] as? Int)
            }
            // Support answers publicly, notes internally and sets pending; the customer sees the answer and the status.
            try await client.execute(uri: "/api/v1/tickets/\(id)/messages", method: .post, headers: app.admin.header,
                                     body: json(["body": "Internal: check the device", "visibility": "internal"])) { #expect($0.status == .created) }
            try await client.execute(uri: "/api/v1/tickets/\(id)/messages", method: .post, headers: app.admin.header,
                                     body: json(["body": "Olá! Tente entrar pelo e-mail.", "status": "pending"])) { #expect($0.status == .created) }
            let next = try await client.execute(uri: "/api/v1/app/updates?cursor=\(start)", method: .get, headers: user.header) { response in
                let feed = try object(response)
                let updates = try #require(feed["updates"] as? [[String: Any]])
                #expect(updates.map { $0["type"] as? String } == ["message", "status"])
                let message = try #require(updates.first?["message"] as? [String: Any])
                #expect(message["from"] as? String == "support" && message["body"] as? String == "Olá! Tente entrar pelo e-mail.")
                #expect(updates.last?["status"] as? String == "pending" && updates.last?["request_number"] as? Int == number)
                return try #require(feed["cursor"] as? Int)
            }
            try await client.execute(uri: "/api/v1/app/updates?cursor=\(next)", method: .get, headers: user.header) {
                let feed = try object($0)
                #expect((feed["updates"] as? [Any])?.isEmpty == true && feed["cursor"] as? Int == next)
            }
            // Reading it: public messages only.
            try await client.execute(uri: "/api/v1/app/requests/\(number)", method: .get, headers: user.header) { response in
                let request = try object(response)
                let messages = try #require(request["messages"] as? [[String: Any]])
                #expect(messages.map { $0["from"] as? String } == ["you", "support"])
                #expect(!String(buffer: response.body).contains("Internal"))
            }
            // The customer replies (the ticket reopens) and then solves it.
            try await client.execute(uri: "/api/v1/app/requests/\(id)/messages", method: .post, headers: user.header, body: json(["body": "Funcionou, obrigada!"])) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
            }
            try await client.execute(uri: "/api/v1/app/requests/\(id)/solve", method: .post, headers: user.header) {
                let solved = try object($0)
                #expect($0.status == .ok && solved["status"] as? String == "solved", "\(String(buffer: $0.body))")
            }
            try await client.execute(uri: "/api/v1/app/requests", method: .get, headers: user.header) {
                let list = try #require(try object($0)["requests"] as? [[String: Any]])
                #expect(list.map { $0["number"] as? Int } == [number] && list.first?["status"] as? String == "solved")
            }
            // Someone else's request does not exist for a stranger.
            for (uri, method) in [("/api/v1/app/requests/\(id)", HTTPRequest.Method.get), ("/api/v1/app/requests/\(id)/solve", .post)] {
                try await client.execute(uri: uri, method: method, headers: stranger.header) { try expectProblem($0, .notFound, code: "not_found") }
            }
            try await client.execute(uri: "/api/v1/app/requests/\(id)/messages", method: .post, headers: stranger.header, body: json(["body": "hi"])) {
                try expectProblem($0, .notFound, code: "not_found")
            }
            try await client.execute(uri: "/api/v1/app/updates?cursor=-1", method: .get, headers: user.header) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed"); #expect(fields(problem) == ["cursor"])
            }
        }
    }

    @Test func aRetriedPostReturnsTheFirstAnswerAndCreatesNothing() async throws {
        try await withApp { app, client in
            let secret = try await client.registerApp(app)
            let user = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-10"), secret: secret))
            let key = HTTPField.Name("Idempotency-Key")!
            let first = try await client.createRequest(user, requestBody(), key: "k-1")
            let again = try await client.execute(uri: "/api/v1/app/requests", method: .post, headers: user.with(key, "k-1"), body: json(requestBody())) { response in
                #expect(response.status == .created)
                #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                return try object(response)
            }
            #expect(again["id"] as? String == first["id"] as? String)
            try await client.execute(uri: "/api/v1/app/requests", method: .post, headers: user.with(key, "k-1"), body: json(requestBody("Different text"))) {
                try expectProblem($0, .unprocessableContent, code: "idempotency_key_reused")
            }
            // A refused request leaves its key free for the corrected retry.
            try await client.execute(uri: "/api/v1/app/requests", method: .post, headers: user.with(key, "k-2"), body: json(["category": "bug", "description": ""])) {
                try expectProblem($0, .unprocessableContent, code: "validation_failed")
            }
            _ = try await client.createRequest(user, ["category": "bug", "description": "Now with text"], key: "k-2")
            // Another user's identical key is theirs alone.
            let other = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-11"), secret: secret))
            let theirs = try await client.createRequest(other, requestBody(), key: "k-1")
            #expect(theirs["id"] as? String != first["id"] as? String)
            // A double tap: the same request five times at once makes one ticket, and every answer names it.
            let body = json(requestBody("Tapped twice"))
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<5 {
                    group.addTask {
                        try await client.execute(uri: "/api/v1/app/requests", method: .post, headers: user.with(key, "k-tap"), body: body) { response in
                            #expect(response.status == .created, "\(String(buffer: response.body))")
                            return try object(response)["id"] as? String
                        }
                    }
                }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(ids.count == 1 && ids.first! != nil, "\(ids)")
            let page = try await app.services.tickets.list(TicketListQuery())
            #expect(page.items.count == 4)
        }
    }

    @Test func rateLimitsAnswer429WithRetryAfter() async throws {
        try await withApp { app, client in
            let secret = try await client.registerApp(app, extra: ["user_rate_per_minute": 4])
            let user = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-12"), secret: secret))
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<6 {
                try await client.execute(uri: "/api/v1/app/requests", method: .get, headers: user.header) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        try expectProblem(response, .tooManyRequests, code: "rate_limited")
                        retryAfter = response.headers[.retryAfter]
                    }
                }
            }
            // Four a minute, a burst of one plus one: the first two pass, then one every 15 s.
            #expect(statuses == [.ok, .ok] + Array(repeating: .tooManyRequests, count: 4), "\(statuses)")
            #expect(Int(retryAfter ?? "") ?? 0 >= 1)
            // Another user of the same app is not held back.
            let other = AppUser(token: Identity.hs256(Identity.claims(app: "android", user: "u-13"), secret: secret))
            try await client.execute(uri: "/api/v1/app/requests", method: .get, headers: other.header) { #expect($0.status == .ok) }
        }
    }
}

/// The problems a validation problem names, in words.
func problems(_ problem: [String: Any]) -> [String] {
    (problem["errors"] as? [[String: Any]] ?? []).compactMap { $0["problem"] as? String }
}
