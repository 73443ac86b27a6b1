import Foundation
import HavenCore

/// The frame around every signed-in page: who is signed in, presence, language, sign-out, shortcuts.
enum WorkspaceLayout {
    static func render(title: String, content: String, context: AppRequestContext, notice: String? = nil, problem: String? = nil, inInbox: Bool = false,
                       inAdmin: Bool = false)
        -> String
    {
        let locale = context.locale
        let agent = context.agent
        let presence = context.presence
        let values: [String: Any] = [
            "lang": locale, "dir": WorkspaceStrings.direction(locale), "t": WorkspaceStrings.mustache(locale), "head": WorkspacePage.head,
            "title": title, "content": content, "csrf": context.webSession?.csrfToken ?? "", "inInbox": inInbox, "inAdmin": inAdmin,
            "isAdmin": agent?.has(.admin) == true, "changes": context.changesMark,
            "agentName": agent?.name ?? "", "signedInAs": WorkspaceStrings.text("nav.signed_in_as", locale, agent?.email ?? ""),
            "locales": WorkspaceStrings.locales.map { ["code": $0, "name": WorkspaceStrings.names[$0]!, "current": $0 == locale] },
            "presences": Presence.allCases.map { ["value": $0.rawValue, "label": WorkspaceStrings.text("presence." + $0.rawValue, locale), "selected": $0 == presence] },
            "notice": notice ?? false, "problem": problem ?? false,
            "exposure": context.exposure.map { ["text": WorkspaceStrings.text("wellbeing.counter", locale, WorkspaceStrings.number($0.day.total, locale))] } ?? false,
            "breakDue": context.exposure.flatMap { $0.breakDue ? WorkspaceStrings.text("wellbeing.break_text", locale, WorkspaceStrings.number($0.criticalSinceBreak, locale)) : nil } ?? false,
            "hasOffers": !context.offers.isEmpty,
            "offers": context.offers.map { offer in
                [
                    "number": offer.number, "subject": offer.subject, "language": offer.language ?? false,
                    "channel": WorkspaceStrings.text("channel." + offer.channel.rawValue, locale),
                    "iso": TicketSummaryView.iso(offer.expiresAt), "until": WorkspaceStrings.date(offer.expiresAt, locale),
                ] as [String: Any]
            },
        ]
        return WorkspacePage.layout.render(values)
    }
}
