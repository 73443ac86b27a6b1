import Foundation
import HavenApp
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AttachmentAPITests {
    let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 100)

    @Test func uploadAttachToAReplyAndDownload() async throws {
        try await withApp { app, client in
            var headers = app.admin.header
            headers[.contentType] = "image/png"
            let first = try await client.execute(uri: "/api/v1/attachments?filename=tela%20inicial.png", method: .post, headers: headers, body: ByteBuffer(bytes: png)) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
                return try object($0)
            }
            #expect(first["size"] as? Int == png.count)
            #expect(first["filename"] as? String == "tela inicial.png")
            let again = try await client.execute(uri: "/api/v1/attachments?filename=copy.png", method: .post, headers: headers, body: ByteBuffer(bytes: png)) {
                try object($0)
            }
            // Content-addressed: the same bytes are one file.
            #expect(again["sha256"] as? String == first["sha256"] as? String)
            let sha = try #require(first["sha256"] as? String)
            let file = app.services.attachmentStore.root + "/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)"
            #expect(FileManager.default.contents(atPath: file).map(Array.init) == png)

            let id = try #require(first["id"] as? String)
            let ticketID = try #require(try await client.createTicket(app.admin, ticketBody())["id"] as? String)
            try await client.execute(uri: "/api/v1/tickets/\(ticketID)/messages", method: .post, headers: app.admin.header, body: json(["body": "See the screenshot", "attachment_ids": [id]])) {
                #expect($0.status == .created, "\(String(buffer: $0.body))")
                let message = try object($0)
                #expect((message["attachments"] as? [[String: Any]])?.first?["id"] as? String == id)
            }
            let messages = try await client.execute(uri: "/api/v1/tickets/\(ticketID)", method: .get, headers: app.admin.header) {
                try #require(try object($0)["messages"] as? [[String: Any]])
            }
            #expect((messages.last?["attachments"] as? [[String: Any]])?.count == 1)
            // An attachment belongs to one message only.
            try await client.execute(uri: "/api/v1/tickets/\(ticketID)/messages", method: .post, headers: app.admin.header, body: json(["body": "again", "attachment_ids": [id]])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["attachment_ids[0]"])
            }
            try await client.execute(uri: "/api/v1/attachments/\(id)", method: .get, headers: app.admin.header) {
                #expect($0.status == .ok)
                #expect($0.headers[.contentType] == "image/png")
                #expect($0.headers[.contentDisposition]?.contains("tela%20inicial.png") == true)
                #expect(Array(buffer: $0.body) == png)
            }
            // A type that could run in a browser, or that the bytes do not match, is served as plain bytes.
            var html = app.admin.header
            html[.contentType] = "text/html"
            let page = try await client.execute(uri: "/api/v1/attachments?filename=page.html", method: .post, headers: html,
                                                body: ByteBuffer(string: "<script>alert(1)</script>")) { try object($0) }
            try await client.execute(uri: "/api/v1/attachments/\(page["id"] as! String)", method: .get, headers: app.admin.header) {
                #expect($0.headers[.contentType] == "application/octet-stream")
            }
        }
    }

    @Test func badUploadsAreRefused() async throws {
        try await withApp(maxAttachmentBytes: 50) { app, client in
            var headers = app.admin.header
            headers[.contentType] = "image/png"
            try await client.execute(uri: "/api/v1/attachments?filename=big.png", method: .post, headers: headers, body: ByteBuffer(bytes: png)) {
                try expectProblem($0, .contentTooLarge, code: "attachment_too_large")
            }
            try await client.execute(uri: "/api/v1/attachments", method: .post, headers: headers, body: ByteBuffer(bytes: [1])) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["filename"])
            }
            try await client.execute(uri: "/api/v1/attachments?filename=a.png", method: .post, headers: headers, body: ByteBuffer()) {
                let problem = try expectProblem($0, .unprocessableContent, code: "validation_failed")
                #expect(fields(problem) == ["body"])
            }
            try await client.execute(uri: "/api/v1/attachments/\(UUID())", method: .get, headers: app.admin.header) {
                try expectProblem($0, .notFound, code: "not_found")
            }
            try await client.execute(uri: "/api/v1/attachments/nope", method: .get, headers: app.admin.header) {
                try expectProblem($0, .notFound, code: "not_found")
            }
        }
    }
}
