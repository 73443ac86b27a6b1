import Foundation
import HavenCore
import Hummingbird

/// JSON in and out of the API: snake_case keys, ISO 8601 dates, a size limit, and decoding errors
/// turned into field problems a person can fix.
enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// The same keys and dates, indented and sorted, for a person to edit (the admin pages' JSON).
    static let prettyEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        try decode(type, from: try await collect(request, limit: limit))
    }

    /// The JSON body's bytes, refused with a clear problem when it is not JSON, too large or empty.
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type", title: "Unsupported media type",
                detail: "Send the body as JSON with 'Content-Type: application/json' (got '\(contentType)').")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw APIError(
                status: .contentTooLarge, code: "body_too_large", title: "Request too large",
                detail: "The request body is larger than the \(limit) bytes this server accepts.")
        }
        guard buffer.readableBytes > 0 else {
            throw APIError.badRequest("empty_body", "The request needs a JSON body.")
        }
        return buffer
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw problem(for: error)
        } catch {
            throw APIError.badRequest("malformed_json", "The body is not valid JSON.")
        }
    }

    static func problem(for error: DecodingError) -> APIError {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key])
            return .validation([FieldProblem(field: field, problem: "This field is required.")])
        case .typeMismatch(let type, let context):
            return .validation([FieldProblem(field: path(context.codingPath), problem: "Expected \(describe(type)).")])
        case .valueNotFound(let type, let context):
            return .validation([FieldProblem(field: path(context.codingPath), problem: "Expected \(describe(type)), got null.")])
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return .badRequest("malformed_json", "The body is not valid JSON: \(context.underlyingError.map { "\($0.localizedDescription)" } ?? context.debugDescription)")
            }
            return .validation([FieldProblem(field: path(context.codingPath), problem: context.debugDescription)])
        @unknown default:
            return .badRequest("malformed_json", "The body could not be read as JSON.")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type, is [String].Type, is [UUID].Type: "an array"
        default: "an object"
        }
    }
}

extension KeyedDecodingContainer {
    /// Decodes a string enum with an error that lists the allowed values.
    func decodeChoice<T: RawRepresentable & CaseIterable>(_ type: T.Type, forKey key: Key) throws -> T? where T.RawValue == String {
        guard let raw = try decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let value = T(rawValue: raw) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(raw)' is not one of: \(allowed).")
        }
        return value
    }

    /// A list of allowed values; an unknown one is named with the choices.
    func decodeChoices<T: RawRepresentable & CaseIterable>(_ type: T.Type, forKey key: Key) throws -> [T]? where T.RawValue == String {
        try decodeIfPresent([String].self, forKey: key)?.map { raw in
            guard let value = T(rawValue: raw) else {
                let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "'\(raw)' is not one of: \(allowed).")
            }
            return value
        }
    }
}
