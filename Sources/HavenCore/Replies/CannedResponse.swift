import Foundation

/// A prepared answer agents insert into a reply, written once per language so the customer gets it in theirs.
public struct CannedResponse: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String
    /// Locale (en, pt-BR, ar, fr) → the text, a template with `{{customer_name}}`, `{{agent_name}}`,
    /// `{{ticket_number}}` and `{{subject}}`.
    public var texts: [String: String]
    public var updatedAt: Date

    public init(id: UUID, name: String, texts: [String: String], updatedAt: Date) {
        self.id = id
        self.name = name
        self.texts = texts
        self.updatedAt = updatedAt
    }

    /// The languages a text can be written in: the workspace's and the customers' four.
    public static let locales = HavenLocale.all
    public static let maxNameLength = 100
    public static let maxTextLength = 10_000

    /// The text for a ticket in this language: its own, else English, else any; with the locale chosen, so the
    /// agent sees when the customer's language is missing.
    public func text(for language: String?) -> (locale: String, text: String)? {
        let wanted = HavenLocale.closest(to: language)
        for locale in [wanted, "en"] + Self.locales {
            if let text = texts[locale] { return (locale, text) }
        }
        return nil
    }

    /// A new or edited response's name and texts, normalized, or every problem with them at once.
    public static func validated(name: String, texts: [String: String]) throws(DomainError) -> (name: String, texts: [String: String]) {
        var problems: [FieldProblem] = []
        let name = TextNormalizer.line(name)
        if name.isEmpty || name.count > maxNameLength {
            problems.append(FieldProblem(field: "name", problem: "Name the response in 1 to \(maxNameLength) characters."))
        }
        var clean: [String: String] = [:]
        for (locale, text) in texts {
            guard locales.contains(locale) else {
                problems.append(FieldProblem(field: "texts.\(locale)", problem: "'\(locale)' is not a language Haven writes in; use \(locales.joined(separator: ", "))."))
                continue
            }
            let body = TextNormalizer.body(text)
            if body.count > maxTextLength {
                problems.append(FieldProblem(field: "texts.\(locale)", problem: "The text is longer than \(maxTextLength) characters."))
            } else if !body.isEmpty {
                clean[locale] = body
            }
        }
        // Nothing usable, and no text refused for its own reason: say so (a refused text says why already).
        if clean.isEmpty && !problems.contains(where: { $0.field.hasPrefix("texts.") }) {
            problems.append(FieldProblem(field: "texts", problem: "Write the response in at least one language (\(locales.joined(separator: ", ")))."))
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return (name, clean)
    }
}
