import Foundation
import HavenCore
import HavenStorage
import Hummingbird

/// `GET /queues` (every agent) and `PATCH /queues/{queue}` (admins: the queue's email sender and acknowledgements).
struct QueueController {
    let directory: any DirectoryRepository
    let bodyLimit: Int

    static let adminsOnly = "Only an admin can change a queue."

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("queues", use: listQueues)
        group.patch("queues/:queue", use: updateQueue)
    }

    @Sendable func listQueues(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try context.requireAgent()
        return try JSON.response(["items": try await directory.queues()])
    }

    struct QueueMailBody: Decodable {
        var emailAddress: String?
        var emailName: String?
        var acknowledgeEmail: Bool?
        enum CodingKeys: String, CodingKey {
            case emailAddress = "email_address", emailName = "email_name", acknowledgeEmail = "acknowledge_email"
        }
    }

    /// `PATCH /queues/{id|slug|name}`: the queue's sender (address and name) and whether it acknowledges new email.
    @Sendable func updateQueue(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin(Self.adminsOnly)
        let ref = (context.parameters.get("queue") ?? "").removingPercentEncoding ?? ""
        let input = try await JSON.decode(QueueMailBody.self, from: request, limit: bodyLimit)
        let settings = try Self.mailSettings(address: input.emailAddress, name: input.emailName, acknowledge: input.acknowledgeEmail)
        return try JSON.response(try await directory.updateQueueMail(ref, settings))
    }

    /// A queue's sender as given (the API and the admin page): an empty address goes back to the installation's.
    static func mailSettings(address: String?, name: String?, acknowledge: Bool?) throws -> QueueMailSettings {
        var settings = QueueMailSettings(emailName: name.map(TextNormalizer.line), acknowledgeEmail: acknowledge)
        if let address {
            if address.isEmpty {
                settings.emailAddress = ""
            } else if let valid = EmailAddress.normalize(address) {
                settings.emailAddress = valid
            } else {
                throw APIError.validation([FieldProblem(field: "email_address", problem: "'\(address)' is not an email address.")])
            }
        }
        return settings
    }
}
