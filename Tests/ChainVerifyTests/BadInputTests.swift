import ChainVerify
import EventModel
import Foundation
import Testing

/// Bad input gets a specific one-line message and the documented exit code, never a crash or a pass.
@Suite("Bad input", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct BadInputTests {
    func lines(_ text: String) -> [Substring] { text.split(separator: "\n") }

    @Test func permissionDeniedOnATableIsExitTwoNamingIt() throws {
        let db = try TestDatabase("perm")
        try db.makeOrg("org", events: 5)
        let role = "ca_noselect_\(UUID().uuidString.prefix(6).lowercased())"
        try db.exec("""
            CREATE ROLE \(role) LOGIN BYPASSRLS;
            GRANT USAGE ON SCHEMA public, events TO \(role);
            GRANT SELECT ON public.orgs, events.chain_heads TO \(role)
            """)
        let r = try CommandRunner.chainAudit(["verify", "--org", "org", "--db", db.dsn + " user=\(role)"])
        #expect(r.exitCode == 2, "\(r.allOutput)")
        #expect(r.stderr.contains("permission denied for table domain_events"), "\(r.stderr)")
        #expect(r.stderr.contains("42501"))
        #expect(lines(r.stderr).count == 1)
    }

    @Test func aMissingColumnIsExitTwoNamingIt() throws {
        let db = try TestDatabase("nocolumn")
        try db.makeOrg("org", events: 5)
        try db.exec("ALTER TABLE events.domain_events RENAME COLUMN actor_id TO actor")
        let r = try CommandRunner.chainAudit(["verify", "--org", "org", "--db", db.auditorDSN])
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("column \"actor_id\" does not exist"), "\(r.stderr)")
        #expect(lines(r.stderr).count == 1)
    }

    @Test func aNonUTF8DatabaseIsRefusedUnlessAllowedAndSQLASCIIAlways() throws {
        let admin = try Connection(TestEnvironment.spec(TestEnvironment.adminDSN()))
        defer { admin.close() }
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let latin = "ca_latin1_\(suffix)", ascii = "ca_ascii_\(suffix)"
        try admin.execute("CREATE DATABASE \(latin) ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        try admin.execute("CREATE DATABASE \(ascii) ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        let base = try TestEnvironment.adminDSN()
        for name in [latin, ascii] {
            let c = try Connection(TestEnvironment.spec(base + " dbname=\(name)"))
            try c.execute(try String(contentsOf: TestEnvironment.file("samples/schema.sql"), encoding: .utf8))
            try c.execute("INSERT INTO public.orgs (slug, name) VALUES ('org', 'org')")
            try c.execute("""
                INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at)
                SELECT id, 'café.event', 'agg', gen_random_uuid(), '{"name": "Renée"}', now() FROM public.orgs
                """)
            c.close()
        }
        let refused = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", base + " dbname=\(latin)"])
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("the database's encoding is LATIN1, not UTF8"), "\(refused.stderr)")
        let allowed = try CommandRunner.chainAudit(["verify", "--all-orgs", "--allow-non-utf8", "--db",
                                                    base + " dbname=\(latin)"])
        #expect(allowed.exitCode == 0, "the chain is well defined: text is hashed as UTF-8: \(allowed.allOutput)")
        let ascii1 = try CommandRunner.chainAudit(["verify", "--all-orgs", "--allow-non-utf8", "--db", base + " dbname=\(ascii)"])
        #expect(ascii1.exitCode == 2)
        #expect(ascii1.stderr.contains("SQL_ASCII"))
    }

    @Test func aTenMegabytePayloadVerifies() throws {
        let db = try TestDatabase("huge")
        let org = try db.makeOrg("huge", events: 3, payloadBytes: 10 << 20)
        let r = try CommandRunner.chainAudit(["verify", "--org", "huge", "--db", db.auditorDSN])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        try db.tamper("UPDATE events.domain_events SET payload = payload || '{\"x\": 1}' WHERE org_id = '\(org.id.lowercased)' AND seq = 2")
        #expect(try db.verify(org).hasExactly([(.contentMismatch, 2)]))
    }

    @Test func unknownOrgsAreAWarningWithNoStrictOrgs() throws {
        let db = try TestDatabase("lenient")
        try db.makeOrg("known", events: 3)
        let r = try CommandRunner.chainAudit(["verify", "--org", "known", "--org", "ghost", "--no-strict-orgs", "--db",
                                              db.auditorDSN, "--format", "json"])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        #expect(r.stderr == "chain-audit: warning: unknown org 'ghost': no public.orgs row has that slug or id\n")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((doc["warnings"] as? [String])?.count == 1)
        #expect(try JSONSchemaCheck.problems(r.stdout) == "")
    }

    @Test func aRoleThatCouldWriteTheAuditedTablesIsWarnedAbout() throws {
        let db = try TestDatabase("writer")
        try db.makeOrg("org", events: 3)
        let superuser = try CommandRunner.chainAudit(["verify", "--org", "org", "--db", db.dsn])
        #expect(superuser.exitCode == 0)
        #expect(superuser.stderr.contains("warning: role 'postgres' can write the audited tables (superuser)"),
                "\(superuser.stderr)")
        let role = "ca_writer_\(UUID().uuidString.prefix(6).lowercased())"
        try db.exec("""
            CREATE ROLE \(role) LOGIN BYPASSRLS;
            GRANT USAGE ON SCHEMA public, events TO \(role);
            GRANT SELECT ON public.orgs, events.domain_events, events.chain_heads TO \(role);
            GRANT INSERT ON events.domain_events TO \(role)
            """)
        let writer = try CommandRunner.chainAudit(["verify", "--org", "org", "--db", db.dsn + " user=\(role)"])
        #expect(writer.exitCode == 0)
        #expect(writer.stderr.contains("(domain_events INSERT)"), "\(writer.stderr)")
        let auditor = try CommandRunner.chainAudit(["verify", "--org", "org", "--db", db.auditorDSN])
        #expect(auditor.exitCode == 0)
        #expect(auditor.stderr.isEmpty, "samples/roles.sql's chain_auditor cannot write: \(auditor.stderr)")
    }
}
