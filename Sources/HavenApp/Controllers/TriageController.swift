import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// Triage for the people who look after it: the quality report (where agents corrected triage), and a way to see
/// what triage says about a text without creating a ticket.
struct TriageController {
    let reports: any TriageReportRepository
    let intake: TicketIntake
    let bodyLimit: Int
    let now: @Sendable () -> Date

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("reports/triage-quality", use: quality)
        group.post("triage/assess", use: assess)
    }

    /// `?since=&until=` (ISO 8601; the last 30 days by default), for leads, QA, safety and admins.
    @Sendable func quality(_ request: Request, context: AppRequestContext) async throws -> Response {
        let agent = try context.requireAgent()
        guard [.lead, .qa, .safety, .admin].contains(where: agent.has) else {
            throw APIError(status: .forbidden, code: "forbidden", title: "Leads only", detail: "The triage quality report is for leads, QA, safety and admins.")
        }
        let until = try date(request, "until") ?? now()
        let since = try date(request, "since") ?? until.addingTimeInterval(-30 * 86_400)
        guard since < until else { throw APIError.badRequest("invalid_query", "since must be before until.") }
        return try JSON.response(try await reports.quality(since: since, until: until))
    }

    struct AssessBody: Decodable { var text: String }

    /// `{"text": "..."}` → language, risk with its signals, and topic: what intake would store.
    @Sendable func assess(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        let body = try await JSON.decode(AssessBody.self, from: request, limit: bodyLimit)
        guard !body.text.isEmpty, body.text.count <= NewTicketDraft.maxBodyLength else {
            throw APIError.validation([FieldProblem(field: "text", problem: "Give 1 to \(NewTicketDraft.maxBodyLength) characters of text.")])
        }
        let triage = intake.triage(body.text)
        return try JSON.response(TriageAnswer(
            language: triage.language.language, languageConfidence: triage.language.confidence, risk: MessageRisk(triage.risk), topic: triage.topic))
    }

    struct TriageAnswer: Encodable {
        var language: String?
        var languageConfidence: Double
        var risk: MessageRisk
        var topic: TopicSuggestion
    }

    private func date(_ request: Request, _ name: String) throws -> Date? {
        guard let text = request.uri.queryParameters.get(name) else { return nil }
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw APIError.badRequest("invalid_query", "\(name) must be an ISO 8601 time such as 2026-11-01T00:00:00Z (got '\(text)').")
        }
        return date
    }
}
