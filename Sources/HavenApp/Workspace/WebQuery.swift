import Hummingbird

/// A page's query string read as a browser's GET form writes it (`application/x-www-form-urlencoded`: "+" is a
/// space), with Hummingbird's form decoder; `Request.uri.queryParameters` leaves "+" as it is.
struct WebQuery {
    let values: [String: String]

    init(_ request: Request) {
        // A query the decoder refuses (nested keys from a hand-made URL) reads as no filters at all.
        values = (try? URLEncodedFormDecoder().decode([String: String].self, from: request.uri.query ?? "")) ?? [:]
    }

    /// A key's value; nil when absent or empty (an "Any" choice in a filter).
    func get(_ key: String) -> String? {
        values[key].flatMap { $0.isEmpty ? nil : $0 }
    }
}
