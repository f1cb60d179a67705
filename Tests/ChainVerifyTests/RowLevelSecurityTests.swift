import ChainVerify
import EventModel
import Foundation
import Testing

/// samples/schema.sql's row level security: the application role, acting for one org through
/// app.current_org_id, sees and writes only that org, and its inserts still chain correctly.
@Suite("Row level security in the reference schema", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct RowLevelSecurityTests {
    static let insert = """
        INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at)
        SELECT $1::uuid, 'app.event', 'thing', public.gen_random_uuid(), jsonb_build_object('i', g), now()
        FROM generate_series(1, $2::int) g
        """

    @Test func theApplicationRoleChainsSingleRowAndBulkInsertsUnderForcedRowLevelSecurity() throws {
        let db = try TestDatabase("rlsinsert")
        let a = try db.makeOrg("a", events: 3)
        let b = try db.makeOrg("b", events: 4)
        try db.asRole("finnest_app", org: a, Self.insert, [a.id.lowercased, "1"])
        try db.asRole("finnest_app", org: a, Self.insert, [a.id.lowercased, "50"])
        try db.insertEvents(b.id, count: 2)  // the superuser still writes, for any org
        try db.asRole("finnest_app", org: b, Self.insert, [b.id.lowercased, "1"])
        #expect(try db.scalar("SELECT last_seq FROM events.chain_heads WHERE org_id = $1::uuid", [a.id.lowercased]) == "54")
        #expect(try db.scalar("SELECT last_seq FROM events.chain_heads WHERE org_id = $1::uuid", [b.id.lowercased]) == "7")
        let reportA = try db.verify(a)
        #expect(reportA.status == .ok, "\(reportA.findingSummary)")
        #expect(reportA.eventsVerified == 54)
        #expect(try db.verify(b).status == .ok)
    }

    @Test func theApplicationRoleSeesAndWritesOnlyTheOrgItActsFor() throws {
        let db = try TestDatabase("rlsisolate")
        let a = try db.makeOrg("a", events: 3)
        let b = try db.makeOrg("b", events: 4)
        let visible = try db.asRole("finnest_app", org: a, "SELECT count(*), count(*) FILTER (WHERE org_id <> $1::uuid) FROM events.domain_events", [a.id.lowercased])
        #expect(visible.value(0, 0) == "3")
        #expect(visible.value(0, 1) == "0")
        #expect(try db.asRole("finnest_app", org: nil, "SELECT count(*) FROM events.domain_events").value(0, 0) == "0")
        #expect(try db.asRole("finnest_app", org: nil, "SELECT count(*) FROM events.chain_heads").value(0, 0) == "0")
        for org in [b, nil] as [OrgIdentity?] {
            #expect {
                try db.asRole("finnest_app", org: org, Self.insert, [a.id.lowercased, "1"])
            } throws: { error in
                (error as? PostgresError)?.sqlState == "42501"
            }
        }
        #expect(try db.scalar("SELECT count(*) FROM events.domain_events WHERE org_id = $1::uuid", [a.id.lowercased]) == "3")
    }

    @Test func anAuditorBoundByRowLevelSecurityGetsAnErrorNotAShorterChain() throws {
        let db = try TestDatabase("rlsauditor")
        try db.makeOrg("a", events: 5)
        let role = "ca_auditor_\(UUID().uuidString.prefix(8).lowercased())"
        try db.exec("""
            CREATE ROLE \(role) LOGIN;
            GRANT USAGE ON SCHEMA events TO \(role);
            GRANT SELECT ON public.orgs, events.domain_events, events.chain_heads TO \(role)
            """)
        defer { _ = try? db.exec("DROP OWNED BY \(role); DROP ROLE \(role)") }
        let dsn = db.dsn.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        let bound = try CommandRunner.chainAudit(["verify", "--org", "a", "--db", dsn])
        #expect(bound.exitCode == 2, "\(bound.allOutput)")
        #expect(bound.stderr.contains("row-level security"), "\(bound.stderr)")
        try db.exec("ALTER ROLE \(role) BYPASSRLS")
        let bypassing = try CommandRunner.chainAudit(["verify", "--org", "a", "--db", dsn])
        #expect(bypassing.exitCode == 0, "\(bypassing.allOutput)")
    }
}
