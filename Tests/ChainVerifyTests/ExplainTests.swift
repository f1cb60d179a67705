import ChainVerify
import EventModel
import Foundation
import Testing

/// `chain-audit explain` tells an intact row, a tampered one and a drifted trigger apart.
@Suite("chain-audit explain", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct ExplainTests {
    static let smoke = TestDatabase.smoke.id.lowercased

    static func smokeDatabase() throws -> TestDatabase {
        let db = try TestDatabase("explain")
        try db.exec(try String(contentsOf: TestEnvironment.file("samples/smoke.sql"), encoding: .utf8))
        return db
    }

    static func row(_ text: String) throws -> [String: Any] {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let rows = try #require(doc["rows"] as? [[String: Any]])
        try #require(rows.count == 1)
        return rows[0]
    }

    @Test func anIntactRowShowsTheDocumentedBytesAndHash() throws {
        let db = try Self.smokeDatabase()
        let text = try db.chainAudit(["explain", "--org", "smoke", "--seq", "1"])
        #expect(text.exitCode == 0, "\(text.allOutput)")
        #expect(
            text.stdout.contains(
                "      20  seq             00000008  0000000000000001\n"
                    + "                                    = 1\n"), "\(text.stdout)")
        #expect(text.stdout.contains("= 2026-05-14T23:00:00.123456Z (832114800123456 µs since 2000-01-01)"))
        #expect(text.stdout.contains("  186 bytes, identical to the verifier's"))
        #expect(
            text.stdout.contains(
                "prev_hash             0000000000000000000000000000000000000000000000000000000000000000  genesis"))
        #expect(text.stdout.contains("verdict: intact"))

        let json = try db.chainAudit(["explain", "--org", "smoke", "--seq", "1", "--format", "json"])
        #expect(json.exitCode == 0)
        let row = try Self.row(json.stdout)
        let documented = try ChainFormatDocumentTests.block(after: "<!-- worked-example:canonical -->").joined()
        #expect(row["canonical_hex"] as? String == documented)
        #expect(row["stored_hash"] as? String == "1f1cdf47273a29704fd81fe07b13df32058b619f20bc0926edefabe78c12791f")
        #expect(row["recomputed_hash"] as? String == row["stored_hash"] as? String)
        #expect((row["server"] as? [String: Any])?["identical"] as? Bool == true)
        #expect(row["content"] as? String == "intact")
        #expect(row["link"] as? String == "ok")
        #expect((row["fields"] as? [[String: Any]])?.map { $0["name"] as? String } == ChainFormatV1.hashedColumns)
    }

    @Test func aTamperedRowIsCalledTamperingNotDrift() throws {
        let db = try Self.smokeDatabase()
        try db.tamper(
            "UPDATE events.domain_events SET payload = '{\"role\": \"user\", \"text\": \"who are you\"}' "
                + "WHERE org_id = '\(Self.smoke)' AND seq = 3"
        )
        let verify = try db.chainAudit(["verify", "--org", "smoke"])
        #expect(verify.stdout.contains("error: content_mismatch at seq 3"))
        let text = try db.chainAudit(["explain", "--org", "smoke", "--seq", "3"])
        #expect(text.exitCode == 1)
        #expect(text.stdout.contains("identical to the verifier's"))
        #expect(text.stdout.contains("SHA-256(prev_hash || canonical): MISMATCH"))
        #expect(
            text.stdout.contains(
                "verdict: tampered (content_mismatch): the stored hash does not match bytes that both "
                    + "the verifier and the server function agree on"), "\(text.stdout)")
        #expect(text.stdout.contains("\"who are you\""))
        let row = try Self.row(
            try db.chainAudit(["explain", "--org", "smoke", "--seq", "3", "--format", "json"]).stdout)
        #expect(row["content"] as? String == "tampered")
        #expect(row["first_difference"] is NSNull)
        #expect(row["successor_links_here"] as? Bool == true)
    }

    @Test func aDriftedTriggerFunctionIsCalledCanonicalisationDrift() throws {
        let db = try Self.smokeDatabase()
        // A migration "simplifies" the function and drops jsonb's version byte: the trigger now hashes other bytes.
        try db.exec(
            """
            CREATE OR REPLACE FUNCTION events.canonical_bytes(
                org_id uuid, seq bigint, event_type text, aggregate_type text, aggregate_id uuid, actor_id uuid,
                occurred_at timestamptz, payload jsonb)
            RETURNS bytea LANGUAGE sql STABLE AS $$
                SELECT events.chain_v1_field(pg_catalog.uuid_send(org_id))
                    || events.chain_v1_field(pg_catalog.int8send(seq))
                    || events.chain_v1_field(pg_catalog.convert_to(event_type, 'UTF8'))
                    || events.chain_v1_field(pg_catalog.convert_to(aggregate_type, 'UTF8'))
                    || events.chain_v1_field(pg_catalog.uuid_send(aggregate_id))
                    || events.chain_v1_field(pg_catalog.uuid_send(actor_id))
                    || events.chain_v1_field(pg_catalog.timestamptz_send(occurred_at))
                    || events.chain_v1_field(pg_catalog.convert_to(payload::text, 'UTF8'))
            $$
            """)
        try db.event(TestDatabase.smoke, "user.logged_out", "user", UUID())
        let verify = try db.chainAudit(["verify", "--org", "smoke", "--format", "json"])
        #expect(try JSONReport(verify.stdout).findings.map { "\($0["code"]!)@\($0["seq"]!)" } == ["content_mismatch@6"])

        let drifted = try db.chainAudit(["explain", "--org", "smoke", "--seq", "6"])
        #expect(drifted.exitCode == 1)
        // payload's length word starts at 95 (20 + 12 + 19 + 8 + 20 + 4 + 12) and its last byte is 3 vs 2.
        #expect(
            drifted.stdout.contains(
                "they differ from the verifier's first at byte 98 (payload, its length word): "
                    + "verifier 03, server 02"), "\(drifted.stdout)")
        #expect(drifted.stdout.contains("SHA-256(prev_hash || server bytes): matches"))
        #expect(
            drifted.stdout.contains(
                "verdict: canonicalisation drift (content_mismatch): the verifier's bytes and the "
                    + "server function's bytes differ, and the stored hash is over the server's"))
        let row = try Self.row(
            try db.chainAudit(["explain", "--org", "smoke", "--seq", "6", "--format", "json"]).stdout)
        #expect(row["content"] as? String == "canonicalisation_drift")
        let difference = try #require(row["first_difference"] as? [String: Any])
        #expect(difference["field"] as? String == "payload")
        #expect((row["server"] as? [String: Any])?["hash"] as? String == row["stored_hash"] as? String)

        // A row written before the drift is intact, but the function no longer matches chain format v1.
        let older = try Self.row(
            try db.chainAudit(["explain", "--org", "smoke", "--seq", "5", "--format", "json"]).stdout)
        #expect(older["content"] as? String == "function_drift")
        #expect(older["recomputed_hash"] as? String == older["stored_hash"] as? String)
    }

    @Test func aRowRehashedInPlaceIsALinkBreakAtItsSuccessor() throws {
        let db = try Self.smokeDatabase()
        try db.tamper(
            """
            UPDATE events.domain_events SET event_type = 'agent.reply' WHERE org_id = '\(Self.smoke)' AND seq = 3;
            UPDATE events.domain_events e SET hash = public.digest(e.prev_hash || events.canonical_bytes(e), 'sha256')
            WHERE org_id = '\(Self.smoke)' AND seq = 3
            """)
        let rewritten = try db.chainAudit(["explain", "--org", "smoke", "--seq", "3"])
        #expect(rewritten.exitCode == 1)
        #expect(rewritten.stdout.contains("seq 4's prev_hash does NOT link to the stored hash"))
        #expect(rewritten.stdout.contains("this row was rewritten with its hash recomputed"))
        let next = try Self.row(
            try db.chainAudit(["explain", "--org", "smoke", "--seq", "4", "--format", "json"]).stdout)
        #expect(next["content"] as? String == "intact")
        #expect(next["link"] as? String == "mismatch")
    }

    @Test func repeatedSeqsAreEachExplained() throws {
        let db = try Self.smokeDatabase()
        try db.tamper(
            """
            ALTER TABLE events.domain_events DROP CONSTRAINT domain_events_org_id_seq_key;
            INSERT INTO events.domain_events (org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, payload,
                occurred_at, prev_hash, hash)
            SELECT org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at, prev_hash,
                   hash
            FROM events.domain_events WHERE org_id = '\(Self.smoke)' AND seq = 2
            """)
        let r = try db.chainAudit(["explain", "--org", "smoke", "--seq", "2"])
        #expect(r.exitCode == 0, "identical copies are each intact: \(r.allOutput)")
        #expect(r.stdout.contains("seq 2 in events.domain_events: 2 rows"))
        #expect(r.stdout.components(separatedBy: "verdict: intact").count == 3)
    }

    @Test(arguments: [
        (["explain", "--org", "smoke"], Int32(64), "name the event: --seq N"),
        (["explain", "--seq", "1"], Int32(64), "name the org: --org SLUG|UUID"),
        (["explain", "--org", "smoke", "--seq", "x"], Int32(64), "--seq needs a whole number, not 'x'"),
        (
            ["explain", "--org", "smoke", "--seq", "99"], Int32(2),
            "org smoke has no event at seq 99 in events.domain_events"
        ),
        (["explain", "--org", "nosuch", "--seq", "1"], Int32(2), "unknown org 'nosuch'"),
    ])
    func badRequestsAreOneLineWithTheirExitCode(_ arguments: [String], _ code: Int32, _ message: String) throws {
        let db = try Self.smokeDatabase()
        let r = try db.chainAudit(arguments)
        #expect(r.exitCode == code, "\(r.allOutput)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stdout.isEmpty)
    }
}
