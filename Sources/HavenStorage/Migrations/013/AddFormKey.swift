import FluentKit
import Foundation
import SQLKit

/// The key that signs the web contact form's anti-forgery tokens: random per installation, shared by all nodes
/// (a form shown by one node is sent to another).
struct AddFormKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let key = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try await database.sql().raw("INSERT INTO settings (id, key, value) VALUES (\(bind: UUID()), 'form_key', \(bind: key))").run()
    }

    func revert(on database: any Database) async throws {
        try await database.sql().raw("DELETE FROM settings WHERE key = 'form_key'").run()
    }
}
