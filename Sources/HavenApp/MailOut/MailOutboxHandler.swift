import Foundation
import HavenCore
import HavenMail
import HavenStorage
import Logging

/// Sends the outbox's mail jobs: renders the message once (kept with the mail, so a retry sends the very same
/// bytes, Message-ID and DKIM signature), hands it to the SMTP server, and records what happened: sent;
/// retried later with backoff on a 4xx or a server that is down; failed for good on a 5xx or after
/// `RetryPolicy.giveUpAfter`, which shows on the ticket and tells the agent.
///
/// Delivery is at least once: if Haven dies after the server accepted a message and before the outcome is
/// committed, the message is sent again when the lease ends, with the same Message-ID, which mail clients
/// show once. Every other crash point sends it exactly once.
struct MailOutboxHandler: OutboxHandler {
    let kind = "mail"
    let mail: any OutboundMailRepository
    let composer: OutboundMailComposer
    let client: SMTPClient
    let dkim: DKIMSigner?
    let retry: RetryPolicy
    let logger: Logger
    let now: @Sendable () -> Date

    struct Payload: Codable {
        var mailID: UUID
        enum CodingKeys: String, CodingKey { case mailID = "mail_id" }
    }

    func handle(_ job: OutboxJob) async throws {
        guard let payload = try? JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8)) else {
            _ = try await mail.finish(job, .failed("The job's payload is not a mail job."), mailID: UUID(), detail: nil, now: now())
            return
        }
        guard let context = try await mail.context(mailID: payload.mailID) else {
            _ = try await mail.finish(job, .failed("The mail to send no longer exists."), mailID: payload.mailID, detail: nil, now: now())
            return
        }
        let message: (raw: [UInt8], sender: String, recipient: String)
        do {
            message = try await rendered(context)
        } catch let error as UncomposableMail {
            _ = try await mail.finish(job, .failed(error.description), mailID: payload.mailID, detail: nil, now: now())
            return
        } catch {
            // An attachment's file unreadable for now (shared storage away): retried, and given up after a while like a send.
            _ = try await mail.finish(job, retryOrGiveUp(job, error: "Could not prepare the mail: \(error)"), mailID: payload.mailID, detail: nil, now: now())
            return
        }
        let outcome: OutboxOutcome
        var detail: String?
        do {
            let delivery = try await client.send(message.raw, from: message.sender, to: [message.recipient])
            if delivery.accepted.contains(message.recipient) {
                outcome = .delivered
                detail = "Accepted by \(client.configuration.host)"
            } else if let reason = delivery.rejected[message.recipient] {
                outcome = .failed("\(message.recipient) was refused: \(reason)")
            } else {
                outcome = retryOrGiveUp(job, error: delivery.deferred[message.recipient] ?? "no answer for the recipient")
            }
        } catch {
            switch error {
            case .permanent(let reason): outcome = .failed(reason)
            case .temporary(let reason): outcome = retryOrGiveUp(job, error: reason)
            }
        }
        if case .delivered = outcome {} else {
            logger.notice("mail not delivered", metadata: ["mail": "\(context.rfcMessageID)", "ticket": "\(context.ticketNumber)", "outcome": "\(outcome)"])
        }
        _ = try await mail.finish(job, outcome, mailID: payload.mailID, detail: detail, now: now())
    }

    private func retryOrGiveUp(_ job: OutboxJob, error: String) -> OutboxOutcome {
        guard let next = retry.nextAttempt(afterAttempt: job.attempts, created: job.createdAt, now: now()) else {
            return .failed("Gave up after \(job.attempts) attempts: \(error)")
        }
        return .retry(at: next, error: error)
    }

    /// The stored rendering, or a new one (kept before the first attempt).
    private func rendered(_ context: OutboundMailContext) async throws -> (raw: [UInt8], sender: String, recipient: String) {
        if let sha = context.renderedSHA256, let recipient = context.recipient, let sender = context.sender, let raw = try await mail.original(sha256: sha) {
            return (raw, sender, recipient)
        }
        let outbound = try await composer.compose(context, now: now())
        var raw = outbound.render()
        if let dkim { raw = try dkim.sign(raw, at: now()) }
        let recipient = outbound.to[0].address
        try await mail.saveRendered(
            mailID: context.mailID, raw: raw, sender: outbound.from.address, recipient: recipient, subject: outbound.subject, text: outbound.text,
            html: outbound.html)
        return (raw, outbound.from.address, recipient)
    }
}
