/// The life cycle of a ticket.
///
/// `new` is only ever the first status; `closed` is terminal (a reply to a closed
/// ticket becomes a follow-up ticket, never a reopen), so audit and SLA figures
/// computed from a closed ticket never change again.
public enum TicketStatus: String, Codable, Sendable, CaseIterable {
    case new
    case open
    case pending
    case onHold = "on_hold"
    case solved
    case closed

    /// Statuses this status may move to. Moving to the same status is a no-op, not a transition.
    public var allowedTransitions: Set<TicketStatus> {
        switch self {
        case .new: [.open, .pending, .onHold, .solved]
        case .open: [.pending, .onHold, .solved]
        case .pending: [.open, .onHold, .solved]
        case .onHold: [.open, .pending, .solved]
        case .solved: [.open, .closed]
        case .closed: []
        }
    }

    public func canTransition(to next: TicketStatus) -> Bool {
        allowedTransitions.contains(next)
    }

    /// Whether the ticket still needs work from the support team.
    public var isActive: Bool {
        switch self {
        case .new, .open, .pending, .onHold: true
        case .solved, .closed: false
        }
    }
}
