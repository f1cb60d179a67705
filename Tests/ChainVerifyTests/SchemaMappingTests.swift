import EventModel
import Foundation
import Testing

@testable import ChainVerify

/// The schema mapping (`--config`): identifiers quoted, config files read strictly, names checked against
/// the catalog, and a store with other names audited end to end.
@Suite("Schema mapping")
struct SchemaMappingTests {
    @Test func identifiersAreQuotedWithEveryQuoteDoubled() throws {
        #expect(try SQLIdentifier("org_id").quoted == "\"org_id\"")
        #expect(try SQLIdentifier("Weird \"name\"; DROP").quoted == "\"Weird \"\"name\"\"; DROP\"")
        #expect(try QualifiedName(parsing: "events.domain_events").quoted == "\"events\".\"domain_events\"")
        for bad in ["", "a\u{0}b", String(repeating: "x", count: 64)] {
            #expect(throws: SchemaMappingError.self) { try SQLIdentifier(bad) }
        }
        for bad in ["domain_events", "a.b.c", ".b", "a.", ""] {
            #expect(throws: SchemaMappingError.self, "\(bad)") { try QualifiedName(parsing: bad) }
        }
    }

    @Test func theReferenceMappingKeepsTheVerifierSQLByteForByte() {
        let org = UUID(uuidString: "5e0c0a1d-0000-4000-8000-00000000f020")!
        #expect(
            VerifyQuery.copyEvents(org: org, mapping: .reference) == """
                COPY (SELECT prev_hash, org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, occurred_at, \
                payload, hash FROM events.domain_events WHERE org_id = '5e0c0a1d-0000-4000-8000-00000000f020'::uuid \
                ORDER BY seq) \
                TO STDOUT (FORMAT binary)
                """)
        #expect(VerifyQuery.chainHead(mapping: .reference) == VerifyQuery.chainHead)
        #expect(VerifyQuery.orgBySlug(mapping: .reference) == VerifyQuery.orgBySlug)
        var mapped = SchemaMapping.reference
        mapped.events.name = QualifiedName(literal: "ledger.Events")
        mapped.events.columns["seq"] = SQLIdentifier(literal: "po\"s")
        #expect(
            VerifyQuery.copyEvents(org: org, mapping: mapped) == """
                COPY (SELECT "prev_hash", "org_id", "po""s", "event_type", "aggregate_type", "aggregate_id", \
                "actor_id", \
                "occurred_at", "payload", "hash" FROM "ledger"."Events" WHERE "org_id" = \
                '5e0c0a1d-0000-4000-8000-00000000f020'::uuid ORDER BY "po""s") TO STDOUT (FORMAT binary)
                """)
    }

    @Test(arguments: [
        ("[]", "config c.json: the document must be a JSON object, not an array"),
        ("{nope", "config c.json: not valid JSON"),
        (
            #"{"tabels": {}}"#,
            "config c.json: unknown key 'tabels' (expected one of: version, tables, tenant_column, "
                + "tenant_schemas, org_setting, application_role, event_types, aggregate_types, functions)"
        ),
        (
            #"{"tables": {"sessions": {"columns": {"strated_at": "x"}}}}"#,
            "config c.json: unknown key 'tables.sessions.columns.strated_at' "
                + "(expected one of: id, org_id, user_id, started_at, ended_at)"
        ),
        (
            #"{"tables": {"session": {}}}"#,
            "config c.json: unknown key 'tables.session' (expected one of: orgs, users, sessions, events, chain_heads)"
        ),
        (
            #"{"tables": {"events": {"table": "domain_events"}}}"#,
            "config c.json: tables.events.table 'domain_events' is not a schema-qualified name (schema.name)"
        ),
        (
            #"{"tables": {"events": {"columns": {"seq": 7}}}}"#,
            "config c.json: tables.events.columns.seq must be a string, not a number"
        ),
        (#"{"version": 2}"#, "config c.json: version must be 1 (the only config version)"),
        (#"{"version": true}"#, "config c.json: version must be 1 (the only config version)"),
        (
            #"{"org_setting": "current_org"}"#,
            "config c.json: org_setting 'current_org' is not a custom setting name "
                + "(prefix.name, letters, digits and underscores)"
        ),
        (#"{"event_types": {"login": ""}}"#, "config c.json: event_types.login must not be empty"),
        (#"{"tenant_schemas": []}"#, "config c.json: tenant_schemas must name at least one schema"),
    ])
    func aBadConfigIsOneErrorNamingItsKey(_ json: String, _ message: String) {
        #expect {
            _ = try SchemaMapping(json: Data(json.utf8), source: "c.json")
        } throws: { error in
            (error as? SchemaMappingError)?.message == message
        }
    }

    @Test func aConfigOverridesOnlyWhatItNames() throws {
        let mapping = try SchemaMapping(
            json: Data(
                """
                {"version": 1, "tables": {"sessions": {"table": "app.Sessions", "columns": {"ended_at": "closed_at"}}},
                 "event_types": {"login": "Login"}, "tenant_schemas": ["app"], "application_role": null}
                """.utf8), source: "c.json")
        #expect(mapping.sessions.name.description == "app.Sessions")
        #expect(mapping.sessions["ended_at"].name == "closed_at")
        #expect(mapping.sessions["started_at"].name == "started_at")
        #expect(mapping.events == SchemaMapping.reference.events)
        #expect(mapping.eventTypes.login == "Login")
        #expect(mapping.eventTypes.sessionEnded == "session.ended")
        #expect(mapping.tenantSchemas?.map(\.name) == ["app"])
        #expect(mapping.applicationRole == nil)
    }
}

@Suite("Schema mapping against the real server", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct SchemaMappingDatabaseTests {
    static let config = """
        {
          "version": 1,
          "tables": {
            "orgs": {"table": "public.tenants", "columns": {"slug": "handle"}},
            "sessions": {"table": "agents.agent_sessions", "columns": {"ended_at": "closed_at"}},
            "events": {"table": "events.ledger", "columns": {"seq": "position", "event_type": "kind"}},
            "chain_heads": {"table": "events.ledger_heads", "columns": {"last_seq": "head_position"}}
          },
          "event_types": {"login": "UserLoggedIn", "session_started": "SessionOpened", "session_ended": "SessionClosed"}
        }
        """

    /// A store whose tables, columns and event types all differ from samples/schema.sql's, chained by the
    /// reference trigger before the renames.
    static func renamedStore() throws -> (TestDatabase, TemporaryDirectory) {
        let db = try TestDatabase("mapped")
        let org = try db.makeOrg("mapped", events: 5)
        let other = try db.makeOrg("other", events: 3)
        let user = UUID()
        let session = UUID()
        try db.query(
            "INSERT INTO public.users (id, org_id, email) VALUES ($1::uuid, $2::uuid, 'u@x')",
            [user.lowercased, org.id.lowercased])
        try db.event(org, "UserLoggedIn", "user", user)
        try db.query(
            "INSERT INTO agents.sessions (id, org_id, user_id, started_at, ended_at) "
                + "VALUES ($1::uuid, $2::uuid, $3::uuid, now(), now())",
            [session.lowercased, org.id.lowercased, user.lowercased])
        try db.event(org, "SessionOpened", "session", session)
        try db.event(org, "SessionClosed", "session", session)
        _ = other
        try db.exec(
            """
            ALTER TABLE public.orgs RENAME TO tenants;
            ALTER TABLE public.tenants RENAME COLUMN slug TO handle;
            ALTER TABLE agents.sessions RENAME TO agent_sessions;
            ALTER TABLE agents.agent_sessions RENAME COLUMN ended_at TO closed_at;
            ALTER TABLE events.domain_events RENAME TO ledger;
            ALTER TABLE events.ledger RENAME COLUMN seq TO position;
            ALTER TABLE events.ledger RENAME COLUMN event_type TO kind;
            ALTER TABLE events.chain_heads RENAME TO ledger_heads;
            ALTER TABLE events.ledger_heads RENAME COLUMN last_seq TO head_position
            """)
        let dir = try TemporaryDirectory()
        try dir.write("mapping.json", config)
        return (db, dir)
    }

    @Test func aStoreWithOtherNamesIsAuditedThroughTheMapping() throws {
        let (db, dir) = try Self.renamedStore()
        let r = try db.chainAudit(["check", "--all-orgs", "--config", dir.path("mapping.json"), "--format", "json"])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let report = try JSONReport(r.stdout)
        #expect(report.org("mapped")?["events_verified"] as? Int == 8)
        #expect(report.org("other")?["events_verified"] as? Int == 3)
        let sessions = (report.org("mapped")?["checks"] as? [[String: Any]])?.first {
            $0["check"] as? String == "sessions"
        }
        #expect((sessions?["stats"] as? [String: Int])?["sessions_closed"] == 1)
        let tenants = (report.org("mapped")?["checks"] as? [[String: Any]])?.first {
            $0["check"] as? String == "tenants"
        }
        #expect((tenants?["stats"] as? [String: Int])?["probe_tables"] == 4)

        let explain = try db.chainAudit([
            "explain", "--org", "mapped", "--seq", "8", "--config", dir.path("mapping.json"),
        ])
        #expect(explain.exitCode == 0, "\(explain.allOutput)")
        #expect(explain.stdout.contains("identical to the verifier's"))

        // A tampered row in the renamed table is caught through the mapping too.
        try db.tamper(
            "UPDATE events.ledger SET kind = 'forged' "
                + "WHERE position = 2 AND org_id = (SELECT id FROM public.tenants WHERE handle = 'mapped')"
        )
        let broken = try db.chainAudit([
            "check", "--org", "mapped", "--config", dir.path("mapping.json"), "--format", "json",
        ])
        #expect(broken.exitCode == 1)
        #expect(try JSONReport(broken.stdout).codes == ["content_mismatch"])
    }

    @Test func namesTheDatabaseLacksAreOneErrorNamingEach() throws {
        let (db, dir) = try Self.renamedStore()
        let unmapped = try db.chainAudit(["--org", "mapped"])
        #expect(unmapped.exitCode == 2)
        #expect(
            unmapped.stderr
                == "chain-audit: error: schema mapping: tables.orgs.table: no table 'public.orgs' in the database; "
                + "tables.sessions.table: no table 'agents.sessions' in the database; "
                + "tables.events.table: no table 'events.domain_events' in the database; "
                + "tables.chain_heads.table: no table 'events.chain_heads' in the database\n", "\(unmapped.stderr)")
        #expect(unmapped.stderr.split(separator: "\n").count == 1)

        try dir.write(
            "bad.json",
            """
            {"tables": {"orgs": {"table": "public.tenants", "columns": {"slug": "handle"}},
                        "sessions": {"table": "agents.agent_sessions", "columns": {"ended_at": "finished_at"}},
                        "events": {"table": "events.ledger", "columns": {"seq": "position", "event_type": "payload"}},
                        "chain_heads": {"table": "events.ledger_heads\\"; DROP TABLE tenants; --"}}}
            """)
        let bad = try db.chainAudit(["--org", "mapped", "--config", dir.path("bad.json")])
        #expect(bad.exitCode == 2)
        #expect(
            bad.stderr == "chain-audit: error: schema mapping: "
                + "tables.sessions.columns.ended_at: no column 'finished_at' in agents.agent_sessions; "
                + "tables.events.columns.event_type: events.ledger.payload is jsonb, "
                + "expected text or character varying; "
                + "tables.chain_heads.table: no table 'events.ledger_heads\"; DROP TABLE tenants; --' "
                + "in the database\n",
            "\(bad.stderr)")
        #expect(try db.scalar("SELECT count(*) FROM public.tenants") == "2")

        let usage = try db.chainAudit(["--org", "mapped", "--config", dir.path("missing.json")])
        #expect(usage.exitCode == 64)
        #expect(usage.stderr.hasPrefix("chain-audit: error: cannot read --config \(dir.path("missing.json")): "))
        try dir.write("typo.json", #"{"tables": {"events": {"colums": {}}}}"#)
        let typo = try db.chainAudit(["--org", "mapped", "--config", dir.path("typo.json")])
        #expect(typo.exitCode == 64)
        #expect(typo.stderr.contains("unknown key 'tables.events.colums'"), "\(typo.stderr)")
    }
}
