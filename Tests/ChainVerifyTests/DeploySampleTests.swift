import ChainVerify
import Foundation
import Testing

/// samples/kamal/post-deploy and samples/github/post-deploy-gate.yml run the gate for real.
@Suite("Deploy samples: the Kamal hook and the GitHub Actions job", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct DeploySampleTests {
    /// The samples with a smoke test that just ran: a fresh login and a closed session in the smoke org.
    static func freshSmoke(_ label: String) throws -> TestDatabase {
        let (db, _) = try TestDatabase.smokeAndAcme(label)
        let user = UUID(uuidString: "5e0c0a1d-0000-4000-8000-000000000001")!
        try db.addSession(org: TestDatabase.smoke, user: user, session: UUID(), login: true, startedAt: "now")
        return db
    }

    @Test func theKamalHookPassesAFreshDeployAndFailsABrokenOne() throws {
        let db = try Self.freshSmoke("kamal")
        let dir = try TemporaryDirectory()
        let hook = TestEnvironment.file("samples/kamal/post-deploy").path
        let env = [
            "CHAIN_AUDIT_DATABASE_URL": db.gateDSN, "CHAIN_AUDIT_BIN": try CommandRunner.chainAuditPath(),
            "CHAIN_AUDIT_REPORT_DIR": dir.path("reports"), "KAMAL_DESTINATION": "staging",
            "KAMAL_SERVICE_VERSION": "finnest@150b24f",
        ]
        let pass = try CommandRunner.run(hook, [], environment: env)
        #expect(pass.exitCode == 0, "\(pass.allOutput)")
        #expect(pass.stdout.hasPrefix("chain-audit: post-deploy gate for finnest@150b24f on staging\n"))
        #expect(
            pass.stdout.hasSuffix("OK: 1 org; chain, tenants, sessions passed (0 errors, 0 warnings, 0 accepted)\n"))
        let junit = try String(contentsOfFile: dir.path("reports/chain-audit.xml"), encoding: .utf8)
        #expect(try XMLLint.junitProblems(junit) == "")
        let metrics = try PrometheusText(
            parsing: try String(contentsOfFile: dir.path("reports/chain-audit.prom"), encoding: .utf8))
        #expect(metrics.value("chain_audit_last_success_timestamp_seconds", ["org": "smoke"]) != nil)

        try db.exec("DROP POLICY tenant_isolation ON events.chain_heads")
        let fail = try CommandRunner.run(hook, [], environment: env)
        #expect(fail.exitCode == 1, "\(fail.allOutput)")
        #expect(fail.stdout.contains("error: rls_policy_missing at events.chain_heads"))
        #expect(
            try XMLLint.xpath(
                try String(contentsOfFile: dir.path("reports/chain-audit.xml"), encoding: .utf8),
                "string(//testsuite[@name='database']/testcase/failure/@type)") == "rls_policy_missing")

        // A deploy whose smoke test wrote nothing is not a pass either.
        let (stale, _) = try TestDatabase.smokeAndAcme("kamalstale")
        let quiet = try CommandRunner.run(
            hook, [], environment: env.merging(["CHAIN_AUDIT_DATABASE_URL": stale.gateDSN]) { $1 })
        #expect(quiet.exitCode == 1)
        #expect(quiet.stdout.contains("error: activity_missing at user.logged_in"))
    }

    @Test func withoutADatabaseURLTheKamalHookRunsTheGateInsideTheAppContainer() throws {
        // Kamal (a Ruby gem) is not installable here; a stand-in `kamal` on PATH records its arguments and runs
        // the command it is given the way `kamal app exec --reuse` does, with the container's DATABASE_URL and
        // chain-audit on its PATH. The gate itself runs for real against the real server.
        let db = try Self.freshSmoke("kamalexec")
        let dir = try TemporaryDirectory()
        let bin = dir.path("bin")
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: "\(bin)/chain-audit", withDestinationPath: try CommandRunner.chainAuditPath())
        let kamal = "\(bin)/kamal"
        try Data(
            """
            #!/usr/bin/env bash
            printf '%s\\n' "$@" > "$KAMAL_ARGS_FILE"
            [ "$1 $2" = "app exec" ] || exit 97
            command=${!#}
            DATABASE_URL=$CONTAINER_DATABASE_URL exec bash -c "$command"
            """.utf8
        ).write(to: URL(fileURLWithPath: kamal))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: kamal)
        let hook = TestEnvironment.file("samples/kamal/post-deploy").path
        let env = [
            "PATH": "\(bin):" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
            "KAMAL_ARGS_FILE": dir.path("args"), "CONTAINER_DATABASE_URL": db.gateDSN,
            "KAMAL_DESTINATION": "staging", "KAMAL_SERVICE_VERSION": "finnest@150b24f",
        ]
        let pass = try CommandRunner.run(hook, [], environment: env)
        #expect(pass.exitCode == 0, "\(pass.allOutput)")
        #expect(
            try dir.read("args").split(separator: "\n") == [
                "app", "exec", "--primary", "--reuse", "--destination", "staging",
                "chain-audit --org smoke --expect-activity-within 30m",
            ])
        #expect(
            pass.stdout.hasSuffix("OK: 1 org; chain, tenants, sessions passed (0 errors, 0 warnings, 0 accepted)\n"),
            "\(pass.stdout)")

        try db.exec("ALTER TABLE agents.sessions NO FORCE ROW LEVEL SECURITY")
        let fail = try CommandRunner.run(hook, [], environment: env.merging(["KAMAL_DESTINATION": ""]) { $1 })
        #expect(fail.exitCode == 1, "the gate's exit code reaches kamal: \(fail.allOutput)")
        #expect(fail.stdout.contains("error: rls_not_forced at agents.sessions"), "\(fail.stdout)")
        #expect(
            try dir.read("args").split(separator: "\n") == [
                "app", "exec", "--primary", "--reuse", "chain-audit --org smoke --expect-activity-within 30m",
            ], "no --destination for the default destination")
    }

    /// The `run:` script and env of the workflow's gate step, read with Debian's python3-yaml.
    static func gateStep() throws -> (run: String, env: [String: String], document: [String: Any]) {
        let yaml = TestEnvironment.file("samples/github/post-deploy-gate.yml").path
        let r = try CommandRunner.run(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))",
                yaml,
            ])
        try #require(r.exitCode == 0, "\(r.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let job = try #require((document["jobs"] as? [String: Any])?["chain-audit"] as? [String: Any])
        let steps = try #require(job["steps"] as? [[String: Any]])
        let gate = try #require(steps.first { $0["name"] as? String == "chain-audit --org smoke" })
        let upload = try #require(steps.last)
        #expect(upload["uses"] as? String == "actions/upload-artifact@v4")
        #expect(upload["if"] as? String == "always()")
        #expect(job["environment"] as? String == "${{ inputs.environment }}")
        return (try #require(gate["run"] as? String), gate["env"] as? [String: String] ?? [:], document)
    }

    @Test func theGitHubActionsJobsGateStepPassesAndAnnotates() throws {
        let step = try Self.gateStep()
        #expect(step.env == ["DATABASE_URL": "${{ secrets.CHAIN_AUDIT_DATABASE_URL }}"])
        let db = try Self.freshSmoke("actions")
        let work = try TemporaryDirectory()
        try FileManager.default.createDirectory(
            atPath: work.path("chain-audit/.build/release"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: work.path("chain-audit/.build/release/chain-audit"),
            withDestinationPath: try CommandRunner.chainAuditPath())
        let script = "cd \(work.url.path) && set -e\n" + step.run
        let env = ["DATABASE_URL": db.gateDSN, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": work.path("summary.md")]
        let pass = try CommandRunner.run("/bin/bash", ["-c", script], environment: env)
        #expect(pass.exitCode == 0, "\(pass.allOutput)")
        #expect(!pass.stdout.contains("::error"))
        #expect(try XMLLint.junitProblems(try work.read("reports/chain-audit.xml")) == "")
        #expect(try work.read("summary.md").hasPrefix("## chain-audit check: ✅ OK\n"))

        try db.exec("ALTER TABLE public.users DISABLE ROW LEVEL SECURITY")
        let fail = try CommandRunner.run("/bin/bash", ["-c", script], environment: env)
        #expect(fail.exitCode == 1)
        #expect(
            fail.stdout.hasPrefix("::error title=chain-audit%3A database tenants%3A rls_disabled at public.users::"),
            "\(fail.stdout)")
        #expect(try work.read("summary.md").contains("## chain-audit check: ❌ FINDINGS"))
    }
}
