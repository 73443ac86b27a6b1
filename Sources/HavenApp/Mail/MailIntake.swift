import FluentKit
import Foundation
import HavenCore
import HavenMail
import HavenStorage
import Logging
import NIOPosix

public struct MailIntakeConfiguration: Sendable {
    /// Largest message accepted whole, in bytes; bigger ones are refused permanently (SMTP 552, exit 65, HTTP 413).
    public var maxMessageBytes = 40 << 20
    /// A reply to a ticket solved longer ago than this (or to any closed ticket) opens a new, linked ticket.
    public var reopenWindow: TimeInterval = 14 * 86_400
    /// Automatic responses (acknowledgements) to one address per day; Znuny's default is 40.
    public var automaticResponsesPerDay = 40

    public init() {}
}

/// What became of one inbound message.
public struct MailIngestResult: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// A new ticket.
        case created
        /// Added to an existing ticket (a reply).
        case appended
        /// This Message-ID (or these exact bytes) was ingested before; nothing new was stored.
        case duplicate
        /// A bounce, noted on the ticket whose mail bounced; the address is flagged.
        case bounce
        /// Kept whole in the quarantine for an admin to look at and re-process.
        case quarantined
    }

    public var outcome: Outcome
    public var ticketID: UUID?
    public var ticketNumber: Int?
    public var messageID: UUID?
    public var quarantineID: UUID?
    /// auto_reply, bulk or bounce: mail no person wrote, recorded but never answered automatically.
    public var automatic: String?
    /// Whether an acknowledgement may be sent (a new ticket from a person, within the per-address daily cap).
    public var acknowledge: Bool
    public var reason: String?
}

/// The message was refused for good (too big); the sender's server should bounce it, not retry.
public struct MailRejected: Error, Sendable {
    public var reason: String
}

/// Haven cannot make a ticket of the message (no sender, an unknown queue): it is quarantined on first
/// delivery; a re-process that fails again says why.
public struct MailUnprocessable: Error, Sendable {
    public var reason: String
}

/// The email channel's intake: every path (MTA pipe, webhook, LMTP) hands raw RFC 5322 bytes here.
///
/// normalize (parse, decode, strip quotes) → dedupe (Message-ID, else the bytes' SHA-256) → identify the
/// contact → thread (In-Reply-To/References, then a `[#123]` subject token from the requester, then a signed
/// plus-address) or create → the ticket pipeline (`TicketIntake`: language, queue, events) → notify.
/// A message Haven cannot make a ticket of goes to the quarantine instead of blocking the next one.
public struct MailIntake: Sendable {
    let tickets: any TicketRepository
    let mail: any MailRepository
    let store: AttachmentStore
    let intake: TicketIntake
    let configuration: MailIntakeConfiguration
    let logger: Logger
    let now: @Sendable () -> Date

    public init(
        tickets: any TicketRepository, mail: any MailRepository, store: AttachmentStore,
        intake: TicketIntake, configuration: MailIntakeConfiguration = MailIntakeConfiguration(), logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.tickets = tickets
        self.mail = mail
        self.store = store
        self.intake = intake
        self.configuration = configuration
        self.logger = logger
        self.now = now
    }

    /// Ingests one message. Throws `MailRejected` for a permanent refusal; any other error is temporary
    /// (the database is unreachable): nothing was committed and the sender should retry.
    public func ingest(_ raw: [UInt8], queue: String? = nil, source: String, envelopeRecipients: [String] = []) async throws -> MailIngestResult {
        guard raw.count <= configuration.maxMessageBytes else {
            throw MailRejected(reason: "The message is \(raw.count) bytes; the limit is \(configuration.maxMessageBytes).")
        }
        guard !raw.isEmpty else { throw MailRejected(reason: "The message is empty.") }
        // The original is written with the message (or the quarantine entry), in the same transaction.
        let rawSHA = AttachmentStore.sha256(raw)
        do {
            return try await ingest(raw, rawSHA: rawSHA, queue: queue, envelopeRecipients: envelopeRecipients)
        } catch let problem as MailUnprocessable {
            return try await quarantine(raw, sha: rawSHA, reason: problem.reason, source: source, queue: queue)
        } catch let error as DomainError {
            return try await quarantine(raw, sha: rawSHA, reason: Self.describe(error), source: source, queue: queue)
        }
    }

    /// The original bytes of a quarantined (or received) message.
    public func original(_ item: QuarantineRecord) async throws -> [UInt8] {
        if let raw = try await mail.original(sha256: item.rawSHA256) { return raw }
        // Kept as a file by Haven before originals moved into the database (migration 007).
        let store = self.store
        return try await NIOThreadPool.singleton.runIfActive { try [UInt8](store.read(item.rawSHA256)) }
    }

    /// Runs a quarantined message through intake again (after a fix, or with another queue).
    public func reprocess(_ item: QuarantineRecord, queue: String?) async throws -> MailIngestResult {
        let raw = try await original(item)
        let result: MailIngestResult
        do {
            result = try await ingest(raw, rawSHA: item.rawSHA256, queue: queue ?? item.queue, envelopeRecipients: [])
        } catch let error as DomainError {
            throw MailUnprocessable(reason: Self.describe(error))
        }
        try await mail.markReprocessed(item.id, ticketID: result.ticketID)
        return result
    }

    func quarantine(_ raw: [UInt8], sha: String, reason: String, source: String, queue: String?) async throws -> MailIngestResult {
        let item = try await mail.quarantine(NewQuarantine(rawSHA256: sha, raw: raw, reason: reason, source: source, queue: queue))
        logger.warning("mail quarantined", metadata: ["quarantine": "\(item.id)", "reason": "\(reason)"])
        return MailIngestResult(outcome: .quarantined, quarantineID: item.id, acknowledge: false, reason: reason)
    }

    func ingest(_ raw: [UInt8], rawSHA: String, queue: String?, envelopeRecipients: [String]) async throws -> MailIngestResult {
        let parsed = InboundMail(parsing: raw)
        // A message without a Message-ID is keyed by its bytes: the same bytes delivered twice are one message.
        let key = parsed.messageID ?? "sha256.\(rawSHA)@haven.invalid"
        // One lookup answers both "seen before?" and "which ticket does it answer?".
        let known = try await mail.mails(withMessageIDs: [key] + parsed.threadIDs)
        if let known = known.first(where: { $0.rfcMessageID == key }) {
            return MailIngestResult(outcome: .duplicate, ticketID: known.ticketID, messageID: known.messageID, automatic: known.automatic, acknowledge: false)
        }
        var metadata = MailMetadata(
            rfcMessageID: key, direction: .inbound, fromAddress: parsed.from?.address, subject: parsed.subject, fullText: parsed.text,
            html: parsed.html, rawSHA256: rawSHA, rawSize: raw.count, raw: raw, automatic: parsed.automatic?.rawValue)
        do {
            if parsed.automatic == .bounce { return try await bounce(parsed, metadata: metadata) }
            guard let sender = parsed.from, let email = EmailAddress.normalize(sender.address) else {
                throw MailUnprocessable(reason: "The message has no usable sender address (From: \(parsed.headers["From"] ?? "missing")).")
            }
            let files = try await storeAttachments(parsed)
            // Inline images display from Haven's own stored files, never from anywhere remote.
            metadata.html = parsed.html.map {
                HTML.replacingInlineImages(in: $0, with: files.byContentID.mapValues { "/api/v1/attachments/\($0.uuidString.lowercased())" })
            }
            let answered = known.first { $0.rfcMessageID != key }
            if let ticket = try await thread(parsed, answering: answered, sender: email, envelopeRecipients: envelopeRecipients) {
                if ticket.status == .closed || (ticket.status == .solved && now().timeIntervalSince(ticket.updatedAt) > configuration.reopenWindow) {
                    return try await create(parsed, sender: sender, email: email, queue: queue ?? ticket.queue?.slug, files: files, metadata: metadata,
                                            followUpOf: .init(ticketID: ticket.id, number: ticket.number, reason: "reply to a \(ticket.status.rawValue) ticket"))
                }
                return try await append(parsed, to: ticket, sender: email, files: files, metadata: metadata)
            }
            return try await create(parsed, sender: sender, email: email, queue: queue, files: files, metadata: metadata, followUpOf: nil)
        } catch where (error as? any DatabaseError)?.isConstraintFailure == true {
            // Two deliveries of the same message raced; the other one stored it.
            guard let known = try await mail.mails(withMessageIDs: [key]).first else { throw error }
            return MailIngestResult(outcome: .duplicate, ticketID: known.ticketID, messageID: known.messageID, automatic: known.automatic, acknowledge: false)
        }
    }

    /// The ticket this message continues, if any; `answered` is the newest known mail among its In-Reply-To/References.
    func thread(_ parsed: InboundMail, answering answered: MailMessageRecord?, sender: String, envelopeRecipients: [String]) async throws -> TicketRecord? {
        if let known = answered,
            let ticket = try await tickets.summary(.id(known.ticketID)) {
            return ticket
        }
        // A "[#1234]" token is easy to type, so it only threads mail from the ticket's own requester.
        if let number = Self.subjectToken(parsed.subject), let ticket = try await tickets.summary(.number(number)),
            ticket.requester.email == sender {
            return ticket
        }
        let replyAddress = ReplyAddress(key: try await mail.replyAddressKey())
        let recipients = envelopeRecipients + (parsed.to + parsed.cc).map(\.address)
            + ["Delivered-To", "X-Original-To"].flatMap { parsed.headers.all($0) }
        for recipient in recipients {
            if let number = replyAddress.ticketNumber(in: recipient.trimmingCharacters(in: .whitespaces)), let ticket = try await tickets.summary(.number(number)) {
                return ticket
            }
        }
        return nil
    }

    static func subjectToken(_ subject: String) -> Int? {
        guard let open = subject.range(of: "[#") else { return nil }
        let digits = subject[open.upperBound...].prefix { $0.isNumber }
        guard !digits.isEmpty, subject[open.upperBound...].dropFirst(digits.count).first == "]" else { return nil }
        return Int(digits)
    }

    func create(
        _ parsed: InboundMail, sender: MailAddress, email: String, queue: String?, files: Files, metadata: MailMetadata,
        followUpOf: TicketOrigin.FollowUp?
    ) async throws -> MailIngestResult {
        let draft = NewTicketDraft(
            subject: parsed.subject.isEmpty ? nil : String(parsed.subject.prefix(NewTicketDraft.maxSubjectLength)),
            body: body(parsed.newText, files: files), channel: .email, queue: queue,
            requester: RequesterDraft(email: email, name: sender.name.map { String($0.prefix(200)) }))
        let actor = Actor(kind: .contact, id: nil)
        // Mail no person wrote is never answered automatically.
        let acknowledgement = parsed.automatic == nil
            ? AutomaticResponse(address: email, day: Self.day(now()), limit: configuration.automaticResponsesPerDay) : nil
        let ticket = try await intake.submit(
            draft, actor: actor,
            origin: TicketOrigin(newAttachments: files.stored, mail: metadata, followUpOf: followUpOf, acknowledgement: acknowledgement))
        return MailIngestResult(
            outcome: .created, ticketID: ticket.id, ticketNumber: ticket.number, messageID: ticket.messages?.first?.id,
            automatic: parsed.automatic?.rawValue, acknowledge: ticket.acknowledged ?? false)
    }

    func append(_ parsed: InboundMail, to ticket: TicketRecord, sender: String, files: Files, metadata: MailMetadata) async throws -> MailIngestResult {
        // The requester's own reply is the contact's; someone else on the thread (a CC) is recorded without an id.
        let actor = Actor(kind: .contact, id: ticket.requester.email == sender ? ticket.requester.id.uuidString.lowercased() : nil)
        let message = NewMessage(
            body: body(parsed.newText, files: files), visibility: .public, newAttachments: files.stored, movesStatus: parsed.automatic == nil,
            language: intake.language(of: parsed.newText), mail: metadata,
            risk: parsed.automatic == nil ? intake.assessRisk(of: parsed.newText) : nil)
        let stored = try await tickets.addMessage(to: .id(ticket.id), message, actor: actor)
        return MailIngestResult(
            outcome: .appended, ticketID: ticket.id, ticketNumber: ticket.number, messageID: stored.id, automatic: parsed.automatic?.rawValue,
            acknowledge: false)
    }

    /// A bounce never becomes a ticket: it is noted on the ticket whose mail bounced, and failed addresses are flagged.
    func bounce(_ parsed: InboundMail, metadata: MailMetadata) async throws -> MailIngestResult {
        let report = parsed.deliveryReport
        for recipient in report?.recipients ?? [] where recipient.isPermanent {
            try await mail.flagBounce(address: recipient.address, status: recipient.status ?? "5.0.0", at: now())
        }
        let ids = [report?.originalMessageID].compactMap { $0 } + parsed.threadIDs
        guard let known = try await mail.mails(withMessageIDs: ids).first else {
            logger.info("bounce for mail Haven does not know", metadata: ["message": "\(metadata.rfcMessageID)"])
            return MailIngestResult(outcome: .bounce, automatic: AutomaticMail.bounce.rawValue, acknowledge: false, reason: "no ticket sent the bounced mail")
        }
        let failed = (report?.recipients ?? []).map { "\($0.address) (\($0.action), \($0.status ?? "no status"))" }.joined(separator: ", ")
        let note = "Delivery failed: " + (failed.isEmpty ? parsed.subject : failed) + "\n\n" + String(parsed.newText.prefix(2_000))
        let stored = try await tickets.addMessage(
            to: .id(known.ticketID), NewMessage(body: note, visibility: .internal, movesStatus: false, mail: metadata), actor: .system)
        return MailIngestResult(outcome: .bounce, ticketID: known.ticketID, messageID: stored.id, automatic: AutomaticMail.bounce.rawValue, acknowledge: false)
    }

    struct Files {
        var stored: [NewAttachment] = []
        var skipped: [String] = []
        /// Inline images by Content-ID, for the HTML's `cid:` references.
        var byContentID: [String: UUID] = [:]
    }

    /// Stores each attachment's bytes (content-addressed; never executed or unpacked). Files over the size limit are left
    /// out and named in the message, so the agent knows to ask for them another way.
    func storeAttachments(_ parsed: InboundMail) async throws -> Files {
        var files = Files()
        for attachment in parsed.attachments.prefix(100) {
            guard attachment.data.count <= store.maxBytes else {
                files.skipped.append("\(attachment.filename) (\(attachment.data.count) bytes)")
                continue
            }
            // The bytes now; their rows are written in the message's own transaction.
            let sha = try await put(attachment.data)
            let file = NewAttachment(
                sha256: sha, size: attachment.data.count, contentType: attachment.contentType, filename: attachment.filename, uploadedBy: nil)
            files.stored.append(file)
            if let contentID = attachment.contentID { files.byContentID[contentID] = file.id }
        }
        return files
    }

    /// Writes and fsyncs on the thread pool: blocking file I/O on Swift's cooperative threads (two on this
    /// machine) would stall every other task.
    func put(_ bytes: [UInt8]) async throws -> String {
        let store = self.store
        return try await NIOThreadPool.singleton.runIfActive { try store.put(bytes) }
    }

    func body(_ text: String, files: Files) -> String {
        var body = String(text.prefix(NewTicketDraft.maxBodyLength - 2_000))
        if !files.skipped.isEmpty { body += "\n\n[Attachments over the size limit, not kept: \(files.skipped.joined(separator: ", "))]" }
        if body.allSatisfy(\.isWhitespace) { body = files.stored.isEmpty ? "(empty message)" : "(no text; see the attachments)" }
        return body
    }

    static func describe(_ error: DomainError) -> String {
        if case .invalid(let problems) = error { return problems.map { "\($0.field): \($0.problem)" }.joined(separator: "; ") }
        return error.detail
    }

    static func day(_ date: Date) -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }
}
