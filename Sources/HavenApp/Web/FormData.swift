import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// A submitted HTML form: text fields and files, from `multipart/form-data` (what a form with files sends) or
/// `application/x-www-form-urlencoded`.
struct FormData {
    struct File {
        var field: String
        var filename: String
        var bytes: [UInt8]
        /// The part's Content-Type as the browser sent it (from the file's name; not trusted to describe the bytes).
        var contentType: String? = nil
    }

    var fields: [String: String] = [:]
    var files: [File] = []

    enum Problem: Error { case unsupported, malformed }

    init(contentType: String?, body: ByteBuffer) throws(Problem) {
        let type = (contentType ?? "").lowercased()
        if type.hasPrefix("multipart/form-data") {
            guard let boundary = Self.parameter("boundary", in: contentType ?? "") else { throw .malformed }
            try parseMultipart(body, boundary: boundary)
        } else if type.hasPrefix("application/x-www-form-urlencoded") {
            do { fields = try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body)) } catch { throw .malformed }
        } else {
            throw .unsupported
        }
    }

    private mutating func parseMultipart(_ body: ByteBuffer, boundary: String) throws(Problem) {
        let parser = MultipartParser(boundary: boundary)
        var headers: [String: String] = [:]
        var data: [UInt8] = []
        var parts: [(headers: [String: String], data: [UInt8])] = []
        parser.onHeader = { name, value in headers[name.lowercased()] = value }
        parser.onBody = { buffer in data += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            parts.append((headers, data))
            headers = [:]
            data = []
        }
        do { try parser.execute(body) } catch { throw .malformed }
        for part in parts {
            let disposition = part.headers["content-disposition"] ?? ""
            guard let name = Self.parameter("name", in: disposition) else { continue }
            if let filename = Self.parameter("filename", in: disposition) {
                // A file input left empty sends a part with no name and no bytes.
                if !filename.isEmpty || !part.data.isEmpty {
                    files.append(File(field: name, filename: filename, bytes: part.data, contentType: part.headers["content-type"]))
                }
            } else {
                fields[name] = String(decoding: part.data, as: UTF8.self)
            }
        }
    }

    /// `name="value"` (or unquoted) from a header value such as Content-Disposition or Content-Type.
    static func parameter(_ name: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }
}
