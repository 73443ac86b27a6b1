import Foundation
import HavenCore

/// The agent workspace's words in en, pt-BR, ar and fr (`Resources/workspace-strings.json`: each key with its four
/// languages side by side, so a new string is translated where it is added). Arabic is laid out right to left.
enum WorkspaceStrings {
    static let locales = ContactFormStrings.locales
    static let names = ContactFormStrings.names

    /// key → locale → text.
    static let table: [String: [String: String]] = {
        guard let url = Bundle.module.url(forResource: "workspace-strings", withExtension: "json"), let data = try? Data(contentsOf: url),
            let table = try? JSONDecoder().decode([String: [String: String]].self, from: data)
        else { fatalError("workspace-strings.json is missing from the bundle or malformed") }
        return table
    }()

    static func direction(_ locale: String) -> String { ContactFormStrings.direction(locale) }

    static func text(_ key: String, _ locale: String) -> String {
        table[key]?[locale] ?? table[key]?["en"] ?? key
    }

    /// A string with its `%@` filled in.
    static func text(_ key: String, _ locale: String, _ argument: String) -> String {
        text(key, locale).replacingOccurrences(of: "%@", with: argument)
    }

    /// Every string for Mustache, whose dotted names are paths: "nav.sign_out" is `t.nav_sign_out`.
    static func mustache(_ locale: String) -> [String: String] {
        cache[locale] ?? cache["en"]!
    }

    private static let cache: [String: [String: String]] = Dictionary(uniqueKeysWithValues: locales.map { locale in
        (locale, Dictionary(uniqueKeysWithValues: table.keys.map { ($0.replacingOccurrences(of: ".", with: "_"), text($0, locale)) }))
    })

    /// A date in the agent's language, in UTC; the page's script rewrites it into the browser's time zone.
    static func date(_ date: Date, _ locale: String) -> String {
        date.formatted(Date.FormatStyle(date: .abbreviated, time: .shortened, locale: foundationLocale(locale), timeZone: TimeZone(identifier: "UTC")!))
    }

    static func number(_ value: Int, _ locale: String) -> String {
        value.formatted(.number.locale(foundationLocale(locale)))
    }

    static func foundationLocale(_ locale: String) -> Locale { Locale(identifier: locale.replacingOccurrences(of: "-", with: "_")) }
}
