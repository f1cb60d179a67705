import ChainVerify
import EventModel
import Foundation
import Testing

/// The built `chain-audit` executable: exit codes, output formats, and errors.
@Suite("chain-audit command line")
struct CommandLineTests {
    @Test(arguments: [["--help"], ["-h"], ["verify", "--help"], ["help"], ["help", "verify"], ["--version"]])
    func helpAndVersionExitZero(_ arguments: [String]) throws {
        let r = try CommandRunner.chainAudit(arguments)
        #expect(r.exitCode == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains(arguments == ["--version"] ? "chain-audit 0.1.0" : "USAGE: chain-audit"))
    }

    @Test func verifyHelpListsEveryOptionAndTheExitCodes() throws {
        let r = try CommandRunner.chainAudit(["verify", "--help"])
        for option in ["--org", "--all-orgs", "--db", "--format", "--exit-on-error", "--max-findings", "DATABASE_URL"] {
            #expect(r.stdout.contains(option), "help names \(option)")
        }
        for code in ["  0 ", "  1 ", "  2 ", "  64 "] { #expect(r.stdout.contains(code)) }
    }

    @Test(arguments: [
        ([], "USAGE"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["--org", "smoke", "--bogus"], "unknown option '--bogus' (see 'chain-audit check --help')"),
        (["verify"], "name the orgs to verify"),
        (["verify", "--org"], "option '--org' needs a value"),
        (["verify", "--org", "a", "--all-orgs"], "cannot be combined"),
        (["verify", "--org", "a", "--format", "xml"], "unknown format 'xml'"),
        (["verify", "--org", "a", "--max-findings", "-1"], "--max-findings needs a whole number"),
        (["verify", "--org", "a", "--bogus"], "unknown option '--bogus'"),
        (["verify", "--org", "a", "stray"], "unexpected argument 'stray'"),
        (["verify", "--all-orgs", "--db", "x", "--db", "y"], "may be given only once"),
        (["verify", "--all-orgs=yes"], "takes no value"),
        (["verify", "--org", ""], "not an empty string"),
        (["verify", "--org", "a", "--bad\u{1b}[31m"], "unknown option '--bad\\u{1b}[31m'"),
    ])
    func usageErrorsExit64WithOneLine(_ arguments: [String], _ message: String) throws {
        let r = try CommandRunner.chainAudit(arguments)
        #expect(r.exitCode == 64, "\(arguments): \(r.allOutput)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        if !arguments.isEmpty { #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)") }
    }
}

@Suite("chain-audit against the real server", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct CommandLineDatabaseTests {
    /// A database with the smoke org and a second org.
    static func smokeDatabase() throws -> (TestDatabase, OrgIdentity) {
        let db = try TestDatabase("cli")
        try db.exec(try String(contentsOf: TestEnvironment.file("samples/smoke.sql"), encoding: .utf8))
        let other = try db.makeOrg("acme", events: 25)
        return (db, other)
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theSmokeOrgVerifiesWithExitZero() throws {
        let (db, _) = try Self.smokeDatabase()
        let r = try CommandRunner.chainAudit(["verify", "--org", "smoke", "--db", db.auditorDSN])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        #expect(r.stdout.contains("smoke (5e0c0a1d-0000-4000-8000-00000000f020): verified: 5 events"))
        #expect(r.stdout.contains("OK: 1 org, 5 events verified"))
        #expect(r.stderr.isEmpty)
    }

    @Test func jsonFollowsTheContract() throws {
        let (db, acme) = try Self.smokeDatabase()
        let r = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", db.auditorDSN, "--format", "json"])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let doc = try json(r.stdout)
        #expect(doc["version"] as? Int == 1)
        #expect(doc["status"] as? String == "ok")
        #expect(doc["chain_format"] as? Int == 1)
        let orgs = try #require(doc["orgs"] as? [[String: Any]])
        #expect(orgs.map { $0["slug"] as? String } == ["acme", "smoke"])
        let smoke = orgs[1]
        #expect(smoke["org_id"] as? String == "5e0c0a1d-0000-4000-8000-00000000f020")
        #expect(smoke["events_verified"] as? Int == 5)
        #expect(smoke["head_seq"] as? Int == 5)
        #expect(smoke["head_hash"] as? String == "32cd7813730747995c3a3775cc85d5a2ff498282724334e0e0935b5a0ae6d82f")
        #expect((smoke["findings"] as? [Any])?.isEmpty == true)
        #expect(orgs[0]["org_id"] as? String == acme.id.lowercased)
        #expect(orgs[0]["events_verified"] as? Int == 25)
        // The database is described without any secret.
        let database = try #require(doc["database"] as? [String: Any])
        #expect(database["name"] as? String == db.name)
    }

    @Test func aTamperedOrgExitsOneWithItsFindingsInJSON() throws {
        let (db, acme) = try Self.smokeDatabase()
        try db.tamper("UPDATE events.domain_events SET payload = '{\"n\": 0}' WHERE org_id = '\(acme.id.lowercased)' AND seq = 13")
        let r = try CommandRunner.chainAudit(["verify", "--org", "smoke", "--org", acme.id.lowercased, "--db", db.auditorDSN,
                                              "--format", "json"])
        #expect(r.exitCode == 1, "\(r.allOutput)")
        let doc = try json(r.stdout)
        #expect(doc["status"] as? String == "findings")
        let orgs = try #require(doc["orgs"] as? [[String: Any]])
        #expect(orgs.map { $0["status"] as? String } == ["ok", "findings"])
        let findings = try #require(orgs[1]["findings"] as? [[String: Any]])
        #expect(findings.count == 1)
        #expect(findings.first?["kind"] as? String == "content_mismatch")
        #expect(findings.first?["severity"] as? String == "error")
        #expect(findings.first?["seq"] as? Int == 13)
        #expect((findings.first?["detail"] as? String)?.isEmpty == false)

        let text = try CommandRunner.chainAudit(["verify", "--org", "acme", "--db", db.auditorDSN])
        #expect(text.exitCode == 1)
        #expect(text.stdout.contains("error: content_mismatch at seq 13:"), "\(text.stdout)")
        #expect(text.stdout.contains("FINDINGS:"))
    }

    @Test func anUnknownOrgExitsTwoAndIsNeverZero() throws {
        let (db, _) = try Self.smokeDatabase()
        let r = try CommandRunner.chainAudit(["verify", "--org", "smoke", "--org", "nosuch", "--db", db.auditorDSN, "--format", "json"])
        #expect(r.exitCode == 2)
        #expect(r.stderr == "chain-audit: error: unknown org 'nosuch': no public.orgs row has that slug or id\n")
        let doc = try json(r.stdout)
        #expect(doc["status"] as? String == "incomplete")
        #expect((doc["errors"] as? [String])?.count == 1)
    }

    @Test func orgNamesAreNeverSplicedIntoSQL() throws {
        let (db, _) = try Self.smokeDatabase()
        for name in ["smoke' OR '1'='1", "x'); DROP TABLE events.domain_events; --", "00000000-0000-0000-0000-00000000000'"] {
            let r = try CommandRunner.chainAudit(["verify", "--org", name, "--db", db.auditorDSN])
            #expect(r.exitCode == 2, "\(name): \(r.allOutput)")
            #expect(r.stderr.contains("unknown org"))
        }
        #expect(try db.scalar("SELECT count(*) FROM events.domain_events") == "30")
    }

    @Test func exitOnErrorStopsAtTheFirstBreak() throws {
        let (db, acme) = try Self.smokeDatabase()
        try db.tamper("DELETE FROM events.domain_events WHERE org_id = '\(acme.id.lowercased)' AND seq IN (5, 9)")
        let all = try CommandRunner.chainAudit(["verify", "--org", "acme", "--db", db.auditorDSN, "--format", "json"])
        #expect(all.exitCode == 1)
        let stopped = try CommandRunner.chainAudit(["verify", "--org", "acme", "--db", db.auditorDSN, "--format", "json",
                                                    "--exit-on-error"])
        #expect(stopped.exitCode == 1)
        let org = try #require((try json(stopped.stdout)["orgs"] as? [[String: Any]])?.first)
        #expect((org["findings"] as? [Any])?.count == 1)
        #expect(org["stopped_early"] as? Bool == true)
        let allOrg = try #require((try json(all.stdout)["orgs"] as? [[String: Any]])?.first)
        #expect((allOrg["findings"] as? [Any])?.count == 2)
    }

    @Test func theConnectionComesFromDatabaseURLWhenThereIsNoOption() throws {
        let (db, _) = try Self.smokeDatabase()
        let r = try CommandRunner.chainAudit(["verify", "--org", "smoke"], environment: ["DATABASE_URL": db.auditorDSN])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let env = try CommandRunner.chainAudit(
            ["verify", "--org", "smoke"],
            environment: ["PGHOST": try Self.socketDirectory(), "PGPORT": try Self.port(), "PGUSER": "postgres",
                          "PGDATABASE": db.name])
        #expect(env.exitCode == 0, "\(env.allOutput)")
    }

    @Test func noOutputEverContainsThePassword() throws {
        let (db, _) = try Self.smokeDatabase()
        let tcp = try TestEnvironment.tcpDSN()  // postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres
        let password = try #require(tcp.split(separator: ":")[2].split(separator: "@").first.map(String.init))
        #expect(password.count >= 12)
        try #require(tcp.hasSuffix("/postgres"))
        let uri = String(tcp.dropLast("postgres".count)) + db.name
        let ecto = uri.replacingOccurrences(of: "postgresql://", with: "ecto://") + "?pool_size=10"
        let wrong = uri.replacingOccurrences(of: password, with: password + "x")
        let runs: [(args: [String], env: [String: String], code: Int32)] = [
            (["verify", "--org", "smoke", "--db", uri], [:], 0),
            (["verify", "--org", "smoke", "--db", uri, "--format", "json"], [:], 0),
            (["verify", "--org", "smoke"], ["DATABASE_URL": ecto], 0),
            (["verify", "--org", "nosuch", "--db", uri, "--format", "json"], [:], 2),
            (["verify", "--org", "smoke", "--db", wrong], [:], 2),
            (["verify", "--org", "smoke", "--db", uri.replacingOccurrences(of: "@127.0.0.1", with: "@[::1")], [:], 2),
            (["verify", "--org", "smoke", "--db", "host=127.0.0.1 password=\(password) port=notaport"], [:], 2),
            (["verify", "--org", "smoke", "--db", "host=127.0.0.1 port=1 connect_timeout=2"], ["PGPASSWORD": password], 2),
            (["verify", "--org", "smoke", "--bogus", "--db", uri], [:], 64),
        ]
        for run in runs {
            let r = try CommandRunner.chainAudit(run.args, environment: run.env)
            #expect(r.exitCode == run.code, "\(run.args.first(where: { $0.contains("//") }) ?? ""): \(r.allOutput)")
            #expect(!r.allOutput.contains(password), "password leaked: \(r.allOutput)")
            if run.code == 2 { #expect(r.stderr.split(separator: "\n").count >= 1) }
        }
    }

    @Test func anUnreachableServerIsOneLineAndExitTwo() throws {
        let r = try CommandRunner.chainAudit(["verify", "--org", "smoke", "--db", "host=127.0.0.1 port=1 connect_timeout=2"])
        #expect(r.exitCode == 2)
        #expect(r.stderr.hasPrefix("chain-audit: error: cannot connect to the database: "), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    @Test func aMissingTableIsIncompleteNeverAPass() throws {
        let db = try TestDatabase("notable")
        try db.exec("CREATE TABLE public.orgs2 (x int)")
        try db.makeOrg("lonely", events: 3)
        try db.exec("ALTER TABLE events.domain_events RENAME TO domain_events_old")
        let r = try CommandRunner.chainAudit(["verify", "--org", "lonely", "--db", db.auditorDSN])
        #expect(r.exitCode == 2, "\(r.allOutput)")
        #expect(r.stderr.contains("events.domain_events"), "\(r.stderr)")
    }

    static func socketDirectory() throws -> String {
        let dsn = try TestEnvironment.adminDSN()
        let host = dsn.split(separator: " ").first { $0.hasPrefix("host=") }
        return try #require(host.map { String($0.dropFirst(5)) })
    }

    static func port() throws -> String {
        let dsn = try TestEnvironment.adminDSN()
        let port = dsn.split(separator: " ").first { $0.hasPrefix("port=") }
        return try #require(port.map { String($0.dropFirst(5)) })
    }
}
