import Crypto
import Foundation
import HavenStorage
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// `Idempotency-Key` on a POST: the first request with a key runs and its answer is kept for 24 hours; a retry
/// with the same key and the same request gets that answer again (with `Idempotent-Replayed: true`) and creates
/// nothing; the same key with a different request is refused. Without the header a POST simply runs.
struct Idempotency {
    /// How long a key is answered: a client retries within minutes, not days. Older keys are pruned hourly.
    static let keep: TimeInterval = 24 * 3600

    static let header = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!
    let keys: any IdempotencyRepository

    /// Runs `body` at most once per key within `scope`. `request` identifies what was asked (method, path, body).
    func run(key: String?, scope: String, request: [UInt8], _ body: () async throws -> StoredResponse) async throws -> Response {
        guard let key else { return Self.response(try await body(), replayed: false) }
        let hash = try Self.hash(key: key, request: request)
        let claim = try await keys.claim(scope: scope, key: key, requestHash: hash)
        guard case .claimed(let id) = claim else { return try await answer(claim, ticket: nil) }
        let stored: StoredResponse
        do {
            stored = try await body()
        } catch {
            // Nothing was written (a refused request writes nothing): the key is free for a corrected retry.
            try? await keys.release(id)
            throw error
        }
        try await keys.finish(id, with: stored)
        return Self.response(stored, replayed: false)
    }

    /// The same for a request that creates a ticket: the key is written in the ticket's own transaction (one commit,
    /// and no moment where the ticket exists but the key does not); a retry answers from the ticket as it is now.
    func create(
        key: String?, scope: String, request: [UInt8], ticket: @escaping (UUID) async throws -> StoredResponse,
        _ body: (IdempotencyReservation?) async throws -> StoredResponse
    ) async throws -> Response {
        guard let key else { return Self.response(try await body(nil), replayed: false) }
        let hash = try Self.hash(key: key, request: request)
        if let held = try await keys.lookup(scope: scope, key: key, requestHash: hash) { return try await answer(held, ticket: ticket) }
        do {
            return Self.response(try await body(IdempotencyReservation(scope: scope, key: key, requestHash: hash)), replayed: false)
        } catch is IdempotencyConflict {
            // A request with the same key committed first (a double tap): answer as its retry.
            let held = try await keys.lookup(scope: scope, key: key, requestHash: hash)
            return try await answer(held ?? .inProgress(since: Date()), ticket: ticket)
        }
    }

    private func answer(_ held: IdempotencyClaim, ticket: ((UUID) async throws -> StoredResponse)?) async throws -> Response {
        switch held {
        case .replay(let stored):
            return Self.response(stored, replayed: true)
        case .createdTicket(let id) where ticket != nil:
            return Self.response(try await ticket!(id), replayed: true)
        case .mismatch, .createdTicket, .claimed:
            throw APIError(
                status: .unprocessableContent, code: "idempotency_key_reused", title: "Idempotency key reused",
                detail: "This Idempotency-Key was used for a different request. Use a new key for a new request.")
        case .inProgress(let since):
            throw APIError(
                status: .conflict, code: "idempotency_key_in_use", title: "Request in progress",
                detail: "The first request with this Idempotency-Key (started \(ISO8601DateFormatter().string(from: since))) has not finished. "
                    + "Retry in a few seconds; if it keeps saying this, check your requests before sending it again with a new key.",
                retryAfter: 2)
        }
    }

    private static func hash(key: String, request: [UInt8]) throws -> String {
        guard !key.isEmpty, key.count <= 255, key.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError.badRequest("invalid_idempotency_key", "An Idempotency-Key is 1 to 255 visible ASCII characters; a UUID is usual.")
        }
        return SHA256.hash(data: request).map { String(format: "%02x", $0) }.joined()
    }

    static func response(_ stored: StoredResponse, replayed: Bool) -> Response {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let location = stored.location { headers[.location] = location }
        if replayed { headers[Self.replayed] = "true" }
        return Response(
            status: HTTPResponse.Status(code: stored.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: stored.body)))
    }

    /// An answer to keep: JSON of `value`.
    static func stored(_ value: some Encodable, status: HTTPResponse.Status = .ok, location: String? = nil) throws -> StoredResponse {
        StoredResponse(status: Int(status.code), body: String(decoding: try JSON.encoder.encode(value), as: UTF8.self), location: location)
    }
}
