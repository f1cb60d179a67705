import ChainVerify
import Foundation
import Testing

/// The audit commands' help and usage errors, without a database.
@Suite("chain-audit check, tenants, sessions and explain: help and usage")
struct AuditCommandLineTests {
    static let common = [
        "--org", "--all-orgs", "--db", "--config", "--format", "--output", "--metrics-file", "--accept",
        "--accept-file", "--strict", "--max-findings", "DATABASE_URL", "GITHUB_STEP_SUMMARY",
    ]

    @Test(arguments: [
        (
            "check",
            common + ["--probe-role", "--max-session-age", "--expect-activity-within", "chain-audit --org SLUG"]
        ),
        ("tenants", common + ["--probe-role", "app.current_org_id"]),
        ("sessions", common + ["--max-session-age", "--expect-activity-within"]),
        ("explain", ["--org", "--seq", "--db", "--config", "--format"]),
    ])
    func helpListsEveryOptionAndTheExitCodes(_ command: String, _ words: [String]) throws {
        for arguments in [[command, "--help"], ["help", command]] {
            let r = try CommandRunner.chainAudit(arguments)
            #expect(r.exitCode == 0)
            #expect(r.stderr.isEmpty)
            for word in words { #expect(r.stdout.contains(word), "\(command) help names \(word)") }
            for code in ["  0 ", "  1 ", "  2 ", "  64 "] { #expect(r.stdout.contains(code)) }
            #expect(r.stdout.split(separator: "\n").allSatisfy { $0.count <= 120 }, "help fits 120 columns")
        }
    }

    @Test func theToolHelpNamesEveryCommandAndTheShorthand() throws {
        let r = try CommandRunner.chainAudit(["--help"])
        for word in ["verify", "tenants", "sessions", "check", "explain", "chain-audit --org SLUG"] {
            #expect(r.stdout.contains(word))
        }
    }

    @Test(arguments: [
        (["check"], "name the orgs to check"),
        (["--all-orgs", "--org", "a"], "--org and --all-orgs cannot be combined"),
        (["tenants", "--org", "a", "--format", "xml"], "unknown format 'xml' (expected text, json, junit or github)"),
        (
            ["sessions", "--org", "a", "--max-session-age", "a day"],
            "--max-session-age needs a span like 90s, 30m, 24h or 7d"
        ),
        (["check", "--org", "a", "--expect-activity-within", "0"], "--expect-activity-within needs a span above 0"),
        (["sessions", "--org", "a", "--probe-role", "x"], "unknown option '--probe-role'"),
        (["tenants", "--org", "a", "--max-session-age", "1h"], "unknown option '--max-session-age'"),
        (["tenants", "--org", "a", "--probe-role", ""], "--probe-role: an empty name is not an identifier"),
        (
            ["--org", "a", "--accept", "rls_off"],
            "--accept: unknown finding code 'rls_off' (docs/report.md lists the codes)"
        ),
        (["--org", "a", "--accept", "rls_disabled:"], "--accept: 'rls_disabled:' has an empty target after the colon"),
        (["--org", "a", "--accept-file", "/nonexistent/accepted"], "cannot read --accept-file /nonexistent/accepted"),
        (["--org", "a", "--config", "/nonexistent/c.json"], "cannot read --config /nonexistent/c.json"),
        (["--org", "a", "--output", ""], "--output needs a file name"),
        (
            ["--org", "a", "--output", "x.prom", "--metrics-file", "x.prom"],
            "--output and --metrics-file must be different files"
        ),
        (["--org", "a", "--max-findings", "many"], "--max-findings needs a whole number >= 0"),
        (["--org", "a", "stray"], "unexpected argument 'stray'"),
        (["--bogus"], "unknown option '--bogus' (see 'chain-audit check --help')"),
    ])
    func usageErrorsExit64WithOneLine(_ arguments: [String], _ message: String) throws {
        let r = try CommandRunner.chainAudit(arguments)
        #expect(r.exitCode == 64, "\(arguments): \(r.allOutput)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func anAcceptFileLineThatIsNotACodeNamesItsLine() throws {
        let dir = try TemporaryDirectory()
        try dir.write("accepted.txt", "# ok\nrls_disabled:public.x\n\nrls_disabld\n")
        let r = try CommandRunner.chainAudit(["--org", "a", "--accept-file", dir.path("accepted.txt")])
        #expect(r.exitCode == 64)
        #expect(
            r.stderr.hasPrefix("chain-audit: error: \(dir.path("accepted.txt")):4: unknown finding code 'rls_disabld'"))
    }

    @Test(arguments: [("30", 30.0), ("90s", 90), ("30m", 1800), ("24h", 86_400), ("7d", 604_800), ("0", 0)])
    func spansParse(_ text: String, _ seconds: Double) {
        #expect(TimeSpan(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "h", "1.5h", "-1h", "1w", "１h", "99999999999d"])
    func badSpansDoNot(_ text: String) {
        #expect(TimeSpan(parsing: text) == nil)
    }
}
