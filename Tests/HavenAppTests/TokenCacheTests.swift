import Foundation
@testable import HavenApp
@testable import HavenStorage
import Testing

@Suite struct TokenCacheTests {
    let agent = AgentRecord(id: UUID(), email: "a@haven.test", name: "A", roles: [.agent], languages: ["en"], teamID: nil, active: true)

    @Test func entriesExpireAndCanBeForgotten() {
        let cache = TokenCache(ttl: 5)
        let start = Date()
        let tokenID = UUID()
        cache.remember("t1", agent: agent, tokenID: tokenID, now: start)
        #expect(cache.lookup("t1", now: start.addingTimeInterval(4))?.tokenID == tokenID)
        #expect(cache.lookup("t1", now: start.addingTimeInterval(6)) == nil)
        cache.remember("t1", agent: agent, tokenID: tokenID, now: start)
        cache.forget(tokenID: tokenID)
        #expect(cache.lookup("t1", now: start) == nil)
        #expect(cache.lookup("unknown", now: start) == nil)
    }

    @Test func staysWithinCapacity() {
        let cache = TokenCache(ttl: 5, capacity: 3)
        for index in 0..<10 { cache.remember("t\(index)", agent: agent, tokenID: UUID()) }
        let remembered = (0..<10).filter { cache.lookup("t\($0)") != nil }.count
        #expect(remembered <= 3 && remembered >= 1)
    }
}
