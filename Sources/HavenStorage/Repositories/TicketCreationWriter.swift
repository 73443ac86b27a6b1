import FluentKit
import Foundation
import HavenCore
import SQLKit

struct TicketCreation: Sendable {
    var draft: NewTicketDraft
    var actor: Actor
    var origin: TicketOrigin
    /// The subject with the requester's name, and the first message, as the search index stores them.
    var search: (heading: String, body: String)

    init(draft: NewTicketDraft, actor: Actor, origin: TicketOrigin) {
        self.draft = draft
        self.actor = actor
        self.origin = origin
        search = (TicketSearch.document((draft.subject ?? "") + " " + (draft.requester.name ?? "")), TicketSearch.document(draft.body))
    }
}

/// Writes a batch of new tickets in one transaction: one query for the contacts, one for the numbers, and
/// one multi-row insert each for contacts, tickets, messages and events, whatever the batch's size.
struct TicketCreationWriter: Sendable {
    /// A new ticket's first message is its second event, after `ticket.created`.
    static let firstMessageSeq = 2

    /// Bounds a statement's bind parameters (the widest, tickets: 33 columns a row, 8,448 for a full batch) well
    /// under SQLite's 32,766 and PostgreSQL's 65,535. Large enough that a batch can grow with the load: at 64, a
    /// thousand live chats' lines (a message each a second) outran the writer, whose batches take about as long
    /// whatever their size; at 256 it keeps up (docs/benchmarks.md).
    static let maxBatch = 256

    let now: @Sendable () -> Date
    /// nil: Haven sends no mail (no SMTP server configured).
    let outboundMail: OutboundMailSettings?

    func create(_ requests: [TicketCreation], on tx: any Database) async throws -> [Result<TicketRecord, any Error>] {
        let now = self.now()
        // A request naming an unknown queue is refused alone; the rest of the batch goes on.
        var queues: [String?: Result<QueueModel?, any Error>] = [:]
        for ref in Set(requests.map(\.draft.queue)) {
            do { queues[ref] = .success(try await SQLTicketRepository.queue(for: ref, field: "queue", on: tx)) }
            catch let error as DomainError { queues[ref] = .failure(error) }
        }
        var refused: [Int: any Error] = [:]
        for index in requests.indices { if case .failure(let error) = queues[requests[index].draft.queue] { refused[index] = error } }
        // Files named by a request must exist and belong to no message yet; a request naming others is refused alone.
        let fileIDs = requests.indices.filter { refused[$0] == nil }.flatMap { requests[$0].origin.attachmentIDs }
        var files: [UUID: AttachmentModel] = [:]
        if !fileIDs.isEmpty {
            for file in try await AttachmentModel.query(on: tx).filter(\.$id ~~ fileIDs).all() where file.messageID == nil { files[file.id!] = file }
            for index in requests.indices where refused[index] == nil {
                let usable = SQLTicketRepository.usableFiles(files, uploader: requests[index].origin.uploader)
                let problems = SQLTicketRepository.attachmentProblems(requests[index].origin.attachmentIDs, usable: usable)
                if !problems.isEmpty { refused[index] = DomainError.invalid(problems) }
            }
        }
        var accepted = requests.indices.filter { refused[$0] == nil }
        // Idempotency keys go in first, with the tickets they will name: a key another request holds refuses this one.
        var ticketIDs: [Int: UUID] = [:]
        for index in accepted { ticketIDs[index] = UUID() }
        let reserving = accepted.filter { requests[$0].origin.idempotency != nil }
        let reserved = try await SQLIdempotencyRepository.reserve(
            reserving.map { (requests[$0].origin.idempotency!, ticketIDs[$0]!) }, at: now, on: tx.sql())
        for (index, ok) in zip(reserving, reserved) where !ok { refused[index] = IdempotencyConflict() }
        accepted = accepted.filter { refused[$0] == nil }
        guard !accepted.isEmpty else { return requests.indices.map { .failure(refused[$0]!) } }
        let contacts = try await ContactLookup.findOrCreate(accepted.map { requests[$0].draft.requester }, on: tx, now: now)
        // Routing sees the contact as stored (an email's sender may be a known creator), so it runs here.
        var plans: [Int: IntakeRouting.Plan] = [:]
        for (position, index) in accepted.enumerated() {
            guard let routing = requests[index].origin.routing, var ticket = requests[index].origin.routingTicket else { continue }
            let contact = contacts[position]
            ticket.contactKind = ContactKind(rawValue: contact.kind) ?? ticket.contactKind
            ticket.tier = contact.tier ?? ticket.tier
            ticket.market = contact.market ?? ticket.market
            plans[index] = routing.plan(ticket, namedQueue: requests[index].draft.queue, requested: requests[index].draft.priority, now: now)
        }
        // A plan's queue is used when it exists and never refuses a request; else the one the draft names
        // (absent: the default queue, or none at all).
        var planned: [String: QueueModel] = [:]
        for slug in Set(plans.values.compactMap(\.queue)) {
            if let queue = try? await SQLTicketRepository.queue(for: slug, field: "queue", on: tx) { planned[slug] = queue }
        }
        var chosen: [Int: QueueModel] = [:]
        for index in accepted {
            if let queue = try plans[index]?.queue.flatMap({ planned[$0] }) ?? queues[requests[index].draft.queue]!.get() { chosen[index] = queue }
        }
        let numbers = try await Sequences.next([.ticketNumber, .ticketChange], count: accepted.count, on: tx.sql())
        var tickets: [TicketModel] = [], messages: [MessageModel] = [], events: [TicketEventModel] = [], mailRows: [MailMessageModel] = []
        var chats: [(ticket: UUID, contact: UUID, tokenHash: String)] = []
        var newFiles: [AttachmentModel] = []
        var records: [Int: TicketRecord] = [:]
        for (position, index) in accepted.enumerated() {
            let request = requests[index]
            let queue = chosen[index]
            let contact = contacts[position]
            let ticket = TicketModel(
                request.draft, number: numbers[.ticketNumber]![position], changeSeq: numbers[.ticketChange]![position],
                queue: queue, requester: contact, at: now)
            ticket.id = ticketIDs[index]
            let origin = request.origin
            let plan = plans[index]
            if let plan { ticket.apply(plan, queue: queue) }
            let message = try MessageModel(
                ticket: ticket, author: request.actor, visibility: .public, body: request.draft.body, seq: Self.firstMessageSeq,
                attachmentCount: origin.attachmentIDs.count + origin.newAttachments.count, at: now)
            message.language = origin.messageLanguage ?? ticket.language
            let risk = origin.risk.flatMap { $0.level == .none ? nil : $0 }
            if let risk {
                message.record(risk)
                ticket.riskLevel = risk.level.rawValue
                ticket.harms = JSONList.encode(risk.harms.map(\.rawValue))
            }
            if let topic = origin.topic {
                message.topic = topic.topic.rawValue
                message.topicConfidence = topic.confidence
                ticket.suggestedTopic = topic.topic.rawValue
                ticket.topicConfidence = topic.confidence
            }
            ticket.details = try origin.details.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            if let mail = origin.mail { mailRows.append(MailMessageModel(mail, ticketID: ticket.id!, messageID: message.id, at: now)) }
            for id in origin.attachmentIDs {
                files[id]?.messageID = message.id
                files[id]?.ticketID = ticket.id
            }
            var changes: [TicketChange] = [
                .created(SQLTicketRepository.state(of: ticket)),
                .messageAdded(messageID: message.id!.uuidString, author: request.actor, visibility: .public),
            ]
            if let earlier = origin.followUpOf {
                changes.append(.linked(ticketID: earlier.ticketID.uuidString.lowercased(), number: earlier.number, reason: earlier.reason))
            }
            if let risk { changes.append(.riskDetected(messageID: message.id!.uuidString, level: risk.level, harms: risk.harms)) }
            if var note = plan?.note {
                note.queue = queue?.slug
                changes.append(.routed(note))
            }
            ticket.lastEventSeq = changes.count
            events += try SQLTicketRepository.events(changes, of: ticket, firstSeq: 1, actor: request.actor, at: now)
            tickets.append(ticket)
            messages.append(message)
            if let token = origin.chatTokenHash { chats.append((ticket.id!, ticket.requesterID, token)) }
            // Everything the answer shows is in hand: no read-back after the commit.
            let created = origin.newAttachments.map { AttachmentModel($0, at: now, message: message.id, ticket: ticket.id) }
            newFiles += created
            var messageRecord = try SQLTicketRepository.record(message)
            messageRecord.risk = risk.map(MessageRisk.init)
            messageRecord.topic = origin.topic
            messageRecord.attachments = origin.attachmentIDs.compactMap { files[$0].map(SQLAttachmentRepository.record) }
                + created.map(SQLAttachmentRepository.record)
            records[index] = TicketRecord(
                id: try ticket.requireID(), number: ticket.number, subject: ticket.subject, status: .new,
                priority: TicketPriority(rawValue: ticket.priority) ?? request.draft.priority,
                channel: request.draft.channel, language: ticket.language, queue: queue.map(SQLTicketRepository.summary),
                assignee: nil, requester: try SQLTicketRepository.record(contact), tags: request.draft.tags, createdAt: now,
                updatedAt: now, messages: [messageRecord], riskLevel: risk?.level ?? .none, harms: risk?.harms ?? [],
                suggestedTopic: origin.topic, details: origin.details)
            records[index]?.priorityScore = ticket.priorityScore
            records[index]?.priorityReasons = plan?.note.priorityReasons ?? []
            records[index]?.routingReason = ticket.routingReason
            records[index]?.sla = ticket.slaPolicy.map { TicketSLA(policy: $0, dueAt: ticket.slaDueAt, state: ticket.slaState.flatMap(SLAMeasure.State.init(rawValue:))) }
        }
        try await tickets.insert(on: tx)
        try await messages.insert(on: tx)
        try await ChatRows.insert(chats, at: now, on: tx.sql())
        try await TicketSearch.index(
            accepted.flatMap { [(ticketIDs[$0]!, requests[$0].search.heading), (ticketIDs[$0]!, requests[$0].search.body)] }, on: tx.sql())
        try await CustomerFeed.number(events, on: tx.sql())
        try await TicketEventLog.append(events, on: tx)
        try await mailRows.insert(on: tx)
        try await MailOriginals.insert(accepted.compactMap { requests[$0].origin.mail }, at: now, on: tx.sql())
        // Counted only where an acknowledgement would go out: mail is configured and the queue sends them.
        let acknowledging = accepted.filter { index in
            requests[index].origin.acknowledgement != nil && outboundMail != nil && (chosen[index]?.acknowledgeEmail ?? true)
        }
        let allowed = try await AutomaticResponses.count(acknowledging.map { requests[$0].origin.acknowledgement! }, on: tx.sql())
        var outgoing: [(mail: MailMessageModel, job: OutboxModel)] = []
        for (index, ok) in zip(acknowledging, allowed) {
            records[index]?.acknowledged = ok
            if ok, let settings = outboundMail, let ticketID = records[index]?.id {
                outgoing.append(OutboundMailQueue.rows(.acknowledgement, ticketID: ticketID, messageID: nil, settings: settings, at: now))
            }
        }
        try await outgoing.map(\.mail).insert(on: tx)
        try await outgoing.map(\.job).insert(on: tx)
        try await newFiles.insert(on: tx)
        for file in files.values where file.messageID != nil { try await file.update(on: tx) }
        return requests.indices.map { index in
            if let record = records[index] { .success(record) } else { .failure(refused[index]!) }
        }
    }
}

extension TicketModel {
    convenience init(_ draft: NewTicketDraft, number: Int, changeSeq: Int, queue: QueueModel?, requester: ContactModel, at now: Date) {
        self.init()
        id = UUID()
        self.number = number
        self.changeSeq = changeSeq
        subject = draft.subject ?? ""
        status = TicketStatus.new.rawValue
        priority = draft.priority.rawValue
        priorityRank = draft.priority.rank
        channel = draft.channel.rawValue
        language = draft.language ?? draft.requester.locale ?? requester.locale
        queueID = queue?.id
        requesterID = requester.id!
        tags = JSONList.encode(draft.tags)
        // The creation and the first message are events 1 and 2.
        lastEventSeq = 2
        riskLevel = RiskLevel.none.rawValue
        harms = "[]"
        priorityScore = 0
        queuedAt = now
        passedBy = "[]"
        createdAt = now
        updatedAt = now
    }
}

extension TicketModel {
    /// Intake's routing plan on a new ticket's row: priority, its score and reasons, why this queue, the SLA.
    func apply(_ plan: IntakeRouting.Plan, queue: QueueModel?) {
        priority = plan.priority.rawValue
        priorityRank = plan.priority.rank
        priorityScore = plan.note.priorityScore
        priorityReasons = JSONList.encode(plan.note.priorityReasons)
        routingReason = plan.note.reason
        slaPolicy = plan.policy?.name
        slaDueAt = plan.slaDueAt
        slaState = plan.slaDueAt == nil ? nil : SLAMeasure.State.running.rawValue
        // The SLA watcher looks again when a warning could be due.
        slaCheckAt = plan.slaDueAt.map { $0.addingTimeInterval(-(plan.policy?.warnBefore ?? 0)) }
    }
}

extension MailMessageModel {
    convenience init(_ mail: MailMetadata, ticketID: UUID, messageID: UUID?, at now: Date) {
        self.init()
        id = UUID()
        rfcMessageID = mail.rfcMessageID
        direction = mail.direction.rawValue
        self.ticketID = ticketID
        self.messageID = messageID
        fromAddress = mail.fromAddress
        subject = mail.subject
        fullText = mail.fullText
        html = mail.html
        rawSHA256 = mail.rawSHA256
        rawSize = mail.rawSize
        automatic = mail.automatic
        createdAt = now
    }
}

extension MessageModel {
    /// Keeps triage's assessment on the message: level, harms, and the signals (as JSON).
    func record(_ risk: RiskAssessment) {
        riskLevel = risk.level.rawValue
        harms = JSONList.encode(risk.harms.map(\.rawValue))
        riskSignals = String(decoding: (try? JSONEncoder().encode(risk.signals)) ?? Data("[]".utf8), as: UTF8.self)
    }
}
