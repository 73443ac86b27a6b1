import Foundation
import HavenCore
import Testing

/// Which text of a canned response a ticket gets, and what a response must have.
@Suite struct CannedResponseTests {
    let response = CannedResponse(id: UUID(), name: "Reset", texts: ["en": "Hello", "pt-BR": "Olá", "ar": "مرحبا"], updatedAt: Date())

    @Test func theCustomersLanguageFirstThenEnglish() {
        #expect(response.text(for: "pt-BR")?.text == "Olá")
        #expect(response.text(for: "pt")?.locale == "pt-BR")
        #expect(response.text(for: "ar-EG")?.text == "مرحبا")
        // Not written in French: English, and the caller learns it is English.
        #expect(response.text(for: "fr")?.locale == "en")
        #expect(response.text(for: nil)?.locale == "en")
        let arabicOnly = CannedResponse(id: UUID(), name: "x", texts: ["ar": "مرحبا"], updatedAt: Date())
        #expect(arabicOnly.text(for: "fr")?.locale == "ar")
    }

    @Test func aResponseNeedsANameAndATextInAKnownLanguage() throws {
        let clean = try CannedResponse.validated(name: "  Reset   link ", texts: ["en": " Hi \r\n", "fr": "   "])
        #expect(clean.name == "Reset link" && clean.texts == ["en": "Hi"])
        #expect(throws: DomainError.self) { try CannedResponse.validated(name: "", texts: ["en": "Hi"]) }
        #expect(throws: DomainError.self) { try CannedResponse.validated(name: "x", texts: ["en": "  "]) }
        do {
            _ = try CannedResponse.validated(name: "x", texts: ["es": "Hola", "en": "Hi"])
            Issue.record("Spanish was accepted")
        } catch let error {
            #expect(error.explanation == "'es' is not a language Haven writes in; use en, pt-BR, ar, fr.")
        }
    }
}
