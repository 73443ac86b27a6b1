import FluentKit
import Foundation
import HavenCore
import SQLKit

struct MessageAppend: Sendable {
    var ticket: TicketRef
    var message: NewMessage
    var actor: Actor
}

/// Writes a batch of new messages (replies, notes, mail) in one transaction: the commit and its fsync are
/// shared, as for new tickets (`GroupCommit`). Messages are written one after the other, each reading its
/// ticket afresh, so two messages to one ticket in one batch get consecutive event numbers.
///
/// A request refused before anything of it is written (no such ticket, a closed ticket, a file already used,
/// a status it cannot move to) fails alone; the batch goes on.
struct MessageAppendWriter: Sendable {
    let now: @Sendable () -> Date

    func append(_ requests: [MessageAppend], on tx: any Database) async throws -> [Result<MessageRecord, any Error>] {
        var results: [Result<MessageRecord, any Error>] = []
        for request in requests {
            do {
                results.append(.success(try await append(request, on: tx)))
            } catch let error as DomainError {
                results.append(.failure(error))
            } catch let error as RecordNotFound {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Throws `DomainError` or `RecordNotFound` only before its first write.
    private func append(_ request: MessageAppend, on tx: any Database) async throws -> MessageRecord {
        let (message, actor) = (request.message, request.actor)
        guard let ticket = try await SQLTicketRepository.ticket(request.ticket, on: tx) else {
            throw RecordNotFound(kind: "ticket", reference: request.ticket.description)
        }
        let state = SQLTicketRepository.state(of: ticket)
        if state.status == .closed { throw DomainError.ticketClosed }
        let claimed = try await SQLTicketRepository.unclaimedAttachments(message.attachmentIDs, on: tx)
        let now = self.now()
        let model = try MessageModel(
            ticket: ticket, author: actor, visibility: message.visibility, body: message.body, seq: ticket.lastEventSeq + 1,
            attachmentCount: claimed.count + message.newAttachments.count, at: now)
        model.language = message.language
        var changes: [TicketChange] = [.messageAdded(messageID: model.id!.uuidString, author: actor, visibility: message.visibility)]
        // An explicit status wins over the automatic one ("reply and set pending").
        if let requested = message.status {
            changes += try state.changes(applying: TicketPatch(status: requested))
        } else if message.movesStatus, let automatic = state.statusAfterMessage(by: actor.kind, visibility: message.visibility) {
            changes.append(.statusChanged(from: state.status, to: automatic))
        }

        // Writes from here on.
        try await [model].insert(on: tx)
        if let mail = message.mail {
            try await [MailMessageModel(mail, ticketID: ticket.requireID(), messageID: model.id, at: now)].insert(on: tx)
            try await MailOriginals.insert([mail], at: now, on: tx.sql())
        }
        let created = message.newAttachments.map { AttachmentModel($0, at: now, message: model.id, ticket: ticket.id) }
        try await created.insert(on: tx)
        for attachment in claimed {
            attachment.messageID = model.id
            attachment.ticketID = ticket.id
            try await attachment.update(on: tx)
        }
        try await SQLTicketRepository.record(changes, on: ticket, actor: actor, at: now, tx: tx)
        // Everything the answer shows is in hand: no read-back after the commit.
        var record = try SQLTicketRepository.record(model)
        record.attachments = (claimed + created).map(SQLAttachmentRepository.record)
        return record
    }
}
