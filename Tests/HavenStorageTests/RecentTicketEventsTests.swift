import Foundation
import HavenCore
@testable import HavenStorage
import Testing

/// A chat connection takes lines from what this node just committed only when nothing before them is missing and
/// nothing more must be read; otherwise it gets nil and reads the database.
@Suite struct RecentTicketEventsTests {
    let ticket = UUID()
    let at = Date(timeIntervalSince1970: 1_800_000_000)

    func line(_ seq: Int, from author: Actor = .contact("c1"), visibility: MessageVisibility = .public, files: Int = 0) -> RecentTicketEvents.Event {
        let id = UUID()
        return RecentTicketEvents.Event(
            seq: seq, change: .messageAdded(messageID: id.uuidString, author: author, visibility: visibility), at: at,
            message: RecentTicketEvents.Message(id: id, body: "line \(seq)", clientID: "m\(seq)", files: files))
    }

    func status(_ seq: Int) -> RecentTicketEvents.Event {
        RecentTicketEvents.Event(seq: seq, change: .statusChanged(from: .new, to: .open), at: at, message: nil)
    }

    @Test func givesTheRunAfterASeqOnlyWhenNoneIsMissing() {
        let recent = RecentTicketEvents()
        recent.add([ticket: [line(3), line(4)]])
        #expect(recent.after(2, ticket: ticket)?.map(\.seq) == [3, 4])
        #expect(recent.after(3, ticket: ticket)?.map(\.seq) == [4])
        // Seq 2 and before are not known here; nothing after 4 either; another ticket is unknown.
        #expect(recent.after(1, ticket: ticket) == nil)
        #expect(recent.after(4, ticket: ticket) == nil)
        #expect(recent.after(0, ticket: UUID()) == nil)
        // Seq 6 committed here before seq 5 (another node's, or a commit whose hand-off is still on its way): a gap.
        recent.add([ticket: [line(6)]])
        #expect(recent.after(3, ticket: ticket) == nil)
        #expect(recent.after(5, ticket: ticket)?.map(\.seq) == [6])
        recent.add([ticket: [line(5)]])
        #expect(recent.after(3, ticket: ticket)?.map(\.seq) == [4, 5, 6])
    }

    @Test func anotherNodesChangeIsReadFromTheDatabase() {
        let recent = RecentTicketEvents(), other = UUID()
        recent.add([ticket: [line(3), line(4)], other: [line(1)]])
        // Another node wrote after seq 4: the run 3–4 is no longer the end of the log.
        recent.forget([ticket])
        #expect(recent.after(2, ticket: ticket) == nil)
        #expect(recent.after(0, ticket: other)?.map(\.seq) == [1])
        // This node writes seq 6 after reading the other node's 5: 6 alone is known, so only a cursor at 5 takes it.
        recent.add([ticket: [line(6)]])
        #expect(recent.after(4, ticket: ticket) == nil)
        #expect(recent.after(5, ticket: ticket)?.map(\.seq) == [6])
    }

    @Test func keepsTheLatestPerTicketAndForgetsTheOldestTickets() {
        let recent = RecentTicketEvents()
        recent.add([ticket: (1...(RecentTicketEvents.perTicket + 8)).map { line($0) }])
        #expect(recent.after(8, ticket: ticket)?.count == RecentTicketEvents.perTicket)
        #expect(recent.after(7, ticket: ticket) == nil)
        for _ in 0..<RecentTicketEvents.tickets { recent.add([UUID(): [line(1)]]) }
        #expect(recent.after(8, ticket: ticket) == nil)
    }

    @Test func aPageFromCommittedLinesMatchesWhatTheDatabaseWouldShow() throws {
        let events = [line(5), status(6), line(7, visibility: .internal)]
        let customer = try #require(SQLChatRepository.recentPage(events, after: 4, for: .customer, limit: 100))
        // The customer sees their public line, not the internal note; the page runs through the last event.
        #expect(customer.entries.map(\.seq) == [5])
        #expect(customer.entries.first?.text == "line 5" && customer.entries.first?.clientID == "m5" && customer.entries.first?.from == .customer)
        #expect(customer.through == 7 && !customer.more)
        let agent = try #require(SQLChatRepository.recentPage(events, after: 4, for: .agent, limit: 100))
        #expect(agent.entries.map(\.seq) == [5, 7] && agent.entries.last?.internalNote == true)
    }

    @Test func whatNeedsTheDatabaseIsReadThere() {
        // An agent's name, files, an agent joining, a message without its text, more than a page, nothing known.
        let joined = RecentTicketEvents.Event(seq: 5, change: .assigneeChanged(from: nil, to: UUID().uuidString), at: at, message: nil)
        var bare = line(5)
        bare.message = nil
        for events in [[line(5, from: .agent("a1"))], [line(5, files: 1)], [joined], [bare]] {
            #expect(SQLChatRepository.recentPage(events, after: 4, for: .customer, limit: 100) == nil)
        }
        #expect(SQLChatRepository.recentPage([line(5), line(6)], after: 4, for: .customer, limit: 1) == nil)
        #expect(SQLChatRepository.recentPage(nil, after: 4, for: .customer, limit: 100) == nil)
        #expect(SQLChatRepository.recentPage([], after: 4, for: .customer, limit: 100) == nil)
    }
}
