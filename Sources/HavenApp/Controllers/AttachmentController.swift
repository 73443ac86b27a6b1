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
        if let problem = Self.filenameProblem(filename) { problems.append(problem) }
        let contentType = request.headers[.contentType]?.trimmingCharacters(in: .whitespaces) ?? ""
        if contentType.isEmpty || !contentType.contains("/") || contentType.count > 200 {
            problems.append(FieldProblem(field: "content_type", problem: "Send the file's media type in Content-Type, e.g. image/png."))
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let body = try await Self.uploadBody(request, store: store)
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

    static func filenameProblem(_ filename: String) -> FieldProblem? {
        filename.isEmpty || filename.count > 255 ? FieldProblem(field: "filename", problem: "Name the file with ?filename=… (1 to 255 characters).") : nil
    }

    /// An upload's `?filename=`, checked (the agents' API, the in-app API and the chat all upload this way).
    static func uploadFilename(_ request: Request) throws -> String {
        let filename = filename(request.uri.queryParameters.get("filename"))
        if let problem = filenameProblem(filename) { throw APIError.validation([problem]) }
        return filename
    }

    /// An upload's raw body, at most the store's limit.
    static func uploadBody(_ request: Request, store: AttachmentStore) async throws -> ByteBuffer {
        do { return try await request.body.collect(upTo: store.maxBytes) } catch { throw tooLarge(store) }
    }

    static func tooLarge(_ store: AttachmentStore) -> APIError {
        APIError(
            status: .contentTooLarge, code: "attachment_too_large", title: "Attachment too large",
            detail: "A file can be at most \(store.maxBytes / (1 << 20)) MB; send a smaller one (a smaller screenshot, a shorter recording).")
    }
}


extension AttachmentStore {
    /// Sniffs a customer's file and stores its bytes; refuses what is not a screenshot or recording, or is misnamed.
    /// `field` names the file in the problems (`attachments[0]`); nil for an upload of the file alone.
    func customerFile(_ bytes: [UInt8], filename: String, field: String? = nil) async throws -> NewAttachment {
        let kind: MediaKind
        do { kind = try MediaSniffer.check(bytes, filename: filename) } catch {
            throw APIError.validation(error.problems.map { problem in
                FieldProblem(field: field.map { "\($0).\(problem.field)" } ?? problem.field, problem: problem.problem)
            })
        }
        return try await storeCustomerFile(bytes, filename: filename, kind: kind)
    }

    /// Stores a customer's file whose kind was sniffed, on the thread pool (never on Swift's cooperative threads),
    /// as a row to write with its message.
    func storeCustomerFile(_ bytes: [UInt8], filename: String, kind: MediaKind) async throws -> NewAttachment {
        let store = self
        let digest = try await NIOThreadPool.singleton.runIfActive { try store.put(bytes) }
        return NewAttachment(sha256: digest, size: bytes.count, contentType: kind.contentType, filename: filename, uploadedBy: nil)
    }
}
