/// What a channel knows about a request besides its text: the category the customer chose, the app and device it
/// came from, and the content it is about. Kept on the ticket for agents (and, later, routing rules) to read.
public struct RequestDetails: Codable, Sendable, Equatable {
    /// The category chosen in the app or form (the same list as triage's topics).
    public var category: Topic?
    /// The registered app the request came through.
    public var app: String?
    public var device: DeviceInfo?
    public var content: ContentLinks?
    /// The web form's language, as the customer saw it.
    public var formLocale: String?
    /// The app says the creator is LIVE right now: routing and priority give them minutes, not hours.
    public var liveNow: Bool?

    public init(
        category: Topic? = nil, app: String? = nil, device: DeviceInfo? = nil, content: ContentLinks? = nil, formLocale: String? = nil,
        liveNow: Bool? = nil
    ) {
        self.liveNow = liveNow
        self.category = category
        self.app = app
        self.device = device
        self.content = content
        self.formLocale = formLocale
    }

    enum CodingKeys: String, CodingKey {
        case category, app, device, content
        case formLocale = "form_locale"
        case liveNow = "live_now"
    }

    /// Trimmed, with every field within its length, or every problem at once.
    public func validated() throws(DomainError) -> RequestDetails {
        var out = self
        var problems: [FieldProblem] = []
        out.device = device.map { $0.validated(&problems) }
        out.content = content.map { $0.validated(&problems) }
        if out.device?.isEmpty == true { out.device = nil }
        if out.content?.isEmpty == true { out.content = nil }
        guard problems.isEmpty else { throw .invalid(problems) }
        return out
    }

    static func field(_ value: String?, _ name: String, max: Int, _ problems: inout [FieldProblem]) -> String? {
        guard let value else { return nil }
        let line = TextNormalizer.line(value)
        if line.count > max { problems.append(FieldProblem(field: name, problem: "At most \(max) characters.")) }
        return line.isEmpty ? nil : line
    }
}

/// The device and app version a request was sent from (agents reproduce bugs with it).
public struct DeviceInfo: Codable, Sendable, Equatable {
    public var os: String?
    public var appVersion: String?
    public var model: String?
    public var network: String?
    public var region: String?

    public init(os: String? = nil, appVersion: String? = nil, model: String? = nil, network: String? = nil, region: String? = nil) {
        self.os = os
        self.appVersion = appVersion
        self.model = model
        self.network = network
        self.region = region
    }

    enum CodingKeys: String, CodingKey {
        case os, model, network, region
        case appVersion = "app_version"
    }

    var isEmpty: Bool { os == nil && appVersion == nil && model == nil && network == nil && region == nil }

    func validated(_ problems: inout [FieldProblem]) -> DeviceInfo {
        DeviceInfo(
            os: RequestDetails.field(os, "device.os", max: 100, &problems),
            appVersion: RequestDetails.field(appVersion, "device.app_version", max: 50, &problems),
            model: RequestDetails.field(model, "device.model", max: 100, &problems),
            network: RequestDetails.field(network, "device.network", max: 50, &problems),
            region: RequestDetails.field(region, "device.region", max: 50, &problems))
    }
}

/// Ids of the platform content a request is about: a video, a LIVE room, a comment, a reported user.
public struct ContentLinks: Codable, Sendable, Equatable {
    public var videoID: String?
    public var liveRoomID: String?
    public var commentID: String?
    public var reportedUserID: String?

    public init(videoID: String? = nil, liveRoomID: String? = nil, commentID: String? = nil, reportedUserID: String? = nil) {
        self.videoID = videoID
        self.liveRoomID = liveRoomID
        self.commentID = commentID
        self.reportedUserID = reportedUserID
    }

    enum CodingKeys: String, CodingKey {
        case videoID = "video_id"
        case liveRoomID = "live_room_id"
        case commentID = "comment_id"
        case reportedUserID = "reported_user_id"
    }

    var isEmpty: Bool { videoID == nil && liveRoomID == nil && commentID == nil && reportedUserID == nil }

    func validated(_ problems: inout [FieldProblem]) -> ContentLinks {
        ContentLinks(
            videoID: RequestDetails.field(videoID, "content.video_id", max: 128, &problems),
            liveRoomID: RequestDetails.field(liveRoomID, "content.live_room_id", max: 128, &problems),
            commentID: RequestDetails.field(commentID, "content.comment_id", max: 128, &problems),
            reportedUserID: RequestDetails.field(reportedUserID, "content.reported_user_id", max: 128, &problems))
    }
}
