import ChainVerify
import EventModel
import Foundation
import Testing

/// samples/schema.sql and samples/smoke.sql behave as documented.
@Suite("Reference schema and samples", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct SchemaTests {
    static func sample(_ name: String) throws -> String {
        try String(contentsOf: TestEnvironment.file("samples/\(name)"), encoding: .utf8)
    }

    @Test func loadingTheSchemaTwiceIsHarmless() throws {
        let db = try TestDatabase("twice")
        let org = try db.makeOrg("before", events: 5)
        try db.exec(try Self.sample("schema.sql"))
        try db.exec(try Self.sample("schema.sql"))
        try db.insertEvents(org.id, count: 5)
        let report = try db.verify(org)
        #expect(report.status == .ok, "\(report.findingSummary)")
        #expect(report.eventsVerified == 10)
    }

    @Test(arguments: [
        "UPDATE events.domain_events SET event_type = 'x'",
        "DELETE FROM events.domain_events",
        "TRUNCATE events.domain_events",
    ])
    func theEventStoreIsAppendOnly(_ sql: String) throws {
        let db = try TestDatabase("appendonly")
        try db.makeOrg("org", events: 3)
        #expect { try db.exec(sql) } throws: { error in
            (error as? PostgresError)?.message.contains("append-only") == true
        }
        #expect(try db.scalar("SELECT count(*) FROM events.domain_events") == "3")
    }

    @Test func writerSuppliedChainColumnsAreOverridden() throws {
        let db = try TestDatabase("override")
        let org = try db.makeOrg("org", events: 2)
        try db.query(
            """
            INSERT INTO events.domain_events (org_id, seq, prev_hash, hash, event_type, aggregate_type, aggregate_id,
                                              occurred_at)
            VALUES ($1::uuid, 99, '\\xdeadbeef', '\\xdeadbeef', 'sneaky', 'x', public.gen_random_uuid(), now())
            """, [org.id.lowercased])
        #expect(try db.scalar("SELECT seq FROM events.domain_events WHERE event_type = 'sneaky'") == "3")
        #expect(try db.verify(org).status == .ok)
    }

    @Test func aBulkInsertOfOneHundredThousandRowsChainsLinearlyAndVerifies() throws {
        // Throughput is measured by the benchmark (docs/performance.md), not here; this checks the result.
        let db = try TestDatabase("bulk")
        let org = try db.makeOrg("bulk")
        try db.insertEvents(org.id, count: 100_000, payloadBytes: 100)
        #expect(try db.scalar("SELECT last_seq FROM events.chain_heads WHERE org_id = $1::uuid", [org.id.lowercased]) == "100000")
        let report = try db.verify(org)
        #expect(report.status == .ok, "\(report.findingSummary)")
        #expect(report.eventsVerified == 100_000)
        #expect(report.headSeq == 100_000)
    }

    @Test func oneStatementAcrossTwoOrgsKeepsBothHeadsCurrent() throws {
        let db = try TestDatabase("twoorgs")
        let a = try db.makeOrg("a", events: 3)
        let b = try db.makeOrg("b")
        try db.query(
            """
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, occurred_at)
            SELECT CASE WHEN g % 2 = 0 THEN $1::uuid ELSE $2::uuid END, 'mixed', 'x', public.gen_random_uuid(), now()
            FROM generate_series(1, 9) g
            """, [a.id.lowercased, b.id.lowercased])
        #expect(try db.scalar("SELECT last_seq FROM events.chain_heads WHERE org_id = $1::uuid", [a.id.lowercased]) == "7")
        #expect(try db.scalar("SELECT last_seq FROM events.chain_heads WHERE org_id = $1::uuid", [b.id.lowercased]) == "5")
        #expect(try db.verify(a).status == .ok)
        #expect(try db.verify(b).status == .ok)
    }

    @Test func anEmptyOrgVerifiesWithNothingToCheck() throws {
        let db = try TestDatabase("empty")
        let org = try db.makeOrg("empty")
        let report = try db.verify(org)
        #expect(report.status == .ok)
        #expect(report.eventsVerified == 0)
        #expect(report.headSeq == 0)
        #expect(report.headHash == nil)
    }

    @Test func theSmokeSampleIsTheStorysSmokeTest() throws {
        let db = try TestDatabase("smoke")
        try db.exec(try Self.sample("smoke.sql"))
        try db.exec(try Self.sample("smoke.sql"))  // harmless the second time
        let events = try db.query(
            """
            SELECT e.event_type, e.aggregate_type, e.aggregate_id = u.id, e.aggregate_id = s.id
            FROM events.domain_events e JOIN public.orgs o ON o.id = e.org_id
            JOIN public.users u ON u.org_id = o.id JOIN agents.sessions s ON s.org_id = o.id
            WHERE o.slug = 'smoke' ORDER BY e.seq
            """, [])
        let rows = (0..<events.rowCount).map { r in (0..<4).map { events.value(r, $0) ?? "NULL" } }
        #expect(rows == [
            ["user.logged_in", "user", "t", "f"],
            ["session.started", "session", "f", "t"],
            ["agent.message", "session", "f", "t"],
            ["agent.message", "session", "f", "t"],
            ["session.ended", "session", "f", "t"],
        ])
        #expect(try db.scalar("SELECT count(*) FROM agents.sessions WHERE ended_at IS NOT NULL AND ended_at >= started_at") == "1")
        #expect(try db.scalar("SELECT count(*) FROM public.users WHERE email LIKE 'smoke-test@%'") == "1")
        // The chat has a message from the user (actor set) and one from the assistant (no actor).
        #expect(try db.scalar("SELECT string_agg(payload->>'role' || ':' || (actor_id IS NOT NULL)::text, ',' ORDER BY seq) FROM events.domain_events WHERE event_type = 'agent.message'") == "user:true,assistant:false")
        let org = OrgIdentity(id: UUID(uuidString: "5e0c0a1d-0000-4000-8000-00000000f020")!, slug: "smoke")
        let report = try db.verify(org)
        #expect(report.status == .ok)
        #expect(report.headHash?.hex == "32cd7813730747995c3a3775cc85d5a2ff498282724334e0e0935b5a0ae6d82f")
    }

    @Test func theVerifierNeverWrites() throws {
        let db = try TestDatabase("readonly")
        let org = try db.makeOrg("org", events: 50)
        // Every new session of this database starts read only: any write the tool attempted would fail the run.
        try db.exec("ALTER DATABASE \(db.name) SET default_transaction_read_only = on")
        let r = try CommandRunner.chainAudit(["verify", "--all-orgs"], environment: ["DATABASE_URL": db.auditorDSN])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        #expect(try db.verify(org).status == .ok)

        // And the transaction the engine opens refuses writes of its own accord.
        try db.exec("ALTER DATABASE \(db.name) RESET default_transaction_read_only")
        let c = try Connection(db.spec())
        defer { c.close() }
        try c.execute(ReadOnlySession.begin)
        #expect { try c.execute("INSERT INTO public.orgs (slug, name) VALUES ('x', 'x')") } throws: { error in
            (error as? PostgresError)?.sqlState == "25006"
        }
        try c.execute("ROLLBACK")
    }
}
