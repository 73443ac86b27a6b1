import Foundation
@testable import HavenStorage
import Testing

/// What travels between nodes in `pg_notify` comes back as it was sent, and anything else is dropped, not guessed at.
@Suite struct TicketNoticeTests {
    let node = UUID()
    let tickets = [UUID(), UUID()]

    @Test func noticesSurviveTheWire() {
        let changed = TicketNotice.changed(tickets)
        #expect(TicketNotice.read(changed.wire(node: node))?.notice == changed)
        // A body may hold spaces (JSON, a chat frame after the sender's connection id); the topic says who listens.
        for topic in [SignalTopic.chat, .presence] {
            let signal = TicketNotice.signal(ticket: tickets[0], topic: topic, body: #"c1 {"type":"typing","name":"Ana Lima"}"#)
            let read = TicketNotice.read(signal.wire(node: node))
            #expect(read?.node == node && read?.notice == signal)
        }
    }

    @Test func strangePayloadsAreDropped() {
        for payload in ["", "hello", "\(node) x \(tickets[0])", "\(node) s \(tickets[0]) nosuchtopic {}", "\(node) s not-a-ticket chat {}"] {
            #expect(TicketNotice.read(payload) == nil, "\(payload)")
        }
    }
}
