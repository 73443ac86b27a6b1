import Foundation
import HavenCore
import HavenStorage
import Hummingbird
import NIOPosix

/// Upload (raw body, its Content-Type, `?filename=`) and download of attachments.
struct AttachmentController {
    let attachments: any AttachmentRepository
    let store: AttachmentStore

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post("attachments", use: upload)
        group.get("attachments/:id", use: download)
    }

    @Sendable func upload(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        let filename = Self.filename(request.uri.queryParameters.get("filename"))
        var problems: [FieldProblem] = []
        if filename.isEmpty || filename.count > 255 {
            problems.append(FieldProblem(field: "filename", problem: "Name the file with ?filename=… (1 to 255 characters)."))
        }
        let contentType = request.headers[.contentType]?.trimmingCharacters(in: .whitespaces) ?? ""
        if contentType.isEmpty || !contentType.contains("/") || contentType.count > 200 {
            problems.append(FieldProblem(field: "content_type", problem: "Send the file's media type in Content-Type, e.g. image/png."))
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: store.maxBytes)
        } catch {
            throw APIError(
                status: .contentTooLarge, code: "attachment_too_large", title: "Attachment too large",
                detail: "An attachment can be at most \(store.maxBytes) bytes.")
        }
        guard body.readableBytes > 0 else {
            throw APIError.validation([FieldProblem(field: "body", problem: "The file is empty.")])
        }
        let bytes = Array(buffer: body)
        let digest = try await NIOThreadPool.singleton.runIfActive { try store.put(bytes) }
        let record = try await attachments.create(NewAttachment(
            sha256: digest, size: bytes.count, contentType: contentType, filename: filename, uploadedBy: agent.id))
        return try JSON.response(record, status: .created)
    }

    /// The type a file is served with: its own when it is one browsers show safely (images, video, PDF, plain
    /// text), else `application/octet-stream`. A stored type comes from a client or a mail and is not trusted to
    /// describe the bytes (an "application/json" that is not JSON, a "text/html" that would run script).
    static func servedType(_ stored: String) -> String {
        let type = stored.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let safe = MediaKind.allCases.map(\.contentType) + ["image/jpg", "application/pdf", "text/plain"]
        return safe.contains(type) ? stored : "application/octet-stream"
    }

    /// RFC 5987 attr-char: ASCII letters and digits and `!#$&+-.^_`|~`; everything else is percent-encoded.
    static let attrChar = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~")

    @Sendable func download(_ request: Request, context: AppRequestContext) async throws -> Response {
        let raw = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: raw), let record = try await attachments.find(id) else {
            throw APIError.notFound("There is no attachment \(raw).")
        }
        return try await Self.download(record, from: store)
    }

    /// A stored file as a download: never shown inline, never sniffed, typed only when the type is safe.
    static func download(_ record: AttachmentRecord, from store: AttachmentStore) async throws -> Response {
        let data = try await NIOThreadPool.singleton.runIfActive { try store.read(record.sha256) }
        let encoded = record.filename.addingPercentEncoding(withAllowedCharacters: Self.attrChar) ?? "file"
        return Response(
            status: .ok,
            headers: [
                .contentType: Self.servedType(record.contentType),
                .contentDisposition: "attachment; filename*=UTF-8''\(encoded)",
                .init("X-Content-Type-Options")!: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A file name as sent, on one line, with no path separators.
    static func filename(_ raw: String?) -> String {
        TextNormalizer.line(raw ?? "").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
    }
}


extension AttachmentStore {
    /// Stores a customer's file whose kind was sniffed, on the thread pool (never on Swift's cooperative threads),
    /// as a row to write with its message.
    func storeCustomerFile(_ bytes: [UInt8], filename: String, kind: MediaKind) async throws -> NewAttachment {
        let store = self
        let digest = try await NIOThreadPool.singleton.runIfActive { try store.put(bytes) }
        return NewAttachment(sha256: digest, size: bytes.count, contentType: kind.contentType, filename: filename, uploadedBy: nil)
    }
}
