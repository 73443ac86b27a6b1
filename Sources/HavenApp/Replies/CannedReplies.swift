import Foundation
import HavenCore
import HavenStorage

/// Canned responses as the reply box uses them: their variables, checked when an admin saves one, and filled in
/// for a ticket in the customer's language.
enum CannedReplies {
    static let variables: Set<String> = ["customer_name", "agent_name", "ticket_number", "subject"]

    /// Validates a response (name, texts, and only known variables in each text); throws what to fix.
    static func validated(name: String, texts: [String: String]) throws -> (name: String, texts: [String: String]) {
        let clean = try CannedResponse.validated(name: name, texts: texts)
        let problems = clean.texts.sorted { $0.key < $1.key }.flatMap { locale, text in
            SystemMailTemplates.problems(text, field: "The \(locale) text", variables: variables).map { FieldProblem(field: "texts.\(locale)", problem: $0) }
        }
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        return clean
    }

    /// The response for this ticket, in the customer's language when written in it, with its variables filled in.
    static func render(_ response: CannedResponse, ticket: TicketRecord, agent: AgentRecord) -> (locale: String, text: String)? {
        guard let (locale, text) = response.text(for: ticket.language ?? ticket.requester.locale) else { return nil }
        let values: [String: Any] = [
            "customer_name": ticket.requester.name ?? "", "agent_name": agent.name, "ticket_number": ticket.number, "subject": ticket.subject,
        ]
        return (locale, SystemMailTemplates.render(text, values))
    }
}
