import ChainVerify
import EventModel
import Foundation
import Testing

/// docs/chain-format.md's worked example is what the trigger and the verifier really compute.
@Suite("docs/chain-format.md worked example", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct ChainFormatDocumentTests {
    /// The lines of the fenced block that follows `marker`.
    static func block(after marker: String) throws -> [String] {
        let doc = try String(contentsOf: TestEnvironment.file("docs/chain-format.md"), encoding: .utf8)
        let lines = doc.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: marker), "marker \(marker)")
        let open = try #require(lines[start...].firstIndex { $0.hasPrefix("```") })
        let close = try #require(lines[(open + 1)...].firstIndex { $0.hasPrefix("```") })
        return Array(lines[(open + 1)..<close])
    }

    @Test func theWorkedExampleMatchesTheTriggerAndTheSwiftEncoding() throws {
        let documentedHex = try Self.block(after: "<!-- worked-example:canonical -->").joined()
        let hashLine = try Self.block(after: "<!-- worked-example:hash -->").last ?? ""
        let documentedHash = hashLine.split(separator: "=").last.map { $0.trimmingCharacters(in: .whitespaces) }

        let db = try TestDatabase("doc")
        try db.exec(try String(contentsOf: TestEnvironment.file("samples/smoke.sql"), encoding: .utf8))
        let row = try db.query(
            """
            SELECT encode(events.canonical_bytes(e), 'hex'), encode(hash, 'hex'), encode(prev_hash, 'hex')
            FROM events.domain_events e JOIN public.orgs o ON o.id = e.org_id WHERE o.slug = 'smoke' AND seq = 1
            """, [])
        #expect(row.value(0, 0) == documentedHex)
        #expect(row.value(0, 1) == documentedHash)
        #expect(row.value(0, 2) == Digest32.zero.hex)

        // The Swift encoding of the documented values, independently of the server.
        let event = ChainEvent(
            orgID: UUID(uuidString: "5e0c0a1d-0000-4000-8000-00000000f020")!, seq: 1, eventType: "user.logged_in",
            aggregateType: "user", aggregateID: UUID(uuidString: "5e0c0a1d-0000-4000-8000-000000000001")!,
            actorID: UUID(uuidString: "5e0c0a1d-0000-4000-8000-000000000001")!,
            occurredAt: PostgresTimestamp(year: 2026, month: 5, day: 14, hour: 23, microsecond: 123_456)!,
            payloadJSON: #"{"ip": "203.0.113.7", "method": "password", "user_agent": "Playwright"}"#)
        #expect(Hex.encode(ChainFormatV1.canonicalBytes(of: event)) == documentedHex)
        #expect(event.occurredAt.microsecondsSince2000 == 832_114_800_123_456)
        let hash = try SHA256Hasher().hash(ChainFormatV1.hashInput(prevHash: .zero, event: event))
        #expect(hash.hex == documentedHash)
    }
}
