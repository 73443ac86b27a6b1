import Foundation
import Hummingbird
import Mustache

/// The agent workspace's pages, rendered on the server; `workspace.js` adds shortcuts and local times but every
/// page works without it.
enum WorkspacePage {
    /// No inline script or style is allowed: an injected `<script>` in a customer's message could not run.
    static let securityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .init("Content-Security-Policy")!: securityPolicy, .init("X-Content-Type-Options")!: "nosniff",
                .init("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303 See Other: after a form, the browser loads the page with GET (reloading it sends nothing twice).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static let head = """
        <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <link rel="stylesheet" href="/assets/workspace.css"><script type="module" src="/assets/workspace.js"></script>
        """

    static let layout = try! MustacheTemplate(string: """
        <!DOCTYPE html>
        <html lang="{{lang}}" dir="{{dir}}">
        <head>{{{head}}}<title>{{title}} · Haven</title></head>
        <body>
        <a class="skip" href="#content">{{t.nav_skip}}</a>
        <header class="top" data-changes="{{changes}}">
        <a class="brand" href="/inbox">Haven</a>
        <nav aria-label="{{t.nav_main}}"><a href="/inbox"{{#inInbox}} aria-current="page"{{/inInbox}}>{{t.nav_inbox}}</a>{{#isAdmin}} <a href="/admin" id="nav-admin"{{#inAdmin}} aria-current="page"{{/inAdmin}}>{{t.nav_admin}}</a>{{/isAdmin}}</nav>
        <form method="post" action="/assignments/next" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="get-next" data-key="n">{{t.inbox_get_next}}</button></form>
        <form method="post" action="/settings/presence" class="inline presence"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="presence-select">{{t.nav_presence}}</label>
        <select id="presence-select" name="presence" data-autosubmit>{{#presences}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/presences}}</select>
        <button type="submit" class="js-hide">{{t.nav_save_language}}</button></form>
        {{#exposure}}<a href="/wellbeing" id="exposure" class="exposure" data-label="{{t.wellbeing_counter}}">{{text}}</a>{{/exposure}}
        <details class="account"><summary>{{agentName}}</summary>
        <div class="menu">
        <p>{{signedInAs}}</p>
        <form method="post" action="/settings/language"><input type="hidden" name="csrf" value="{{csrf}}">
        <label for="locale-select">{{t.nav_language}}</label>
        <select id="locale-select" name="locale">{{#locales}}<option value="{{code}}" lang="{{code}}"{{#current}} selected{{/current}}>{{name}}</option>{{/locales}}</select>
        <button type="submit">{{t.nav_save_language}}</button></form>
        <form method="post" action="/logout"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="sign-out">{{t.nav_sign_out}}</button></form>
        <form method="post" action="/logout/everywhere"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.nav_sign_out_everywhere}}</button></form>
        <p class="hint">{{t.nav_shortcuts}}</p>
        </div></details>
        </header>
        <div id="live-region">
        {{#hasOffers}}<section class="offers" aria-labelledby="offers-title"><h2 id="offers-title">{{t.offers_title}}</h2><ul>
        {{#offers}}<li><a href="/tickets/{{number}}"><span class="num">#{{number}}</span> <span dir="auto"{{#language}} lang="{{language}}"{{/language}}>{{subject}}</span></a>
        <span class="hint">{{channel}}{{#language}} · {{language}}{{/language}} · {{t.offers_until}} <time datetime="{{iso}}">{{until}}</time></span>
        <form method="post" action="/tickets/{{number}}/offer/accept" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="accept-offer">{{t.offers_accept}}</button></form>
        <form method="post" action="/tickets/{{number}}/offer/decline" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">{{t.offers_decline}}</button></form></li>{{/offers}}
        </ul></section>{{/hasOffers}}
        {{#breakDue}}<section class="break-prompt" role="status" aria-labelledby="break-title"><h2 id="break-title">{{t.wellbeing_break_title}}</h2><p>{{breakDue}}</p>
        <form method="post" action="/wellbeing/break" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="take-break">{{t.wellbeing_take_break}}</button></form>
        <form method="post" action="/wellbeing/later" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="break-later">{{t.wellbeing_later}}</button></form></section>{{/breakDue}}
        </div>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#problem}}<div class="problem" role="alert"><p>{{problem}}</p></div>{{/problem}}
        <main id="content" tabindex="-1">{{{content}}}</main>
        <dialog id="shortcuts" aria-labelledby="shortcuts-title">
        <h2 id="shortcuts-title">{{t.shortcuts_title}}</h2>
        <dl>
        <dt><kbd>n</kbd></dt><dd>{{t.shortcuts_next}}</dd>
        <dt><kbd>g</kbd> <kbd>i</kbd></dt><dd>{{t.shortcuts_inbox}}</dd>
        <dt><kbd>/</kbd></dt><dd>{{t.shortcuts_search}}</dd>
        <dt><kbd>r</kbd></dt><dd>{{t.shortcuts_reply}}</dd>
        <dt><kbd>i</kbd></dt><dd>{{t.shortcuts_note}}</dd>
        <dt><kbd>a</kbd></dt><dd>{{t.shortcuts_take}}</dd>
        <dt><kbd>[</kbd> <kbd>]</kbd></dt><dd>{{t.shortcuts_switch}}</dd>
        <dt><kbd>Ctrl</kbd> + <kbd>Enter</kbd></dt><dd>{{t.reply_send}}</dd>
        <dt><kbd>Ctrl</kbd> + <kbd>Shift</kbd> + <kbd>Enter</kbd></dt><dd>{{t.shortcuts_solve}}</dd>
        <dt><kbd>?</kbd></dt><dd>{{t.shortcuts_help}}</dd>
        </dl>
        <form method="dialog"><button type="submit">{{t.shortcuts_close}}</button></form>
        </dialog>
        </body></html>
        """)

    static let wellbeing = try! MustacheTemplate(string: """
        <div class="wellbeing">
        <h1>{{t.wellbeing_title}}</h1>
        <p>{{t.wellbeing_private}}</p>
        <table class="exposure-table">
        <thead><tr><th scope="col">{{t.wellbeing_what}}</th><th scope="col">{{t.wellbeing_day}}</th><th scope="col">{{t.wellbeing_week}}</th></tr></thead>
        <tbody>
        <tr><th scope="row">{{t.wellbeing_reveals}}</th><td id="reveals-day">{{day.reveals}}</td><td id="reveals-week">{{week.reveals}}</td></tr>
        <tr><th scope="row">{{t.wellbeing_risky_tickets}}</th><td id="risky-day">{{day.risky}}</td><td id="risky-week">{{week.risky}}</td></tr>
        </tbody></table>
        <p>{{sinceBreak}}</p>
        <p class="hint">{{policy}}</p>
        {{#away}}<p class="notice">{{t.wellbeing_on_break}}</p>{{/away}}
        {{^away}}<form method="post" action="/wellbeing/break"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="wellbeing-break">{{t.wellbeing_take_break}}</button></form>{{/away}}
        <p>{{t.wellbeing_support}}</p>
        </div>
        """)

    static let signIn = try! MustacheTemplate(string: """
        <!DOCTYPE html>
        <html lang="{{lang}}" dir="{{dir}}">
        <head>{{{head}}}<title>{{t.signin_title}} · Haven</title></head>
        <body class="signin">
        <main id="content">
        <nav aria-label="{{t.nav_language}}"><ul class="langs">{{#languages}}<li><a href="/login?lang={{code}}{{nextQuery}}" hreflang="{{code}}" lang="{{code}}"{{#current}} aria-current="page"{{/current}}>{{name}}</a></li>{{/languages}}</ul></nav>
        <h1>{{t.signin_title}}</h1>
        {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
        {{#problem}}<div class="problem" role="alert" id="errors"><p>{{problem}}</p></div>{{/problem}}
        <form method="post" action="/login" class="signin-form">
        <input type="hidden" name="login_token" value="{{token}}"><input type="hidden" name="next" value="{{next}}"><input type="hidden" name="lang" value="{{lang}}">
        <label for="email">{{t.signin_email}}</label>
        <input type="email" id="email" name="email" value="{{email}}" autocomplete="email" dir="ltr" required autofocus>
        <label for="password">{{t.signin_password}}</label>
        <input type="password" id="password" name="password" autocomplete="current-password" dir="ltr" required>
        <button type="submit">{{t.signin_submit}}</button>
        </form>
        </main></body></html>
        """)

    static let inbox = try! MustacheTemplate(string: """
        <div class="inbox">
        <aside class="views" aria-labelledby="views-title">
        <h2 id="views-title">{{t.inbox_views}}</h2>
        <ul>{{#views}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}><span>{{label}}</span> <span class="count">{{count}}</span></a></li>{{/views}}</ul>
        <h2 id="queues-title">{{t.inbox_queues}}</h2>
        <ul aria-labelledby="queues-title">{{#queues}}<li><a href="{{href}}"{{#current}} aria-current="page"{{/current}}><span>{{label}}</span> <span class="count">{{count}}</span></a></li>{{/queues}}</ul>
        </aside>
        <section class="list" aria-labelledby="list-title">
        <h1 id="list-title">{{heading}}</h1>
        {{#hasLoad}}<table class="chat-load" aria-label="{{t.chats_load}}"><thead><tr><th scope="col">{{t.chats_agent}}</th><th scope="col">{{t.nav_presence}}</th><th scope="col">{{t.chats_held}}</th></tr></thead><tbody>
        {{#load}}<tr{{#full}} class="full"{{/full}}><td>{{name}}</td><td>{{presence}}</td><td>{{held}}</td></tr>{{/load}}
        </tbody></table>{{/hasLoad}}
        <form method="get" action="/inbox" class="filters" role="search" aria-label="{{t.inbox_filters}}">
        <input type="hidden" name="view" value="{{view}}">{{#queue}}<input type="hidden" name="queue" value="{{queue}}">{{/queue}}
        <div class="field grow"><label for="q">{{t.filter_search}}</label><input type="search" id="q" name="q" value="{{q}}" dir="auto" data-key="/"></div>
        {{#selects}}<div class="field"><label for="f-{{name}}">{{label}}</label><select id="f-{{name}}" name="{{name}}">{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}</select></div>{{/selects}}
        <button type="submit">{{t.filter_apply}}</button>
        </form>
        <div id="inbox-results">
        {{#hasTickets}}
        <table class="tickets">
        <thead><tr><th scope="col">{{t.col_priority}}</th><th scope="col">{{t.col_ticket}}</th><th scope="col">{{t.col_requester}}</th><th scope="col">{{t.col_status}}</th><th scope="col">{{t.col_channel}}</th><th scope="col">{{t.col_language}}</th><th scope="col">{{t.col_queue}}</th><th scope="col">{{t.col_assignee}}</th><th scope="col">{{t.col_sla}}</th><th scope="col">{{t.col_updated}}</th></tr></thead>
        <tbody>
        {{#tickets}}<tr class="risk-{{risk}}">
        <td><span class="prio prio-{{priority}}">{{priorityLabel}}</span></td>
        <td class="subject"><a href="/tickets/{{number}}"><span class="num">#{{number}}</span> <span dir="auto"{{#language}} lang="{{language}}"{{/language}}>{{subject}}</span></a>{{#riskLabel}} <span class="risk risk-{{risk}}">{{riskLabel}}</span>{{/riskLabel}}</td>
        <td dir="auto">{{requester}}</td><td>{{statusLabel}}</td><td>{{channelLabel}}</td><td>{{language}}</td><td>{{queueName}}</td><td>{{assignee}}</td>
        <td>{{#sla}}<time datetime="{{iso}}" class="sla sla-{{state}}">{{text}}</time>{{/sla}}</td>
        <td><time datetime="{{updatedISO}}">{{updated}}</time></td>
        </tr>{{/tickets}}
        </tbody></table>
        {{/hasTickets}}
        {{^hasTickets}}<p class="empty">{{t.inbox_empty}}</p>{{/hasTickets}}
        <nav class="pages" aria-label="{{pageLabel}}">{{#previous}}<a href="{{previous}}" rel="prev">{{t.inbox_previous}}</a>{{/previous}} {{#next}}<a href="{{next}}" rel="next">{{t.inbox_next}}</a>{{/next}}</nav>
        </div>
        </section>
        </div>
        """)
}
