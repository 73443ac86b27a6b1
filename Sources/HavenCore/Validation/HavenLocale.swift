/// The four languages Haven speaks: the workspace's, the contact form's and chat's, system mails' and canned
/// responses'.
public enum HavenLocale {
    public static let all = ["en", "pt-BR", "ar", "fr"]

    /// One of `all` for a language tag (a contact's locale, a ticket's language): pt-BR for any Portuguese, the
    /// language itself when Haven has it ("ar-EG" → ar), else English.
    public static func closest(to tag: String?) -> String {
        let language = (tag ?? "en").lowercased().split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map(String.init) ?? "en"
        switch language {
        case "pt": return "pt-BR"
        case "ar", "fr": return language
        default: return "en"
        }
    }
}
