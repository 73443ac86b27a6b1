import Foundation

/// What an agent was exposed to, or did about it: the agent's own record, never shown to anyone else.
public enum ExposureKind: String, Codable, Sendable, CaseIterable {
    /// A shielded (blurred, greyscale) picture or video the agent chose to see.
    case reveal
    /// A ticket of high or critical risk the agent opened (once per ticket within the policy's window).
    case riskyTicket = "risky_ticket"
    /// The agent took the break the workspace suggested (their presence went to away).
    case pause = "break"
    /// The agent put the suggestion off: it comes back after as much critical content again.
    case snooze
}

public struct Exposure: Sendable, Equatable {
    public var kind: ExposureKind
    public var level: RiskLevel?
    public var at: Date

    public init(kind: ExposureKind, level: RiskLevel? = nil, at: Date) {
        self.kind = kind
        self.level = level
        self.at = at
    }

    /// Content counted towards a break: a reveal or a risky ticket of at least `threshold`.
    func isCritical(from threshold: RiskLevel) -> Bool {
        (kind == .reveal || kind == .riskyTicket) && (level ?? .none) >= threshold
    }

    var isContent: Bool { kind == .reveal || kind == .riskyTicket }
}

/// How the workspace protects the people who read harmful content all day: which media it blurs, what it counts,
/// and when it suggests a break. The evidence (docs/wellbeing.md) is mixed on blur and greyscale themselves but
/// says the harm accumulates: so media is shielded until chosen, which is cheap, and what matters more is counted
/// per person, with a break suggested when it piles up.
public struct WellbeingPolicy: Sendable, Equatable {
    /// Pictures and videos on tickets of this risk or more are blurred and greyscale until revealed.
    public var shieldFrom: RiskLevel = .medium
    /// Reveals and opened tickets of this risk or more are critical content, counted towards a break.
    public var criticalFrom: RiskLevel = .high
    /// A break is suggested after this much critical content within `window`.
    public var breakAfter: Int = 5
    public var window: TimeInterval = 3600

    public init(shieldFrom: RiskLevel = .medium, criticalFrom: RiskLevel = .high, breakAfter: Int = 5, window: TimeInterval = 3600) {
        self.shieldFrom = shieldFrom
        self.criticalFrom = criticalFrom
        self.breakAfter = breakAfter
        self.window = window
    }

    /// Media types browsers show inline; anything else stays a download link.
    public static let inlineImages: Set<String> = ["image/png", "image/jpeg", "image/jpg", "image/gif", "image/webp"]
    public static let inlineVideos: Set<String> = ["video/mp4", "video/webm"]

    /// Whether a file of this type on a ticket of this risk is shielded until the agent reveals it.
    public func shields(contentType: String, ticketRisk: RiskLevel) -> Bool {
        ticketRisk >= shieldFrom && MediaDisplay(contentType: contentType) != .download
    }

    /// What the agent sees about themselves: content in the last day and week, and whether to suggest a break.
    /// `exposures` must reach back at least a week for `week` to be whole; the prompt needs only `window`.
    public func summary(of exposures: [Exposure], now: Date) -> ExposureSummary {
        let day = now.addingTimeInterval(-24 * 3600), week = now.addingTimeInterval(-7 * 24 * 3600)
        let content = exposures.filter(\.isContent)
        // Counting restarts at the last break or "later", so the prompt never nags twice about the same content.
        let restart = exposures.filter { $0.kind == .pause || $0.kind == .snooze }.map(\.at).max() ?? .distantPast
        let since = max(now.addingTimeInterval(-window), restart)
        let critical = content.filter { $0.at > since && $0.isCritical(from: criticalFrom) }.count
        return ExposureSummary(
            day: ExposureCounts(content.filter { $0.at > day }),
            week: ExposureCounts(content.filter { $0.at > week }),
            criticalSinceBreak: critical,
            breakDue: breakAfter > 0 && critical >= breakAfter)
    }
}

/// How a file shows on a ticket page.
public enum MediaDisplay: Sendable, Equatable {
    case image, video, download

    public init(contentType: String) {
        let type = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        self = WellbeingPolicy.inlineImages.contains(type) ? .image : WellbeingPolicy.inlineVideos.contains(type) ? .video : .download
    }
}

public struct ExposureCounts: Sendable, Equatable {
    public var reveals = 0
    public var riskyTickets = 0
    public var total: Int { reveals + riskyTickets }

    public init(reveals: Int = 0, riskyTickets: Int = 0) {
        self.reveals = reveals
        self.riskyTickets = riskyTickets
    }

    init(_ exposures: [Exposure]) {
        reveals = exposures.filter { $0.kind == .reveal }.count
        riskyTickets = exposures.filter { $0.kind == .riskyTicket }.count
    }
}

public struct ExposureSummary: Sendable, Equatable {
    public var day: ExposureCounts
    public var week: ExposureCounts
    /// Critical content since the last break (or "later"), within the policy's window.
    public var criticalSinceBreak: Int
    public var breakDue: Bool

    public init(day: ExposureCounts = ExposureCounts(), week: ExposureCounts = ExposureCounts(), criticalSinceBreak: Int = 0, breakDue: Bool = false) {
        self.day = day
        self.week = week
        self.criticalSinceBreak = criticalSinceBreak
        self.breakDue = breakDue
    }
}
