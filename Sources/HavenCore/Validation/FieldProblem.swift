/// One thing wrong with one input field, in words a person can act on.
public struct FieldProblem: Codable, Sendable, Hashable {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }
}

/// Errors raised by domain rules. Each has a stable code that API clients can match on.
public enum DomainError: Error, Sendable, Equatable {
    /// The input was understood but breaks a rule (missing subject, bad email, ...).
    case invalid([FieldProblem])
    /// The ticket's status cannot move from `from` to `to`.
    case forbiddenTransition(from: TicketStatus, to: TicketStatus)
    /// The ticket is closed; nothing about it may change any more.
    case ticketClosed

    public var code: String {
        switch self {
        case .invalid: "validation_failed"
        case .forbiddenTransition: "invalid_status_transition"
        case .ticketClosed: "ticket_closed"
        }
    }

    /// Every problem in words, for a page that shows them to a person (the API lists them under `errors`).
    public var explanation: String {
        if case .invalid(let problems) = self { return problems.map(\.problem).joined(separator: " ") }
        return detail
    }

    public var detail: String {
        switch self {
        case .invalid(let problems):
            let fields = problems.map(\.field).joined(separator: ", ")
            return "The request has invalid fields: \(fields)."
        case .forbiddenTransition(let from, let to):
            let allowed = from.allowedTransitions.map(\.rawValue).sorted()
            let options = allowed.isEmpty ? "none" : allowed.joined(separator: ", ")
            return "A ticket cannot move from '\(from.rawValue)' to '\(to.rawValue)'. From '\(from.rawValue)' it can move to: \(options)."
        case .ticketClosed:
            return "This ticket is closed and can no longer change. Create a follow-up ticket instead."
        }
    }
}
