import Foundation
import HavenCore
import HavenMail
import HavenStorage

/// What the ticket page shows, as Mustache values: a ticket with everything around it, in the agent's language.
struct TicketPageView {
    var ticket: TicketRecord
    var events: [TicketEventRecord]
    var history: [TicketRecord]
    var agents: [AgentRecord]
    var queues: [QueueRecord]
    /// The viewer's open tickets, for the side list.
    var mine: [TicketRecord]
    var viewer: AgentRecord
    var locale: String
    var csrf: String
    var draft: String?
    var now: Date
    /// The live chat, when the ticket is one.
    var chat: ChatConversationRecord? = nil
    /// Which pictures and videos are shown blurred and greyscale until the agent reveals them.
    var wellbeing = WellbeingPolicy()
    /// Files shown unshielded on this render (revealed without the page's script).
    var revealed: Set<UUID> = []
    /// Canned responses for the reply box, each marked with the language it would be inserted in.
    var canned: [CannedResponse] = []

    /// Other tickets in this many days make the requester a repeat contact.
    static let repeatWindow: TimeInterval = 7 * 24 * 3600

    func text(_ key: String) -> String { WorkspaceStrings.text(key, locale) }

    func values() -> [String: Any] {
        var values = TicketSummaryView.values(ticket, locale: locale)
        values["t"] = WorkspaceStrings.mustache(locale)
        values["csrf"] = csrf
        values["id"] = ticket.id.uuidString.lowercased()
        values["createdHTML"] = Self.sentence("ticket.created", date: ticket.createdAt, locale: locale)
        values["mine"] = ticket.assignee?.id == viewer.id
        values["messages"] = (ticket.messages ?? []).map(message)
        values["chat"] = chat.map { chat -> [String: Any] in
            // The console resumes after the last message on the page: anything newer arrives live.
            ["after": (ticket.messages ?? []).map(\.seq).max() ?? 0, "ended": chat.endedAt != nil]
        } ?? false
        values["draft"] = draft ?? ""
        let customerLocale = HavenLocale.closest(to: ticket.language ?? ticket.requester.locale)
        values["hasCanned"] = !canned.isEmpty
        values["canned"] = canned.compactMap { response -> [String: Any]? in
            guard let (locale, _) = response.text(for: customerLocale) else { return nil }
            // Not written in the customer's language: the agent sees which language they would insert.
            let label = locale == customerLocale ? response.name : "\(response.name) · \(WorkspaceStrings.names[locale] ?? locale)"
            return ["id": response.id.uuidString.lowercased(), "label": label]
        }
        values["replyStatuses"] = [TicketStatus.open, .pending, .onHold, .solved].map { ["value": $0.rawValue, "label": text("status." + $0.rawValue)] }
        values["selects"] = selects()
        values["tags"] = ticket.tags.joined(separator: ", ")
        values.merge(triage()) { $1 }
        values["sla"] = sla() ?? false
        values["contact"] = contact()
        let recent = history.filter { now.timeIntervalSince($0.createdAt) < Self.repeatWindow }.count
        values["repeatWarning"] = recent > 0 ? WorkspaceStrings.text("contact.repeat", locale, WorkspaceStrings.number(recent, locale)) : false
        values["hasHistory"] = !history.isEmpty
        values["history"] = history.map { TicketSummaryView.values($0, locale: locale) }
        let details = details()
        values["details"] = details
        values["live"] = ticket.details?.liveNow == true
        values["hasDetails"] = !details.isEmpty || ticket.details?.liveNow == true
        values["hasMine"] = !mine.isEmpty
        values["mine_list"] = mine.map { other -> [String: Any] in
            var values = TicketSummaryView.values(other, locale: locale)
            values["current"] = other.id == ticket.id
            return values
        }
        values["events"] = events.reversed().map { event -> [String: Any] in
            [
                "iso": TicketSummaryView.iso(event.createdAt), "time": WorkspaceStrings.date(event.createdAt, locale), "type": event.type,
                "label": text("event." + event.type), "detail": detail(event) ?? false, "actor": actorName(event.actor),
            ]
        }
        return values
    }

    /// A sentence around a date ("Due %@") as HTML, the date in a `<time>` that the page's script shows in local time.
    static func sentence(_ key: String, date: Date, locale: String) -> String {
        let time = "<time datetime=\"\(TicketSummaryView.iso(date))\">\(HTML.escape(WorkspaceStrings.date(date, locale)))</time>"
        return HTML.escape(WorkspaceStrings.text(key, locale)).replacingOccurrences(of: "%@", with: time)
    }

    private func message(_ message: MessageRecord) -> [String: Any] {
        let kind = message.author.kind.rawValue
        return [
            "id": message.id.uuidString.lowercased(), "kind": kind, "internal": message.visibility == .internal,
            "author": actorName(message.author), "iso": TicketSummaryView.iso(message.createdAt), "time": WorkspaceStrings.date(message.createdAt, locale),
            "language": message.language ?? false,
            "languageText": message.language.map { WorkspaceStrings.text("ticket.language", locale, $0) } ?? false,
            // Each message in its own direction: Arabic right to left inside an English page, and the reverse.
            "dir": message.language.map { $0.hasPrefix("ar") ? "rtl" : "ltr" } ?? "auto",
            "body": message.body,
            "hasAttachments": !message.attachments.isEmpty,
            "attachments": message.attachments.map(file),
        ]
    }

    /// A file as the page shows it: a picture or video inline, shielded on a risky ticket until revealed; anything
    /// else as a download link.
    private func file(_ attachment: AttachmentRecord) -> [String: Any] {
        let display = MediaDisplay(contentType: attachment.contentType)
        let risky = ticket.riskLevel >= wellbeing.shieldFrom
        return [
            "id": attachment.id.uuidString.lowercased(), "name": attachment.filename, "type": attachment.contentType,
            "media": display != .download, "image": display == .image, "video": display == .video,
            "shielded": wellbeing.shields(contentType: attachment.contentType, ticketRisk: ticket.riskLevel) && !revealed.contains(attachment.id),
            // Videos on risky tickets start muted, as well as blurred.
            "muted": risky,
        ]
    }

    /// What an event changed, in the agent's words, where a line can say it: "Open → Pending", "Bob Costa".
    private func detail(_ event: TicketEventRecord) -> String? {
        let arrow = WorkspaceStrings.direction(locale) == "rtl" ? " ← " : " → "
        func agent(_ id: String?) -> String {
            id.flatMap { id in agents.first { $0.id.uuidString.lowercased() == id.lowercased() }?.name } ?? text("props.unassigned")
        }
        func queue(_ slug: String?) -> String { slug.flatMap { slug in queues.first { $0.slug == slug }?.name ?? slug } ?? "—" }
        switch try? event.change() {
        case .statusChanged(let from, let to): return text("status." + from.rawValue) + arrow + text("status." + to.rawValue)
        case .priorityChanged(let from, let to): return text("priority." + from.rawValue) + arrow + text("priority." + to.rawValue)
        case .assigneeChanged(let from, let to): return agent(from) + arrow + agent(to)
        case .queueChanged(let from, let to): return queue(from) + arrow + queue(to)
        case .tagsChanged(_, let to): return to.joined(separator: ", ")
        case .riskDetected(_, let level, let harms), .riskCorrected(_, let level, _, let harms):
            return ([text("risk." + level.rawValue)] + harms.map { text("harm." + $0.rawValue) }).joined(separator: " · ")
        case .offered(let id, _, _), .offerEnded(let id, _): return agent(id)
        case .linked(_, let number, _): return "#\(number)"
        default: return nil
        }
    }

    private func actorName(_ actor: Actor) -> String {
        switch actor.kind {
        case .system: return text("ticket.system")
        case .contact: return ticket.requester.name ?? ticket.requester.email ?? text("ticket.customer")
        case .agent: return agents.first { $0.id.uuidString.lowercased() == actor.id?.lowercased() }?.name ?? text("ticket.agent")
        }
    }

    private func selects() -> [[String: Any]] {
        func options(_ items: [(String, String)], selected: String) -> [[String: Any]] {
            items.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == selected] }
        }
        let statuses = TicketStatus.allCases.map { ($0.rawValue, text("status." + $0.rawValue)) }
        let priorities = TicketPriority.allCases.map { ($0.rawValue, text("priority." + $0.rawValue)) }
        let queueItems = [("", "—")] + queues.map { ($0.slug, $0.name) }
        let agentItems = [("", text("props.unassigned"))] + agents.filter(\.active).map { ($0.id.uuidString.lowercased(), $0.name) }
        return [
            ["name": "status", "label": text("props.status"), "options": options(statuses, selected: ticket.status.rawValue)],
            ["name": "priority", "label": text("props.priority"), "options": options(priorities, selected: ticket.priority.rawValue)],
            ["name": "queue", "label": text("props.queue"), "options": options(queueItems, selected: ticket.queue?.slug ?? "")],
            ["name": "assignee", "label": text("props.assignee"), "options": options(agentItems, selected: ticket.assignee?.id.uuidString.lowercased() ?? "")],
        ]
    }

    private func triage() -> [String: Any] {
        let signals = (ticket.messages ?? []).compactMap(\.risk).flatMap(\.signals)
        return [
            "riskText": text("risk." + ticket.riskLevel.rawValue),
            "hasHarms": !ticket.harms.isEmpty, "harms": ticket.harms.map { text("harm." + $0.rawValue) }.joined(separator: ", "),
            "hasSignals": !signals.isEmpty, "signals": Array(Set(signals)).sorted(),
            "topic": (ticket.topic ?? ticket.suggestedTopic?.topic).map { ContactFormStrings.category($0, locale) } ?? false,
            "routingReason": ticket.routingReason ?? false,
            "hasPriorityReasons": !ticket.priorityReasons.isEmpty, "priorityReasons": ticket.priorityReasons,
        ]
    }

    private func sla() -> [String: Any]? {
        guard let sla = ticket.sla else { return nil }
        var values: [String: Any] = ["policy": WorkspaceStrings.text("sla.policy", locale, sla.policy), "due": false]
        if let due = sla.dueAt {
            let state = sla.state ?? .running
            values["due"] = Self.sentence("sla.due", date: due, locale: locale)
            values["state"] = state.rawValue
            values["stateLabel"] = text("sla." + state.rawValue)
        }
        return values
    }

    private func contact() -> [String: Any] {
        let requester = ticket.requester
        return [
            "name": requester.name ?? requester.email ?? requester.externalID ?? "", "email": requester.email ?? false,
            "kind": text("kind." + requester.kind.rawValue), "tier": requester.tier ?? false, "market": requester.market ?? false,
            "locale": requester.locale ?? false,
        ]
    }

    private func details() -> [[String: String]] {
        guard let details = ticket.details else { return [] }
        var rows: [(String, String?)] = [
            ("details.category", details.category.map { ContactFormStrings.category($0, locale) }), ("details.app", details.app),
        ]
        if let device = details.device {
            let parts = [device.model, device.os, device.appVersion.map { "v" + $0 }, device.network, device.region].compactMap { $0 }
            rows.append(("details.device", parts.isEmpty ? nil : parts.joined(separator: " · ")))
        }
        if let content = details.content {
            let parts = [("video", content.videoID), ("live", content.liveRoomID), ("comment", content.commentID), ("user", content.reportedUserID)]
                .compactMap { name, id in id.map { "\(name) \($0)" } }
            rows.append(("details.content", parts.isEmpty ? nil : parts.joined(separator: ", ")))
        }
        return rows.compactMap { key, value in value.map { ["label": text(key), "value": $0] } }
    }
}
