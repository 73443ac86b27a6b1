import Crypto
import Foundation
import Hummingbird

/// The workspace's stylesheet and script, read once from the bundle and served with a validator, so browsers
/// revalidate them cheaply after an upgrade instead of keeping a stale copy.
struct WorkspaceAssets {
    struct Asset: Sendable {
        var bytes: ByteBuffer
        var type: String
        var etag: String
    }

    let assets: [String: Asset]

    init() {
        var assets: [String: Asset] = [:]
        for (name, type) in [
            ("workspace.css", "text/css; charset=utf-8"), ("workspace.js", "text/javascript; charset=utf-8"),
            ("workspace-chat.js", "text/javascript; charset=utf-8"), ("workspace-live.js", "text/javascript; charset=utf-8"),
            ("chat-widget.js", "text/javascript; charset=utf-8"),
            ("chat-widget.css", "text/css; charset=utf-8"),
        ] {
            let url = Bundle.module.resourceURL?.appendingPathComponent("workspace").appendingPathComponent(name)
            guard let url, let data = try? Data(contentsOf: url) else { fatalError("\(name) is missing from the bundle") }
            assets[name] = Asset(bytes: ByteBuffer(bytes: data), type: type, etag: "\"" + SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined() + "\"")
        }
        self.assets = assets
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("assets/:name") { request, context in
            guard let name = context.parameters.get("name"), let asset = assets[name] else {
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "No such file.")))
            }
            var headers: HTTPFields = [.contentType: asset.type, .cacheControl: "no-cache", .eTag: asset.etag, .init("X-Content-Type-Options")!: "nosniff"]
            if request.headers[.ifNoneMatch] == asset.etag {
                headers[.contentType] = nil
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.bytes))
        }
    }
}
