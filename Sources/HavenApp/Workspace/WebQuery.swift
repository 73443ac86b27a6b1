import Hummingbird

/// A page's query string as a browser's GET form writes it (`application/x-www-form-urlencoded`: "+" is a space),
/// which `Request.uri.queryParameters` leaves as "+".
struct WebQuery {
    private(set) var items: [(key: String, value: String)] = []

    init(_ request: Request) {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            items.append((parts[0], parts.count > 1 ? parts[1] : ""))
        }
    }

    /// The first value of a key; nil when absent or empty (an "Any" choice in a filter).
    func get(_ key: String) -> String? {
        items.first { $0.key == key }.flatMap { $0.value.isEmpty ? nil : $0.value }
    }
}
