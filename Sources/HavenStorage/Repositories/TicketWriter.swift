import FluentKit
import Foundation
import HavenCore

/// A write to tickets that goes through group commit: a new ticket, or a new message on one.
enum TicketWrite: Sendable {
    case create(TicketCreation)
    case append(MessageAppend)
}

enum TicketWritten: Sendable {
    case ticket(TicketRecord)
    case message(MessageRecord)
}

/// The one queue of ticket writes: new tickets and new messages that arrive together are written in one
/// transaction, so under load a single commit (and one fsync) serves both, and SQLite's one writer is
/// never split between two half-full batches.
struct TicketWriter: Sendable {
    static let maxBatch = TicketCreationWriter.maxBatch

    let database: HavenDatabase
    let creations: TicketCreationWriter
    let appends: MessageAppendWriter

    init(database: HavenDatabase, now: @escaping @Sendable () -> Date, outboundMail: OutboundMailSettings?) {
        self.database = database
        creations = TicketCreationWriter(now: now, outboundMail: outboundMail)
        appends = MessageAppendWriter(now: now, outboundMail: outboundMail)
    }

    func write(_ requests: [TicketWrite]) async throws -> [Result<TicketWritten, any Error>] {
        var newTickets: [(index: Int, request: TicketCreation)] = []
        var newMessages: [(index: Int, request: MessageAppend)] = []
        for (index, request) in requests.enumerated() {
            switch request {
            case .create(let creation): newTickets.append((index, creation))
            case .append(let append): newMessages.append((index, append))
            }
        }
        let (tickets, messages) = (newTickets.map(\.request), newMessages.map(\.request))
        let (created, appended) = try await database.write { tx in
            // New tickets first: a message cannot name a ticket whose creation has not been answered yet.
            let created = tickets.isEmpty ? [] : try await creations.create(tickets, on: tx)
            let appended = messages.isEmpty ? [] : try await appends.append(messages, on: tx)
            return (created, appended)
        }
        var results = [Result<TicketWritten, any Error>?](repeating: nil, count: requests.count)
        for (entry, result) in zip(newTickets, created) { results[entry.index] = result.map(TicketWritten.ticket) }
        for (entry, result) in zip(newMessages, appended) { results[entry.index] = result.map(TicketWritten.message) }
        return results.map { $0! }
    }
}
