import FluentKit
import Foundation
import HavenCore
import SQLKit

struct MessageAppend: Sendable {
    var ticket: TicketRef
    var message: NewMessage
    var actor: Actor
    /// The message as the search index stores it.
    var search: String

    init(ticket: TicketRef, message: NewMessage, actor: Actor) {
        self.ticket = ticket
        self.message = message
        self.actor = actor
        search = TicketSearch.document(message.body)
    }
}

/// Writes a batch of new messages (replies, notes, mail) in the caller's transaction with a fixed number of
/// statements, whatever the batch's size: one query for the tickets, one for claimed files, one multi-row
/// insert each for messages, mail rows, originals, attachments and events, and one UPDATE for the touched tickets.
/// Several messages to one ticket in a batch get consecutive event numbers.
///
/// Every check (no such ticket, a closed ticket, a file already used, a status it cannot move to) is made
/// in memory before anything is written, so a request refused fails alone and the batch goes on.
struct MessageAppendWriter: Sendable {
    let now: @Sendable () -> Date
    /// nil: Haven sends no mail (no SMTP server configured).
    let outboundMail: OutboundMailSettings?

    /// One request's rows, once accepted.
    private struct Accepted {
        var message: MessageModel
        var mail: MailMetadata?
        var created: [AttachmentModel]
        var claimed: [AttachmentModel]
        var ticketID: UUID
        var search: String
    }

    func append(_ requests: [MessageAppend], on tx: any Database) async throws -> [Result<MessageRecord, any Error>] {
        let now = self.now()
        let tickets = try await Self.tickets(requests.map(\.ticket), on: tx)
        let fileIDs = requests.flatMap(\.message.attachmentIDs)
        var files: [UUID: AttachmentModel] = [:]
        if !fileIDs.isEmpty {
            for file in try await AttachmentModel.query(on: tx).filter(\.$id ~~ fileIDs).all() where file.messageID == nil { files[file.id!] = file }
        }

        // Messages sent again under the same client id (a chat client after a reconnect) are answered, not stored.
        var stored = try await Self.storedByClientID(requests, tickets: tickets, on: tx)
        let endedChats = outboundMail == nil ? [] : try await Self.endedChats(requests, tickets: tickets, on: tx)

        var results: [Result<MessageRecord, any Error>] = []
        var accepted: [Accepted] = []
        var events: [TicketEventModel] = []
        var touched: [UUID] = []
        var outgoing: [(mail: MailMessageModel, job: OutboxModel)] = []
        for request in requests {
            do {
                let ticket = try Self.ticket(request.ticket, in: tickets)
                let key = request.message.clientID.map { ClientKey(ticket: ticket.id!, clientID: $0) }
                if let key, var earlier = stored[key] {
                    earlier.duplicate = true
                    results.append(.success(earlier))
                    continue
                }
                let (entry, changes) = try prepare(request, ticket: ticket, files: &files, at: now)
                // Accepted: the ticket moves on in memory for the batch's next message to it.
                events += try SQLTicketRepository.apply(changes, to: ticket, actor: request.actor, at: now)
                if !touched.contains(entry.ticketID) { touched.append(entry.ticketID) }
                accepted.append(entry)
                if let settings = outboundMail, emailsCustomer(request, ticket: ticket, chatEnded: endedChats.contains(entry.ticketID)) {
                    outgoing.append(OutboundMailQueue.rows(.reply, ticketID: entry.ticketID, messageID: entry.message.id, settings: settings, at: now))
                }
                var record = try SQLTicketRepository.record(entry.message)
                record.attachments = (entry.claimed + entry.created).map(SQLAttachmentRepository.record)
                if let key { stored[key] = record }
                results.append(.success(record))
            } catch let error as DomainError {
                results.append(.failure(error))
            } catch let error as RecordNotFound {
                results.append(.failure(error))
            }
        }
        guard !accepted.isEmpty else { return results }

        try await accepted.map(\.message).insert(on: tx)
        TouchedTickets.current?.add(accepted.map(\.message))
        try await TicketSearch.index(accepted.map { ($0.ticketID, $0.search) }, on: tx.sql())
        let mails = accepted.compactMap { entry in entry.mail.map { (entry, $0) } }
        try await mails.map { MailMessageModel($1, ticketID: $0.ticketID, messageID: $0.message.id, at: now) }.insert(on: tx)
        try await MailOriginals.insert(mails.map(\.1), at: now, on: tx.sql())
        try await accepted.flatMap(\.created).insert(on: tx)
        for file in accepted.flatMap(\.claimed) { try await file.update(on: tx) }
        try await CustomerFeed.number(events, on: tx.sql())
        try await TicketEventLog.append(events, on: tx)
        try await outgoing.map(\.mail).insert(on: tx)
        try await outgoing.map(\.job).insert(on: tx)
        try await SQLTicketRepository.save(touched.map { tickets.byID[$0]! }, on: tx.sql())
        return results
    }

    /// An agent's public reply on a ticket whose customer is answered by email: an email or form request, or a chat
    /// that has ended (the conversation goes on by email).
    private func emailsCustomer(_ request: MessageAppend, ticket: TicketModel, chatEnded: Bool) -> Bool {
        request.actor.kind == .agent && request.message.visibility == .public && ((Channel(rawValue: ticket.channel)?.repliesByEmail ?? false) || chatEnded)
    }

    /// The chat tickets an agent answers publicly in this batch whose chat has ended (a customer's chat line never
    /// asks: it is not mailed).
    private static func endedChats(_ requests: [MessageAppend], tickets: Tickets, on tx: any Database) async throws -> Set<UUID> {
        let chats = requests.filter { $0.actor.kind == .agent && $0.message.visibility == .public }
            .compactMap { try? ticket($0.ticket, in: tickets) }.filter { $0.channel == Channel.chat.rawValue }.compactMap(\.id)
        guard !chats.isEmpty else { return [] }
        let rows = try await tx.sql().raw("SELECT ticket_id FROM chats WHERE ticket_id IN (\(binds: chats)) AND ended_at IS NOT NULL").all()
        return Set(try rows.map { try $0.decode(column: "ticket_id", as: UUID.self) })
    }

    /// Checks one request against its ticket as it stands in the batch, and builds its rows and changes.
    private func prepare(
        _ request: MessageAppend, ticket: TicketModel, files: inout [UUID: AttachmentModel], at now: Date
    ) throws -> (Accepted, [TicketChange]) {
        let (message, actor) = (request.message, request.actor)
        let state = SQLTicketRepository.state(of: ticket)
        if state.status == .closed { throw DomainError.ticketClosed }
        // A customer attaches only files they uploaded themselves (a contact without an id has none).
        let uploader = actor.kind == .contact ? actor.id.flatMap(UUID.init(uuidString:)) ?? UUID() : nil
        let usable = SQLTicketRepository.usableFiles(files, uploader: uploader)
        let problems = SQLTicketRepository.attachmentProblems(message.attachmentIDs, usable: usable)
        guard problems.isEmpty else { throw DomainError.invalid(problems) }
        let model = try MessageModel(
            ticket: ticket, author: actor, visibility: message.visibility, body: message.body, seq: ticket.lastEventSeq + 1,
            attachmentCount: message.attachmentIDs.count + message.newAttachments.count, at: now)
        model.language = message.language
        model.clientID = message.clientID
        var changes: [TicketChange] = [.messageAdded(messageID: model.id!.uuidString, author: actor, visibility: message.visibility)]
        // An explicit status wins over the automatic one ("reply and set pending").
        if let requested = message.status {
            changes += try state.changes(applying: TicketPatch(status: requested))
        } else if message.movesStatus, let automatic = state.statusAfterMessage(by: actor.kind, visibility: message.visibility) {
            changes.append(.statusChanged(from: state.status, to: automatic))
        }
        // A customer's message with risk raises the ticket's risk, and a critical one its priority.
        if let risk = message.risk, risk.level != .none, actor.kind == .contact {
            model.record(risk)
            changes.append(.riskDetected(messageID: model.id!.uuidString, level: risk.level, harms: risk.harms))
            if risk.level > (RiskLevel(rawValue: ticket.riskLevel) ?? .none) { ticket.riskLevel = risk.level.rawValue }
            let harms = JSONList.decode(ticket.harms)
            ticket.harms = JSONList.encode(harms + risk.harms.map(\.rawValue).filter { !harms.contains($0) })
            if let escalation = state.escalation(for: risk.level) { changes.append(escalation) }
        }
        // Claimed only now that nothing can refuse the request: a refused one leaves its files for others.
        let claimed = message.attachmentIDs.compactMap { files.removeValue(forKey: $0) }
        for file in claimed {
            file.messageID = model.id
            file.ticketID = ticket.id
        }
        let created = message.newAttachments.map { AttachmentModel($0, at: now, message: model.id, ticket: ticket.id) }
        model.attachmentCount = claimed.count + created.count
        return (Accepted(message: model, mail: message.mail, created: created, claimed: claimed, ticketID: try ticket.requireID(), search: request.search), changes)
    }

    private struct ClientKey: Hashable {
        var ticket: UUID
        var clientID: String
    }

    /// Messages already stored under the client ids the batch names, by ticket and id.
    private static func storedByClientID(_ requests: [MessageAppend], tickets: Tickets, on tx: any Database) async throws -> [ClientKey: MessageRecord] {
        let clientIDs = Set(requests.compactMap(\.message.clientID))
        guard !clientIDs.isEmpty else { return [:] }
        let ticketIDs = Array(tickets.byID.keys)
        let found = try await SQLTicketRepository.messages(
            where: "m.ticket_id IN (\(binds: ticketIDs)) AND m.client_id IN (\(binds: Array(clientIDs)))", on: tx.sql())
        var stored: [ClientKey: MessageRecord] = [:]
        for message in found { if let id = message.clientID { stored[ClientKey(ticket: message.ticketID, clientID: id)] = message } }
        return stored
    }

    private struct Tickets {
        var byID: [UUID: TicketModel] = [:]
        var byNumber: [Int: TicketModel] = [:]
    }

    /// Every ticket the batch names, in one query.
    private static func tickets(_ refs: [TicketRef], on tx: any Database) async throws -> Tickets {
        var ids: [UUID] = [], numbers: [Int] = []
        for ref in refs {
            switch ref {
            case .id(let id): ids.append(id)
            case .number(let number): numbers.append(number)
            }
        }
        var which: [SQLQueryString] = []
        if !ids.isEmpty { which.append("id IN (\(binds: ids))") }
        if !numbers.isEmpty { which.append("number IN (\(binds: numbers))") }
        guard !which.isEmpty else { return Tickets() }
        let found = try await tx.sql().raw("SELECT * FROM tickets WHERE " + which.joined(separator: " OR ")).all().map(TicketModel.read)
        var tickets = Tickets()
        for ticket in found {
            tickets.byID[ticket.id!] = ticket
            tickets.byNumber[ticket.number] = ticket
        }
        return tickets
    }

    private static func ticket(_ ref: TicketRef, in tickets: Tickets) throws -> TicketModel {
        let found = switch ref {
        case .id(let id): tickets.byID[id]
        case .number(let number): tickets.byNumber[number]
        }
        guard let found else { throw RecordNotFound(kind: "ticket", reference: ref.description) }
        return found
    }
}
