import Mustache

extension WorkspacePage {
    static let ticket = try! MustacheTemplate(string: """
        <div class="ticket-page" data-ticket="{{number}}" data-ticket-id="{{id}}"{{#chat}} data-chat{{/chat}}>
        <p class="back"><a href="/inbox">{{t.ticket_back}}</a></p>
        <p id="collision" class="collision" role="status" aria-live="polite" data-viewing="{{t.live_viewing}}" data-typing="{{t.live_typing}}"></p>
        <p id="stale" class="notice" role="status" hidden>{{t.live_changed}} <a href="/tickets/{{number}}">{{t.live_reload}}</a></p>
        <header class="ticket-head">
        <h1><span class="num">#{{number}}</span> <span dir="auto"{{#language}} lang="{{language}}"{{/language}}>{{subject}}</span></h1>
        <p class="badges"><span class="status status-{{status}}">{{statusLabel}}</span> <span class="prio prio-{{priority}}">{{priorityLabel}}</span>{{#riskLabel}} <span class="risk risk-{{risk}}">{{riskLabel}}</span>{{/riskLabel}} <span>{{channelLabel}}</span> <span>{{{createdHTML}}}</span></p>
        </header>
        <div id="mine-list">{{#hasMine}}<nav class="mine" aria-label="{{t.ticket_mine}}"><ul>{{#mine_list}}<li><a href="/tickets/{{number}}"{{#current}} aria-current="page"{{/current}}><span class="prio prio-{{priority}}">{{priorityLabel}}</span> #{{number}} <span dir="auto">{{subject}}</span></a></li>{{/mine_list}}</ul></nav>{{/hasMine}}</div>
        <div class="columns">
        <section class="conversation" aria-labelledby="conversation-title">
        <h2 id="conversation-title">{{t.ticket_conversation}}</h2>
        <ol class="timeline">
        {{#messages}}<li class="message from-{{kind}}{{#internal}} internal{{/internal}}">
        <article aria-labelledby="m-{{id}}">
        <header id="m-{{id}}"><strong>{{author}}</strong>{{#internal}} <span class="tag-internal">{{t.ticket_internal}}</span>{{/internal}} <time datetime="{{iso}}">{{time}}</time>{{#languageText}} <span class="lang">{{languageText}}</span>{{/languageText}}</header>
        <div class="body" dir="{{dir}}"{{#language}} lang="{{language}}"{{/language}}>{{body}}</div>
        {{#hasAttachments}}<ul class="files" aria-label="{{t.ticket_attachments}}">{{#attachments}}<li id="file-{{id}}"{{#media}} class="media{{#shielded}} shielded{{/shielded}}"{{/media}}>
        {{#media}}<div class="frame">{{#image}}<img src="/attachments/{{id}}" alt="{{name}}" tabindex="-1">{{/image}}{{#video}}<video src="/attachments/{{id}}" controls preload="metadata"{{#muted}} muted{{/muted}} aria-label="{{name}}"></video>{{/video}}
        {{#shielded}}<form method="post" action="/attachments/{{id}}/reveal" class="reveal"><input type="hidden" name="csrf" value="{{csrf}}"><p>{{t.media_shielded}}</p><button type="submit">{{t.media_reveal}}</button></form>{{/shielded}}</div>{{/media}}
        <a href="/attachments/{{id}}" class="download">{{name}}</a> <span class="hint">{{type}}</span></li>{{/attachments}}</ul>{{/hasAttachments}}
        </article></li>{{/messages}}
        </ol>
        {{#chat}}<div id="chat-live" class="chat-live" data-ticket="{{number}}" data-after="{{after}}" data-typing="{{t.chat_customer_typing}}" data-agent-typing="{{t.chat_typing}}" data-seen="{{t.chat_seen}}" data-reconnecting="{{t.chat_reconnecting}}" data-ended="{{t.chat_ended}}" data-agent="{{t.ticket_agent}}" data-customer="{{t.ticket_customer}}" data-files="{{t.ticket_attachments}}"{{#ended}} data-closed{{/ended}}>
        <p class="chat-state" role="status" aria-live="polite">{{#ended}}{{t.chat_ended}}{{/ended}}</p>
        {{^ended}}<form method="post" action="/tickets/{{number}}/chat/end" class="inline" id="end-chat-form"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="end-chat">{{t.chat_end}}</button></form>{{/ended}}
        </div>{{/chat}}
        <form method="post" action="/tickets/{{number}}/reply" class="reply" id="reply-form" aria-labelledby="reply-title" enctype="multipart/form-data">
        <h2 id="reply-title">{{t.reply_title}}</h2>
        <input type="hidden" name="csrf" value="{{csrf}}">
        <fieldset><legend>{{t.reply_kind}}</legend>
        <label class="choice"><input type="radio" name="visibility" value="public" id="as-public" checked> {{t.reply_public}}</label>
        <label class="choice"><input type="radio" name="visibility" value="internal" id="as-internal"> {{t.reply_internal}}</label>
        </fieldset>
        <label for="reply-body">{{t.reply_body}}</label>
        <textarea id="reply-body" name="body" dir="auto"{{#language}} lang="{{language}}"{{/language}} required>{{draft}}</textarea>
        {{#hasCanned}}<div class="canned"><label for="canned">{{t.reply_canned}}</label>
        <select id="canned" name="canned"><option value="">{{t.reply_canned_choose}}</option>{{#canned}}<option value="{{id}}">{{label}}</option>{{/canned}}</select>
        <button type="submit" formaction="/tickets/{{number}}/canned" formnovalidate id="insert-canned" class="secondary">{{t.reply_canned_insert}}</button></div>{{/hasCanned}}
        <label for="reply-files">{{t.reply_files}}</label>
        <input type="file" id="reply-files" name="attachments" multiple>
        <label for="reply-status">{{t.reply_status}}</label>
        <select id="reply-status" name="status"><option value="">{{t.reply_keep}}</option>{{#replyStatuses}}<option value="{{value}}">{{label}}</option>{{/replyStatuses}}</select>
        <button type="submit" id="send">{{t.reply_send}}</button>
        </form>
        </section>
        <aside class="side">
        <section aria-labelledby="props-title" class="card">
        <h2 id="props-title">{{t.props_title}}</h2>
        {{^mine}}<form method="post" action="/tickets/{{number}}/take"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="take" data-key="a">{{t.props_take}}</button></form>{{/mine}}
        <form method="post" action="/tickets/{{number}}/update" class="props">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#selects}}<label for="p-{{name}}">{{label}}</label><select id="p-{{name}}" name="{{name}}">{{#options}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/options}}</select>{{/selects}}
        <label for="p-tags">{{t.props_tags}}</label><input type="text" id="p-tags" name="tags" value="{{tags}}">
        <button type="submit" id="save">{{t.props_save}}</button>
        </form>
        </section>
        <section aria-labelledby="triage-title" class="card triage">
        <h2 id="triage-title">{{t.triage_title}}</h2>
        <p><span class="risk risk-{{risk}}">{{riskText}}</span></p>
        {{#hasHarms}}<p><strong>{{t.triage_harms}}:</strong> {{harms}}</p>{{/hasHarms}}
        {{#hasSignals}}<p><strong>{{t.triage_signals}}:</strong></p><ul>{{#signals}}<li dir="auto">{{.}}</li>{{/signals}}</ul>{{/hasSignals}}
        {{#topic}}<p><strong>{{t.triage_topic}}:</strong> {{topic}}</p>{{/topic}}
        {{#routingReason}}<p><strong>{{t.triage_routing}}:</strong> <span lang="en" dir="ltr">{{routingReason}}</span></p>{{/routingReason}}
        {{#hasPriorityReasons}}<p><strong>{{t.triage_priority}}:</strong></p><ul lang="en" dir="ltr">{{#priorityReasons}}<li>{{.}}</li>{{/priorityReasons}}</ul>{{/hasPriorityReasons}}
        </section>
        {{#sla}}<section aria-labelledby="sla-title" class="card">
        <h2 id="sla-title">{{t.sla_title}}</h2>
        <p>{{policy}}</p>
        {{#due}}<p><span class="sla sla-{{state}}">{{stateLabel}}</span> {{{due}}}</p>{{/due}}
        </section>{{/sla}}
        <section aria-labelledby="contact-title" class="card contact">
        <h2 id="contact-title">{{t.contact_title}}</h2>
        <p><strong dir="auto">{{contact.name}}</strong></p>
        {{#contact.email}}<p dir="ltr" class="email">{{contact.email}}</p>{{/contact.email}}
        <dl>
        <dt>{{t.contact_kind}}</dt><dd>{{contact.kind}}</dd>
        {{#contact.tier}}<dt>{{t.contact_tier}}</dt><dd>{{contact.tier}}</dd>{{/contact.tier}}
        {{#contact.market}}<dt>{{t.contact_market}}</dt><dd>{{contact.market}}</dd>{{/contact.market}}
        {{#contact.locale}}<dt>{{t.contact_locale}}</dt><dd>{{contact.locale}}</dd>{{/contact.locale}}
        </dl>
        {{#repeatWarning}}<p class="warning" role="note">{{repeatWarning}}</p>{{/repeatWarning}}
        <h3>{{t.contact_history}}</h3>
        {{#hasHistory}}<ul class="history">{{#history}}<li><a href="/tickets/{{number}}">#{{number}}</a> <span dir="auto">{{subject}}</span> · {{statusLabel}} · <time datetime="{{iso}}">{{created}}</time></li>{{/history}}</ul>{{/hasHistory}}
        {{^hasHistory}}<p>{{t.contact_none}}</p>{{/hasHistory}}
        </section>
        {{#hasDetails}}<section aria-labelledby="details-title" class="card">
        <h2 id="details-title">{{t.details_title}}</h2>
        {{#live}}<p class="live">{{t.details_live}}</p>{{/live}}
        <dl>{{#details}}<dt>{{label}}</dt><dd dir="ltr">{{value}}</dd>{{/details}}</dl>
        </section>{{/hasDetails}}
        <section aria-labelledby="events-title" class="card">
        <details><summary><h2 id="events-title">{{t.events_title}}</h2></summary>
        <ol class="events">{{#events}}<li data-type="{{type}}"><time datetime="{{iso}}">{{time}}</time> <strong>{{label}}</strong>{{#detail}} <span dir="auto">{{detail}}</span>{{/detail}} · <span dir="auto">{{actor}}</span></li>{{/events}}</ol>
        </details>
        </section>
        </aside>
        </div>
        </div>
        """)
}
