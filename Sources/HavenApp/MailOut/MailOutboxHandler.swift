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
    let kind = OutboundMailQueue.jobKind
    let mail: any OutboundMailRepository
    let outbox: any OutboxRepository
    let composer: OutboundMailComposer
    let client: SMTPClient
    let dkim: DKIMSigner?
    let retry: RetryPolicy
    let logger: Logger
    let now: @Sendable () -> Date

    func handle(_ job: OutboxJob) async throws {
        guard let mailID = OutboundMailQueue.mailID(of: job), let context = try await mail.context(mailID: mailID) else {
            _ = try await outbox.complete(job, .failed("The mail this job sends does not exist."), now: now())
            return
        }
        let message: (raw: [UInt8], sender: String, recipient: String)
        do {
            message = try await rendered(context)
        } catch let error as UncomposableMail {
            _ = try await mail.finish(job, .failed(error.description), mailID: mailID, detail: nil, now: now())
            return
        } catch {
            // An attachment's file unreadable for now (shared storage away): retried, and given up after a while like a send.
            _ = try await mail.finish(job, retryOrGiveUp(job, error: "Could not prepare the mail: \(error)"), mailID: mailID, detail: nil, now: now())
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
        _ = try await mail.finish(job, outcome, mailID: mailID, detail: detail, now: now())
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
            mailID: context.mailID, at: now(), raw: raw, sender: outbound.from.address, recipient: recipient, subject: outbound.subject, text: outbound.text,
            html: outbound.html)
        return (raw, outbound.from.address, recipient)
    }
}
