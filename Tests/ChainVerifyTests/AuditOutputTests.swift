import ChainVerify
import EventModel
import Foundation
import Testing

/// The outputs pipelines consume, each checked on its content: text, JSON, JUnit, GitHub annotations and
/// step summary, node_exporter metrics; atomic files; accepted findings and --strict.
@Suite("Audit outputs", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct AuditOutputTests {
    @Test func theIntactSamplesPassEveryCheckInEveryFormat() throws {
        let (db, acme) = try TestDatabase.smokeAndAcme("intact")
        let dir = try TemporaryDirectory()
        let text = try db.chainAudit(["check", "--all-orgs", "--metrics-file", dir.path("chain-audit.prom")])
        #expect(text.exitCode == 0, "\(text.allOutput)")
        #expect(text.stderr.isEmpty)
        #expect(
            text.stdout.hasSuffix("OK: 2 orgs; chain, tenants, sessions passed (0 errors, 0 warnings, 0 accepted)\n"))
        #expect(
            text.stdout.contains(
                """
                smoke (5e0c0a1d-0000-4000-8000-00000000f020)
                  chain     ok         5 events verified, head seq 5 \
                32cd7813730747995c3a3775cc85d5a2ff498282724334e0e0935b5a0ae6d82f
                  tenants   ok         cross-org references checked; probe: 4 tables (4 with other orgs' rows)
                  sessions  ok         1 session (1 closed, 0 open), 1 user with sessions
                """), "\(text.stdout)")

        let json = try db.chainAudit(["check", "--all-orgs", "--format", "json"])
        #expect(json.exitCode == 0)
        #expect(try JSONSchemaCheck.problems(json.stdout) == "")
        let report = try JSONReport(json.stdout)
        #expect(report.document["status"] as? String == "ok")
        #expect(report.document["command"] as? String == "check")
        #expect(report.document["checks"] as? [String] == ["chain", "tenants", "sessions"])
        #expect(report.findings.isEmpty)
        for slug in ["smoke", "acme"] {
            for check in ["chain", "tenants", "sessions"] {
                #expect(report.checkStatus(slug, check) == "ok", "\(slug) \(check)")
            }
        }
        #expect(report.org("smoke")?["events_verified"] as? Int == 5)
        #expect(report.org("acme")?["events_verified"] as? Int == 23)  // 20, then a login, a session start and end
        let sessions = (report.org("smoke")?["checks"] as? [[String: Any]])?.first {
            $0["check"] as? String == "sessions"
        }
        #expect(
            sessions?["stats"] as? [String: Int] == [
                "sessions": 1, "sessions_closed": 1, "sessions_open": 0,
                "users_with_sessions": 1,
            ])
        let database = try #require(report.databaseChecks.first)
        #expect(database["status"] as? String == "ok")
        #expect((database["stats"] as? [String: Int])?["org_scoped_tables"] == 4)
        #expect(report.document["summary"] as? [String: Int] == ["errors": 0, "warnings": 0, "accepted": 0])

        for command in ["verify", "tenants", "sessions"] {
            let other = try db.chainAudit([command, "--all-orgs", "--format", "json"])
            #expect(other.exitCode == 0, "\(command): \(other.allOutput)")
            #expect(try JSONSchemaCheck.problems(other.stdout) == "", "\(command)")
            let doc = try JSONReport(other.stdout)
            #expect(doc.document["command"] as? String == command)
            #expect((doc.org("smoke")?["events_verified"] as? Int) == (command == "verify" ? 5 : nil))
        }

        let junit = try db.chainAudit(["check", "--all-orgs", "--format", "junit"])
        #expect(junit.exitCode == 0)
        #expect(try XMLLint.junitProblems(junit.stdout) == "")
        #expect(try XMLLint.xpath(junit.stdout, "string(/testsuites/@tests)") == "7")
        #expect(try XMLLint.xpath(junit.stdout, "string(/testsuites/@failures)") == "0")
        #expect(try XMLLint.xpath(junit.stdout, "string(/testsuites/@errors)") == "0")
        #expect(try XMLLint.xpath(junit.stdout, "count(//testsuite[@name='org smoke']/testcase)") == "3")
        #expect(
            try XMLLint.xpath(
                junit.stdout, "string(//testsuite[@name='org acme']/properties/property[@name='org_id']/@value)")
                == acme.id.lowercased)

        let github = try db.chainAudit(["check", "--all-orgs", "--format", "github"])
        #expect(github.exitCode == 0)
        #expect(!github.stdout.contains("::"), "no annotations on a clean run: \(github.stdout)")
        #expect(github.stdout.hasSuffix(text.stdout.split(separator: "\n").last.map { $0 + "\n" } ?? "?"))

        let metrics = try PrometheusText(parsing: try dir.read("chain-audit.prom"))
        #expect(metrics.value("chain_audit_events_verified", ["org": "smoke"]) == 5)
        #expect(metrics.value("chain_audit_events_verified", ["org": "acme", "org_id": acme.id.lowercased]) == 23)
        #expect(metrics.samples("chain_audit_findings").count == 2 * 3 * 2 + 2)
        #expect(metrics.samples("chain_audit_findings").allSatisfy { $0.value == 0 })
        let success = try #require(metrics.value("chain_audit_last_success_timestamp_seconds", ["org": "smoke"]))
        #expect(abs(success - Date().timeIntervalSince1970) < 120)
        #expect(metrics.samples("chain_audit_run_duration_seconds").count == 2)
        #expect(Set(metrics.types.values) == ["gauge"])
        #expect(Set(metrics.help.keys) == Set(RunReport.metricNames))
    }

    @Test func metricsKeepTheLastSuccessOfAFailingOrgAndArePromtoolClean() throws {
        let (db, acme) = try TestDatabase.smokeAndAcme("metrics")
        let dir = try TemporaryDirectory()
        let file = dir.path("chain_audit.prom")
        #expect(try db.chainAudit(["--all-orgs", "--metrics-file", file]).exitCode == 0)
        let first = try PrometheusText(parsing: try dir.read("chain_audit.prom"))
        let acmeSuccess = try #require(first.value("chain_audit_last_success_timestamp_seconds", ["org": "acme"]))
        #expect(chmod(file, 0o640) == 0)
        try db.tamper(
            "UPDATE events.domain_events SET event_type = 'x' WHERE org_id = '\(acme.id.lowercased)' AND seq = 7")
        Thread.sleep(forTimeInterval: 0.01)
        let failing = try db.chainAudit(["--all-orgs", "--metrics-file", file, "--format", "json"])
        #expect(failing.exitCode == 1)
        let text = try dir.read("chain_audit.prom")
        let second = try PrometheusText(parsing: text)
        #expect(second.value("chain_audit_last_success_timestamp_seconds", ["org": "acme"]) == acmeSuccess)
        let smokeSuccess = try #require(second.value("chain_audit_last_success_timestamp_seconds", ["org": "smoke"]))
        #expect(smokeSuccess > acmeSuccess)
        #expect(second.value("chain_audit_findings", ["org": "acme", "check": "chain", "severity": "error"]) == 1)
        #expect(second.value("chain_audit_findings", ["org": "smoke", "check": "chain", "severity": "error"]) == 0)
        // Written atomically: the mode of the replaced file is kept, and no temporary file is left behind.
        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(try dir.names() == ["chain_audit.prom"])
        if let promtool = try Promtool.check(text) {
            #expect(promtool.exitCode == 0, "promtool: \(promtool.allOutput)")
        }
    }

    @Test func theStrictMetricsReaderRejectsWhatTheTextfileCollectorWould() {
        let good = "# HELP a_b x\n# TYPE a_b gauge\na_b{l=\"v\\\"q\\\\\\n\"} 1.5\n"
        #expect((try? PrometheusText(parsing: good))?.value("a_b", ["l": "v\"q\\\n"]) == 1.5)
        for bad in [
            "# HELP a x\n# TYPE a gauge\na 1 1700000000000\n",  // a sample timestamp
            "a 1\n",  // no TYPE
            "# HELP a x\n# TYPE a gauge\na 1",  // no final newline
            "# HELP a x\n# TYPE a gauge\na{l=\"x\",l=\"y\"} 1\n",  // a repeated label
            "# HELP a x\n# TYPE a gauge\na{l=\"x\\t\"} 1\n",  // an unknown escape
            "# HELP a x\n# TYPE a gauge\na 1\na 2\n",  // a duplicate series
            "# HELP a x\n# TYPE a gauge\na one\n",  // not a number
        ] {
            #expect(throws: PrometheusText.ParseError.self, "\(bad.debugDescription)") {
                try PrometheusText(parsing: bad)
            }
        }
    }

    @Test func junitAndGitHubAndTheSummaryEscapeHostileNames() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("hostile")
        let name = "we<i>rd & \"q\" 'n' %25:a,b|c\nd\u{1}"
        let quoted = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try db.exec("CREATE TABLE public.\(quoted) (org_id uuid NOT NULL)")
        try db.exec("GRANT SELECT ON public.\(quoted) TO chain_gate")
        let dir = try TemporaryDirectory()
        try dir.write("summary.md", "earlier step\n")

        let junit = try db.chainAudit(["tenants", "--org", "smoke", "--format", "junit"])
        #expect(junit.exitCode == 1)
        #expect(try XMLLint.junitProblems(junit.stdout) == "")
        let failure = try XMLLint.xpath(junit.stdout, "string(//testsuite[@name='database']//failure)")
        #expect(failure.contains("rls_disabled at public.we<i>rd & \"q\" 'n' %25:a,b|c\nd\\u{1}"), "\(failure)")

        let github = try db.chainAudit(
            ["tenants", "--org", "smoke", "--format", "github"],
            environment: ["GITHUB_STEP_SUMMARY": dir.path("summary.md")])
        #expect(github.exitCode == 1)
        let line = try #require(
            github.stdout.split(separator: "\n").first { $0.hasPrefix("::error title=") && $0.contains("rls_disabled") }
        )
        let title = try #require(line.dropFirst("::error title=".count).components(separatedBy: "::").first)
        #expect(
            title
                == "chain-audit%3A database tenants%3A rls_disabled at "
                + "public.we<i>rd & \"q\" 'n' %2525%3Aa%2Cb|c%0Ad\u{1}"
        )
        #expect(Self.unescapeProperty(title) == "chain-audit: database tenants: rls_disabled at public.\(name)")
        let message = String(line[line.range(of: "::", options: .backwards)!.upperBound...])
        #expect(message.contains("%0Afix: "))
        #expect(!message.contains("\n"))

        let summary = try dir.read("summary.md")
        #expect(summary.hasPrefix("earlier step\n## chain-audit tenants: ❌ FINDINGS\n"), "\(summary)")
        let row = try #require(
            summary.split(separator: "\n").first { $0.hasPrefix("| error | database | tenants | rls_disabled |") })
        #expect(row.filter { $0 == "|" }.count == 7, "cells are escaped: \(row)")
        #expect(row.contains("we&lt;i&gt;rd &amp; \"q\" 'n' %25:a,b&#124;c d"))
        #expect(summary.contains("| smoke | ❌ 1 finding |") || summary.contains("| smoke | ✅ ok |"))
    }

    static func unescapeProperty(_ s: String) -> String {
        s.replacingOccurrences(of: "%2C", with: ",").replacingOccurrences(of: "%3A", with: ":")
            .replacingOccurrences(of: "%0A", with: "\n").replacingOccurrences(of: "%0D", with: "\r")
            .replacingOccurrences(of: "%25", with: "%")
    }

    @Test func workflowCommandsEscapeAsTheActionsToolkitDoes() {
        #expect(WorkflowCommand.escapeData("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext: a,b")
        #expect(WorkflowCommand.escapeProperty("100% done\r\nnext: a,b") == "100%25 done%0D%0Anext%3A a%2Cb")
        #expect(
            WorkflowCommand.annotation("error", title: "t: 1,2", message: "m\nn")
                == "::error title=t%3A 1%2C2::m%0An\n")
    }

    @Test func inGitHubActionsAnnotationsAreOnByDefaultAndBesideAFileReport() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("actions")
        try db.exec("ALTER TABLE agents.sessions NO FORCE ROW LEVEL SECURITY")
        let dir = try TemporaryDirectory()
        let env = ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": dir.path("summary.md")]
        let plain = try db.chainAudit(["--org", "smoke"], environment: env)
        #expect(plain.exitCode == 1)
        #expect(
            plain.stdout.hasPrefix(
                "::error title=chain-audit%3A database tenants%3A rls_not_forced at agents.sessions::"))
        let file = try db.chainAudit(
            ["--org", "smoke", "--format", "junit", "--output", dir.path("chain-audit.xml")],
            environment: env)
        #expect(file.exitCode == 1)
        #expect(file.stdout.hasPrefix("::error title=chain-audit%3A database tenants%3A rls_not_forced"))
        #expect(file.stdout.contains("\n    error: rls_not_forced at agents.sessions: "))
        #expect(file.stdout.hasSuffix("FINDINGS: 1 org; 1 error, 0 warnings, 0 accepted\n"))
        #expect(try XMLLint.junitProblems(try dir.read("chain-audit.xml")) == "")
        // Outside GitHub Actions a file report leaves the text report on stdout, without annotations.
        let local = try db.chainAudit(["--org", "smoke", "--format", "json", "--output", dir.path("report.json")])
        #expect(local.stdout == (try db.chainAudit(["--org", "smoke"])).stdout)
        #expect(!local.stdout.contains("::"))
        #expect(try JSONReport(try dir.read("report.json")).codes == ["rls_not_forced"])
        // Two runs, two summaries appended.
        #expect(try dir.read("summary.md").components(separatedBy: "## chain-audit check: ❌ FINDINGS").count == 3)
    }

    @Test func reportFilesAreReplacedWholeOrNotAtAll() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("atomic")
        let dir = try TemporaryDirectory()
        try dir.write("report.json", "old")
        let ok = try db.chainAudit(["--org", "smoke", "--format", "json", "--output", dir.path("report.json")])
        #expect(ok.exitCode == 0)
        #expect(try JSONReport(try dir.read("report.json")).document["status"] as? String == "ok")
        #expect(try dir.names() == ["report.json"])

        let missing = try db.chainAudit(["--org", "smoke", "--output", dir.path("no/such/dir/report.txt")])
        #expect(missing.exitCode == 2, "\(missing.allOutput)")
        #expect(
            missing.stderr
                == "chain-audit: error: --output: cannot write \(dir.path("no/such/dir/report.txt")): "
                + "No such file or directory\n"
        )

        try FileManager.default.createDirectory(atPath: dir.path("taken"), withIntermediateDirectories: false)
        let directory = try db.chainAudit(["--org", "smoke", "--metrics-file", dir.path("taken")])
        #expect(directory.exitCode == 2, "\(directory.allOutput)")
        #expect(directory.stderr.hasPrefix("chain-audit: error: --metrics-file: cannot write \(dir.path("taken")): "))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("taken")).isEmpty)
        #expect(try dir.names() == ["report.json", "taken"], "no temporary file is left behind")
    }

    @Test func acceptedFindingsAreNotesAndUnmatchedAcceptancesAreWarned() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("accept")
        try db.exec("ALTER TABLE agents.sessions NO FORCE ROW LEVEL SECURITY")
        try db.tamper(
            "UPDATE events.domain_events SET payload = '{}' "
                + "WHERE org_id = '\(TestDatabase.smoke.id.lowercased)' AND seq = 4"
        )
        let dir = try TemporaryDirectory()
        try dir.write(
            "accepted.txt",
            """
            # known and tracked in TICKET-1
            rls_not_forced:agents.sessions   # until the migration lands

            content_mismatch:4
            """)
        let accepted = try db.chainAudit([
            "--org", "smoke", "--accept-file", dir.path("accepted.txt"), "--format", "json",
        ])
        #expect(accepted.exitCode == 0, "\(accepted.allOutput)")
        let report = try JSONReport(accepted.stdout)
        #expect(report.document["status"] as? String == "ok")
        #expect(report.document["summary"] as? [String: Int] == ["errors": 0, "warnings": 0, "accepted": 2])
        #expect(report.findings.allSatisfy { $0["accepted"] as? Bool == true })
        #expect(report.codes == ["rls_not_forced", "content_mismatch"])

        let junit = try db.chainAudit([
            "--org", "smoke", "--accept-file", dir.path("accepted.txt"), "--format", "junit",
        ])
        #expect(junit.exitCode == 0)
        #expect(try XMLLint.xpath(junit.stdout, "string(/testsuites/@failures)") == "0")
        #expect(
            try XMLLint.xpath(junit.stdout, "//system-out/text()").contains(
                "accepted: rls_not_forced at agents.sessions"))
        let github = try db.chainAudit([
            "--org", "smoke", "--accept", "rls_not_forced", "--accept", "content_mismatch:seq 4",
            "--format", "github",
        ])
        #expect(github.exitCode == 0)
        #expect(github.stdout.split(separator: "\n").filter { $0.hasPrefix("::notice title=") }.count == 2)

        let wrong = try db.chainAudit([
            "--org", "smoke", "--accept", "rls_not_forced:public.users", "--accept", "content_mismatch",
        ])
        #expect(wrong.exitCode == 1)
        #expect(
            wrong.stderr == "chain-audit: warning: --accept rls_not_forced:public.users (--accept) matched no finding\n"
        )
        #expect(wrong.stdout.contains("accepted: content_mismatch at seq 4"))
    }

    @Test func warningsFailOnlyUnderStrict() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("strict")
        try db.event(TestDatabase.smoke, "session.started", "session", UUID())
        let lenient = try db.chainAudit(["sessions", "--org", "smoke", "--format", "junit"])
        #expect(lenient.exitCode == 0)
        #expect(try XMLLint.xpath(lenient.stdout, "string(/testsuites/@failures)") == "0")
        #expect(try XMLLint.xpath(lenient.stdout, "//system-out/text()").contains("warning: session_unknown"))
        let strict = try db.chainAudit(["sessions", "--org", "smoke", "--format", "junit", "--strict"])
        #expect(strict.exitCode == 1)
        #expect(try XMLLint.xpath(strict.stdout, "string(//failure/@type)") == "session_unknown")
        let json = try db.chainAudit(["sessions", "--org", "smoke", "--format", "json", "--strict"])
        let report = try JSONReport(json.stdout)
        #expect(report.document["strict"] as? Bool == true)
        #expect(report.checkStatus("smoke", "sessions") == "findings")
    }

    @Test func anIncompleteRunIsExitTwoInEveryFormat() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("incomplete")
        for format in ["text", "json", "junit", "github"] {
            let r = try db.chainAudit(["--org", "smoke", "--org", "nosuch", "--format", format])
            #expect(r.exitCode == 2, "\(format): \(r.allOutput)")
            #expect(r.stderr.contains("unknown org 'nosuch'"))
            switch format {
            case "json": #expect(try JSONReport(r.stdout).document["status"] as? String == "incomplete")
            case "junit":
                #expect(try XMLLint.junitProblems(r.stdout) == "")
                #expect(
                    try XMLLint.xpath(r.stdout, "string(//testsuite[@name='run']/testcase/error/@message)")
                        .contains("unknown org 'nosuch'"))
            case "github":
                #expect(r.stdout.hasPrefix("::error title=chain-audit%3A check could not complete::unknown org"))
            default:
                #expect(
                    r.stdout.hasSuffix(
                        "INCOMPLETE: 1 org; the chain, tenants, sessions check did not complete "
                            + "(0 errors, 0 warnings, 0 accepted)\n"
                    ))
            }
        }
        let role = try db.chainAudit(["tenants", "--org", "smoke", "--probe-role", "ca_nobody"])
        #expect(role.exitCode == 2)
        #expect(role.stderr.contains("probe role 'ca_nobody' does not exist"), "\(role.stderr)")
    }

    @Test func theProbeNeedsAnAuditorThatMayActAsTheApplicationRole() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("member")
        let role = "ca_auditor_\(UUID().uuidString.prefix(8).lowercased())"
        try db.exec(
            """
            CREATE ROLE \(role) LOGIN BYPASSRLS NOINHERIT;
            GRANT USAGE ON SCHEMA agents, events TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public, agents, events TO \(role)
            """)
        defer { _ = try? db.exec("DROP OWNED BY \(role); DROP ROLE \(role)") }
        let dsn = db.dsn.replacingOccurrences(of: "user=postgres", with: "user=\(role)")
        let outsider = try CommandRunner.chainAudit(["--org", "smoke", "--db", dsn])
        #expect(outsider.exitCode == 2, "\(outsider.allOutput)")
        #expect(outsider.stderr.contains("cannot act as role 'finnest_app' for the probe"), "\(outsider.stderr)")
        try db.exec("GRANT finnest_app TO \(role)")
        let member = try CommandRunner.chainAudit(["--org", "smoke", "--db", dsn])
        #expect(member.exitCode == 0, "\(member.allOutput)")
    }

    @Test func theAuditsNeverWrite() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("readonly")
        try db.exec("ALTER DATABASE \(db.name) SET default_transaction_read_only = on")
        let r = try CommandRunner.chainAudit(
            ["check", "--all-orgs", "--expect-activity-within", "3650d"],
            environment: ["DATABASE_URL": db.dsn])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let explain = try CommandRunner.chainAudit(
            ["explain", "--org", "smoke", "--seq", "2"], environment: ["DATABASE_URL": db.dsn])
        #expect(explain.exitCode == 0, "\(explain.allOutput)")
    }

    @Test func noAuditOutputContainsThePassword() throws {
        let (db, _) = try TestDatabase.smokeAndAcme("secret")
        try db.exec("ALTER TABLE agents.sessions NO FORCE ROW LEVEL SECURITY")
        let tcp = try TestEnvironment.tcpDSN()
        let password = try #require(tcp.split(separator: ":")[2].split(separator: "@").first.map(String.init))
        let uri = String(tcp.dropLast("postgres".count)) + db.name
        let dir = try TemporaryDirectory()
        for format in ["text", "json", "junit", "github"] {
            let r = try CommandRunner.chainAudit(
                [
                    "--org", "smoke", "--db", uri, "--format", format, "--output", dir.path("out"), "--metrics-file",
                    dir.path("m.prom"),
                ],
                environment: ["GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": dir.path("summary.md")])
            #expect(r.exitCode == 1, "\(r.allOutput)")
            #expect(!r.allOutput.contains(password))
            for file in try dir.names() { #expect(!(try dir.read(file)).contains(password), "\(file)") }
        }
        let wrong = try CommandRunner.chainAudit([
            "--org", "smoke", "--db", uri.replacingOccurrences(of: password, with: password + "x"),
            "--format", "junit",
        ])
        #expect(wrong.exitCode == 2)
        #expect(!wrong.allOutput.contains(password))
    }
}
