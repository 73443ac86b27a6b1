import Foundation
import HavenCore
import Mustache

/// The contact form and its confirmation, rendered on the server: the form works with no JavaScript at all.
enum ContactFormPage {
    static let styles = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans Arabic",sans-serif;margin:0;background:#f6f6f7;color:#161823;line-height:1.5}
        main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}
        h1{font-size:1.5rem;margin:.5rem 0}
        nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:.75rem;padding:0;margin:0 0 1rem}
        nav a{color:#0b57d0}
        nav a[aria-current]{font-weight:700;color:#161823;text-decoration:none}
        label{display:block;font-weight:600;margin-block-start:1rem}
        .hint{color:#555;font-size:.9rem;margin:.25rem 0}
        input[type=text],input[type=email],select,textarea{box-sizing:border-box;width:100%;font:inherit;padding:.6rem;border:1px solid #8a8b91;border-radius:.4rem;background:#fff}
        textarea{min-height:9rem}
        [aria-invalid=true]{border-color:#b3261e;outline:1px solid #b3261e}
        .field-error{color:#b3261e;margin:.25rem 0}
        .errors{border:2px solid #b3261e;border-radius:.5rem;padding:.75rem 1rem;background:#fff}
        .errors h2{font-size:1rem;margin:0 0 .5rem}
        button{margin-block-start:1.5rem;font:inherit;font-weight:700;padding:.7rem 1.6rem;border:0;border-radius:.4rem;background:#fe2c55;color:#fff;cursor:pointer}
        button:focus-visible,a:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
        .hp{position:absolute;inset-inline-start:-10000px;width:1px;height:1px;overflow:hidden}
        .number{font-size:1.4rem;font-weight:700}
        """

    static let form = try! MustacheTemplate(string: """
        <!DOCTYPE html>
        <html lang="{{lang}}" dir="{{dir}}">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{t.title}}</title>
        <style>{{{styles}}}</style></head>
        <body><main>
        <nav aria-label="{{t.language}}"><ul>{{#languages}}<li><a href="/contact?lang={{code}}" hreflang="{{code}}" lang="{{code}}"{{#current}} aria-current="page"{{/current}}>{{name}}</a></li>{{/languages}}</ul></nav>
        <h1>{{t.title}}</h1>
        <p>{{t.intro}}</p>
        {{#hasErrors}}<div class="errors" role="alert" tabindex="-1" id="errors"><h2>{{t.errors_title}}</h2><ul>{{#errors}}<li>{{#field}}<a href="#{{field}}">{{message}}</a>{{/field}}{{^field}}{{message}}{{/field}}</li>{{/errors}}</ul></div>{{/hasErrors}}
        <form method="post" action="/contact?lang={{lang}}" enctype="multipart/form-data" novalidate>
        <input type="hidden" name="form_token" value="{{token}}">
        <label for="name">{{t.name}}</label>
        <input type="text" id="name" name="name" value="{{values.name}}" autocomplete="name" maxlength="200" required{{#invalid.name}} aria-invalid="true" aria-describedby="name-error"{{/invalid.name}}>
        {{#invalid.name}}<p class="field-error" id="name-error">{{invalid.name}}</p>{{/invalid.name}}
        <label for="email">{{t.email}}</label>
        <input type="email" id="email" name="email" value="{{values.email}}" autocomplete="email" dir="ltr" required{{#invalid.email}} aria-invalid="true" aria-describedby="email-error"{{/invalid.email}}>
        {{#invalid.email}}<p class="field-error" id="email-error">{{invalid.email}}</p>{{/invalid.email}}
        <label for="category">{{t.category}}</label>
        <select id="category" name="category" required{{#invalid.category}} aria-invalid="true" aria-describedby="category-error"{{/invalid.category}}>
        <option value="">{{t.choose}}</option>
        {{#categories}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/categories}}
        </select>
        {{#invalid.category}}<p class="field-error" id="category-error">{{invalid.category}}</p>{{/invalid.category}}
        <label for="description">{{t.description}}</label>
        <p class="hint" id="description-hint">{{t.description_hint}}</p>
        <textarea id="description" name="description" required aria-describedby="description-hint{{#invalid.description}} description-error{{/invalid.description}}"{{#invalid.description}} aria-invalid="true"{{/invalid.description}}>{{values.description}}</textarea>
        {{#invalid.description}}<p class="field-error" id="description-error">{{invalid.description}}</p>{{/invalid.description}}
        <label for="attachments">{{t.attachments}}</label>
        <p class="hint" id="attachments-hint">{{attachmentsHint}}</p>
        <input type="file" id="attachments" name="attachments" multiple accept="image/png,image/jpeg,image/gif,image/webp,image/heic,video/mp4,video/quicktime,video/webm" aria-describedby="attachments-hint{{#invalid.attachments}} attachments-error{{/invalid.attachments}}"{{#invalid.attachments}} aria-invalid="true"{{/invalid.attachments}}>
        {{#invalid.attachments}}<p class="field-error" id="attachments-error">{{invalid.attachments}}</p>{{/invalid.attachments}}
        <div class="hp" aria-hidden="true"><label for="hp_extra">{{t.honeypot}}</label><input type="text" id="hp_extra" name="hp_extra" tabindex="-1" autocomplete="off"></div>
        <button type="submit">{{t.send}}</button>
        </form>
        </main></body></html>
        """)

    static let sent = try! MustacheTemplate(string: """
        <!DOCTYPE html>
        <html lang="{{lang}}" dir="{{dir}}">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{t.sent_title}}</title>
        <style>{{{styles}}}</style></head>
        <body><main>
        <h1>{{t.sent_title}}</h1>
        <p class="number">{{number}}</p>
        <p>{{t.sent_email}}</p>
        <p><a href="/contact?lang={{lang}}">{{t.sent_again}}</a></p>
        </main></body></html>
        """)

    /// What the form shows: the chosen language, what was typed (kept on error: nothing is lost), and the problems.
    struct State {
        var locale: String
        var token: String
        var values: [String: String] = [:]
        /// Field → message; "" for a problem with the whole form.
        var errors: [(field: String, message: String)] = []
        var maxFileSize: String
    }

    static func render(_ state: State) -> String {
        let locale = state.locale
        var invalid: [String: String] = [:]
        for error in state.errors where !error.field.isEmpty && invalid[error.field] == nil { invalid[error.field] = error.message }
        let values: [String: Any] = [
            "lang": locale, "dir": ContactFormStrings.direction(locale), "t": strings(locale), "styles": styles, "token": state.token,
            "languages": ContactFormStrings.locales.map { ["code": $0, "name": ContactFormStrings.names[$0]!, "current": $0 == locale] },
            "categories": Topic.allCases.map { ["value": $0.rawValue, "label": ContactFormStrings.category($0, locale), "selected": state.values["category"] == $0.rawValue] },
            "values": state.values, "invalid": invalid, "hasErrors": !state.errors.isEmpty,
            "errors": state.errors.map { ["field": $0.field.isEmpty ? false : $0.field as Any, "message": $0.message] },
            "attachmentsHint": String(format: ContactFormStrings.text("attachments.hint", locale), state.maxFileSize),
        ]
        return form.render(values)
    }

    static func renderSent(locale: String, number: Int) -> String {
        return sent.render([
            "lang": locale, "dir": ContactFormStrings.direction(locale), "t": strings(locale), "styles": styles,
            "number": String(format: ContactFormStrings.text("sent.number", locale), "#\(number)"),
        ])
    }

    /// The page's words for Mustache, whose dotted names are paths: "errors.title" is `t.errors_title`.
    static func strings(_ locale: String) -> [String: String] {
        var strings: [String: String] = [:]
        for key in ContactFormStrings.table["en"]!.keys { strings[key.replacingOccurrences(of: ".", with: "_")] = ContactFormStrings.text(key, locale) }
        return strings
    }
}
