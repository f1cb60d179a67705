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

    @Test(arguments: ["check", "tenants", "sessions"])
    func everyAuditCommandWarnsAboutARoleThatCouldWrite(command: String) throws {
        let (db, _) = try TestDatabase.smokeAndAcme("warn_\(command)")
        let superuser = try CommandRunner.chainAudit([command, "--org", "smoke", "--db", db.dsn, "--format", "json"])
        #expect(superuser.exitCode == 0, "\(superuser.allOutput)")
        let warning = "role 'postgres' can write the audited tables (superuser)"
        #expect(superuser.stderr.contains("chain-audit: warning: \(warning)"), "\(superuser.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(superuser.stdout.utf8)) as? [String: Any])
        #expect((doc["warnings"] as? [String])?.first?.hasPrefix(warning) == true, "\(superuser.stdout)")
        let github = try CommandRunner.chainAudit([command, "--org", "smoke", "--db", db.dsn, "--format", "github"])
        #expect(github.stdout.hasPrefix("::warning title=chain-audit%3A \(command)::\(warning)"), "\(github.stdout)")
        let gate = try db.chainAudit([command, "--org", "smoke"])
        #expect(gate.exitCode == 0, "\(gate.allOutput)")
        #expect(gate.stderr.isEmpty, "a NOINHERIT member of the application role cannot write: \(gate.stderr)")
    }

    @Test func theWriteWarningNamesTheTablesTheConfigMaps() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("warn_mapped")
        let role = "ca_mapped_\(UUID().uuidString.prefix(6).lowercased())"
        try db.exec("""
            CREATE TABLE events.heads_copy AS SELECT * FROM events.chain_heads;
            CREATE ROLE \(role) LOGIN BYPASSRLS;
            GRANT USAGE ON SCHEMA public, agents, events TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public, agents, events TO \(role);
            GRANT INSERT ON events.heads_copy TO \(role)
            """)
        defer { _ = try? db.exec("DROP OWNED BY \(role); DROP ROLE \(role)") }
        let dir = try TemporaryDirectory()
        let config = dir.path("mapping.json")
        try Data(#"{"tables": {"chain_heads": {"table": "events.heads_copy"}}}"#.utf8)
            .write(to: URL(fileURLWithPath: config))
        let dsn = db.dsn + " user=\(role)"
        let plain = try CommandRunner.chainAudit(["sessions", "--org", "smoke", "--db", dsn])
        #expect(plain.exitCode == 0, "\(plain.allOutput)")
        #expect(plain.stderr.isEmpty, "it cannot write the reference tables: \(plain.stderr)")
        let mapped = try CommandRunner.chainAudit(["sessions", "--org", "smoke", "--db", dsn, "--config", config])
        #expect(mapped.exitCode == 0, "\(mapped.allOutput)")
        #expect(mapped.stderr.contains("can write the audited tables (heads_copy INSERT)"), "\(mapped.stderr)")
    }

    @Test func theAuditsRefuseANonUTF8DatabaseUnlessAllowed() throws {
        let admin = try Connection(TestEnvironment.spec(TestEnvironment.adminDSN()))
        defer { admin.close() }
        let name = "ca_latin1_audit_\(UUID().uuidString.prefix(8).lowercased())"
        try admin.execute("CREATE DATABASE \(name) ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        let dsn = try TestEnvironment.adminDSN() + " dbname=\(name)"
        let c = try Connection(TestEnvironment.spec(dsn))
        try c.execute(try String(contentsOf: TestEnvironment.file("samples/schema.sql"), encoding: .utf8))
        try c.execute(try String(contentsOf: TestEnvironment.file("samples/smoke.sql"), encoding: .utf8))
        c.close()
        let refused = try CommandRunner.chainAudit(["--org", "smoke", "--db", dsn])
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("the database's encoding is LATIN1, not UTF8"), "\(refused.stderr)")
        let allowed = try CommandRunner.chainAudit(["--org", "smoke", "--allow-non-utf8", "--db", dsn,
                                                    "--format", "json"])
        #expect(allowed.exitCode == 0, "\(allowed.allOutput)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(allowed.stdout.utf8)) as? [String: Any])
        #expect((doc["database"] as? [String: Any])?["encoding"] as? String == "LATIN1")
    }

    @Test func theAuditsTakeUnknownOrgsAsAWarningWithNoStrictOrgs() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("lenient_audit")
        let strict = try db.chainAudit(["check", "--org", "smoke", "--org", "ghost"])
        #expect(strict.exitCode == 2, "\(strict.allOutput)")
        let lenient = try db.chainAudit(["check", "--org", "smoke", "--org", "ghost", "--no-strict-orgs"])
        #expect(lenient.exitCode == 0, "\(lenient.allOutput)")
        #expect(lenient.stderr == "chain-audit: warning: unknown org 'ghost': no public.orgs row has that slug or id\n")
    }
}
