public enum TicketPriority: String, Codable, Sendable, CaseIterable, Comparable {
    case low
    case normal
    case high
    case urgent

    /// A number that sorts like the priority; stored beside the name so lists can sort by it.
    public var rank: Int {
        switch self {
        case .low: 1
        case .normal: 2
        case .high: 3
        case .urgent: 4
        }
    }

    public init?(rank: Int) {
        guard let match = Self.allCases.first(where: { $0.rank == rank }) else { return nil }
        self = match
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}
