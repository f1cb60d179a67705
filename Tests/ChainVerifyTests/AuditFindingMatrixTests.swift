import ChainVerify
import EventModel
import Foundation
import Testing

/// One violation seeded into an intact copy of the samples, and exactly what `chain-audit --org smoke` must find.
struct SeededViolation: Sendable, CustomTestStringConvertible {
    let name: String
    /// The codes the run must report, exactly.
    let expected: Set<String>
    /// The exit code: 1 for error-level findings, 0 when there are only warnings.
    var exitCode: Int32 = 1
    /// Arguments after `--org smoke`.
    var arguments: [String] = []
    /// A --config file's contents, when the case needs one.
    var config: String?
    /// Changes the database; gets the other org, acme.
    let seed: @Sendable (TestDatabase, OrgIdentity) throws -> Void

    var testDescription: String { name }

    static let smoke = TestDatabase.smoke
    static let smokeUser = UUID(uuidString: "5e0c0a1d-0000-4000-8000-000000000001")!

    static func sql(_ text: String) -> @Sendable (TestDatabase, OrgIdentity) throws -> Void {
        { db, acme in try db.exec(text.replacingOccurrences(of: ":acme", with: "'\(acme.id.lowercased)'::uuid")) }
    }

    static func tampered(_ text: String) -> @Sendable (TestDatabase, OrgIdentity) throws -> Void {
        { db, acme in try db.tamper(text.replacingOccurrences(of: ":acme", with: "'\(acme.id.lowercased)'::uuid")) }
    }

    static func acmeSession(_ db: TestDatabase, _ acme: OrgIdentity) throws -> UUID {
        try #require(
            db.scalar("SELECT id FROM agents.sessions WHERE org_id = $1::uuid", [acme.id.lowercased])
                .flatMap(UUID.init(uuidString:)))
    }

    static func acmeUser(_ db: TestDatabase, _ acme: OrgIdentity) throws -> UUID {
        try #require(
            db.scalar("SELECT id FROM public.users WHERE org_id = $1::uuid", [acme.id.lowercased])
                .flatMap(UUID.init(uuidString:)))
    }

    static let smokeOrgLiteral = "'5e0c0a1d-0000-4000-8000-00000000f020'::uuid"

    static let all: [SeededViolation] = [
        // Tenant isolation: the schema.
        SeededViolation(
            name: "row level security disabled on agents.sessions",
            expected: ["rls_disabled", "probe_cross_org_visible", "probe_unscoped_visible"],
            seed: sql("ALTER TABLE agents.sessions DISABLE ROW LEVEL SECURITY")),
        SeededViolation(
            name: "row level security not forced on agents.sessions", expected: ["rls_not_forced"],
            seed: sql("ALTER TABLE agents.sessions NO FORCE ROW LEVEL SECURITY")),
        SeededViolation(
            name: "the policy on agents.sessions dropped",
            expected: ["rls_policy_missing", "probe_own_rows_hidden"],
            seed: sql("DROP POLICY tenant_isolation ON agents.sessions")),
        SeededViolation(
            name: "a permissive read-all policy added to agents.sessions",
            expected: ["rls_policy_permissive", "probe_cross_org_visible", "probe_unscoped_visible"],
            seed: sql("CREATE POLICY read_all ON agents.sessions FOR SELECT USING (true)")),
        SeededViolation(
            name: "public.users.org_id made nullable", expected: ["org_id_nullable"],
            seed: sql("ALTER TABLE public.users ALTER COLUMN org_id DROP NOT NULL")),
        SeededViolation(
            name: "a user of no org (foreign key bypassed)", expected: ["orphan_org_id"],
            seed: tampered(
                """
                INSERT INTO public.users (org_id, email) VALUES ('00000000-0000-4000-8000-0000000000aa', 'ghost@x')
                """)),
        SeededViolation(
            name: "an event of no org (found through the index)", expected: ["orphan_org_id"],
            seed: tampered(
                """
                INSERT INTO events.domain_events (org_id, seq, event_type, aggregate_type, aggregate_id,
                    payload, occurred_at, prev_hash, hash)
                VALUES ('00000000-0000-4000-8000-0000000000aa', 1, 'ghost', 'x', public.gen_random_uuid(), '{}',
                        now(), decode(repeat('00', 32), 'hex'), public.digest('x', 'sha256'))
                """)),
        // Tenant isolation: cross-org references.
        SeededViolation(
            name: "a smoke event naming acme's session", expected: ["cross_org_session_event"],
            seed: { db, acme in
                try db.event(smoke, "agent.message", "session", try acmeSession(db, acme))
            }),
        SeededViolation(
            name: "a smoke session of acme's user", expected: ["cross_org_session_user"],
            seed: { db, acme in
                let user = try acmeUser(db, acme)
                try db.addSession(org: smoke, user: user, session: UUID(), login: true)
            }),
        SeededViolation(
            name: "smoke's chain spliced onto acme's",
            expected: ["spliced_chain", "link_mismatch", "content_mismatch"],
            seed: tampered(
                """
                UPDATE events.domain_events SET prev_hash =
                    (SELECT hash FROM events.domain_events WHERE org_id = :acme AND seq = 1)
                WHERE org_id = \(smokeOrgLiteral) AND seq = 3
                """)),
        // Tenant isolation: the live probe.
        SeededViolation(
            name: "an events policy that admits every org once any is set", expected: ["probe_cross_org_visible"],
            seed: sql(
                """
                ALTER POLICY tenant_isolation ON events.domain_events USING (
                    NULLIF(current_setting('app.current_org_id', true), '') IS NOT NULL AND org_id IS NOT NULL)
                """)),
        SeededViolation(
            name: "an events policy that fails open with no org set", expected: ["probe_unscoped_visible"],
            seed: sql(
                """
                ALTER POLICY tenant_isolation ON events.domain_events USING (
                    org_id = COALESCE(NULLIF(current_setting('app.current_org_id', true), '')::uuid, org_id))
                """)),
        SeededViolation(
            name: "an events policy that reads another setting", expected: ["probe_own_rows_hidden"],
            seed: sql(
                """
                ALTER POLICY tenant_isolation ON events.domain_events USING (
                    org_id = NULLIF(current_setting('app.org', true), '')::uuid)
                """)),
        SeededViolation(
            name: "probing as a superuser", expected: ["probe_role_bypasses_rls"],
            arguments: ["--probe-role", "postgres"], seed: { _, _ in }),
        SeededViolation(
            name: "no probe role exists (a warning)", expected: ["probe_not_run"], exitCode: 0,
            config: #"{"application_role": "ca_no_such_role"}"#, seed: { _, _ in }),
        // Sessions.
        SeededViolation(
            name: "a closed session without its start event", expected: ["session_start_missing"],
            seed: { db, _ in try db.addSession(org: smoke, user: smokeUser, session: UUID(), start: false) }),
        SeededViolation(
            name: "a closed session without its end event", expected: ["session_end_missing"],
            seed: { db, _ in try db.addSession(org: smoke, user: smokeUser, session: UUID(), end: false) }),
        SeededViolation(
            name: "a session ended before it started, in the chain", expected: ["session_events_out_of_order"],
            seed: { db, _ in
                let session = UUID()
                try db.addSession(org: smoke, user: smokeUser, session: session, start: false, end: true)
                try db.event(smoke, "session.started", "session", session)
            }),
        SeededViolation(
            name: "a session whose ended_at is before its started_at", expected: ["session_times_inverted"],
            seed: { db, _ in
                let session = UUID()
                try db.addSession(org: smoke, user: smokeUser, session: session)
                try db.query(
                    "UPDATE agents.sessions SET ended_at = started_at - interval '1 minute' WHERE id = $1::uuid",
                    [session.lowercased])
            }),
        SeededViolation(
            name: "a session.ended event but no ended_at", expected: ["session_end_unrecorded"],
            seed: { db, _ in
                try db.addSession(org: smoke, user: smokeUser, session: UUID(), endedAt: false, startedAt: "now")
            }),
        SeededViolation(
            name: "a session open for two days (a warning)", expected: ["session_open_too_long"], exitCode: 0,
            seed: { db, _ in
                let session = UUID()
                try db.query(
                    """
                    INSERT INTO agents.sessions (id, org_id, user_id, started_at)
                    VALUES ($1::uuid, $2::uuid, $3::uuid, now() - interval '2 days')
                    """, [session.lowercased, smoke.id.lowercased, smokeUser.lowercased])
                try db.event(smoke, "session.started", "session", session)
            }),
        SeededViolation(
            name: "a session started twice (a warning)", expected: ["session_event_repeated"], exitCode: 0,
            seed: { db, _ in
                let session = UUID()
                try db.addSession(org: smoke, user: smokeUser, session: session)
                try db.event(smoke, "session.started", "session", session)
            }),
        SeededViolation(
            name: "session events of a session that does not exist (a warning)", expected: ["session_unknown"],
            exitCode: 0, seed: { db, _ in try db.event(smoke, "session.started", "session", UUID()) }),
        SeededViolation(
            name: "a user with a session but no login", expected: ["login_missing"],
            seed: { db, _ in
                let user = UUID()
                try db.query(
                    "INSERT INTO public.users (id, org_id, email) VALUES ($1::uuid, $2::uuid, 'new@x')",
                    [user.lowercased, smoke.id.lowercased])
                try db.addSession(org: smoke, user: user, session: UUID())
            }),
        SeededViolation(
            name: "no login or closed session in the last hour", expected: ["activity_missing"],
            arguments: ["--expect-activity-within", "1h"], seed: { _, _ in }),
        // The chain, through check.
        SeededViolation(
            name: "a smoke payload changed", expected: ["content_mismatch"],
            seed: tampered(
                "UPDATE events.domain_events SET payload = '{\"role\": \"x\"}' "
                    + "WHERE org_id = \(smokeOrgLiteral) AND seq = 3"
            )),
        SeededViolation(
            name: "smoke's chain head forged", expected: ["head_mismatch"],
            seed: tampered(
                "UPDATE events.chain_heads SET last_hash = public.digest('x', 'sha256') "
                    + "WHERE org_id = \(smokeOrgLiteral)"
            )),
        SeededViolation(
            name: "a smoke event deleted", expected: ["seq_gap"],
            seed: tampered("DELETE FROM events.domain_events WHERE org_id = \(smokeOrgLiteral) AND seq = 3")),
    ]
}

@Suite(
    "Every finding code, seeded and detected by chain-audit --org smoke in every format",
    .enabled(if: TestEnvironment.databaseTestsEnabled))
struct AuditFindingMatrixTests {
    @Test(arguments: SeededViolation.all)
    func aSeededViolationFailsTheGateWithItsCodeInEveryFormat(_ violation: SeededViolation) throws {
        let (db, acme) = try TestDatabase.smokeAndAcme("seed")
        var arguments = ["--org", "smoke"] + violation.arguments
        let configFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "ca-config-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: configFile) }
        if let config = violation.config {
            try config.write(to: configFile, atomically: true, encoding: .utf8)
            arguments += ["--config", configFile.path]
        }
        let intact = try db.chainAudit(["--org", "smoke"])
        #expect(intact.exitCode == 0, "the intact samples pass first: \(intact.allOutput)")
        try violation.seed(db, acme)

        let json = try db.chainAudit(arguments + ["--format", "json"])
        #expect(json.exitCode == violation.exitCode, "\(json.allOutput)")
        let report = try JSONReport(json.stdout)
        #expect(report.codes == violation.expected, "\(report.findings.map { "\($0["code"]!): \($0["detail"]!)" })")
        #expect(report.document["status"] as? String == (violation.exitCode == 1 ? "findings" : "ok"))
        #expect(try JSONSchemaCheck.problems(json.stdout) == "")
        for finding in report.findings {
            #expect((finding["remediation"] as? String)?.isEmpty == false)
            #expect(finding["target"] is String, "every finding has a target: \(finding)")
        }
        let errors = Set(
            report.findings.filter { $0["severity"] as? String == "error" }.compactMap { $0["code"] as? String })
        let warnings = violation.expected.subtracting(errors)

        let text = try db.chainAudit(arguments + ["--format", "text"])
        #expect(text.exitCode == violation.exitCode)
        for code in errors { #expect(text.stdout.contains("error: \(code)"), "\(code) in \(text.stdout)") }
        for code in warnings { #expect(text.stdout.contains("warning: \(code)"), "\(code) in \(text.stdout)") }
        #expect(
            text.stdout.split(separator: "\n").last?.hasPrefix(violation.exitCode == 1 ? "FINDINGS:" : "OK:") == true)

        let junit = try db.chainAudit(arguments + ["--format", "junit"])
        #expect(junit.exitCode == violation.exitCode)
        #expect(try XMLLint.junitProblems(junit.stdout) == "")
        let failures = try XMLLint.xpath(junit.stdout, "string(//testsuites/@failures)")
        #expect(((Int(failures) ?? -1) > 0) == !errors.isEmpty, "failures=\(failures)")
        let failureText = try XMLLint.xpath(junit.stdout, "//failure/text()")
        let notes = try XMLLint.xpath(junit.stdout, "//system-out/text()")
        for code in errors { #expect(failureText.contains("error: \(code)"), "\(code) in \(junit.stdout)") }
        for code in warnings { #expect(notes.contains("warning: \(code)"), "\(code) in \(junit.stdout)") }

        let github = try db.chainAudit(arguments + ["--format", "github"])
        #expect(github.exitCode == violation.exitCode)
        let annotations = github.stdout.split(separator: "\n").filter { $0.hasPrefix("::") }
        for code in errors {
            #expect(
                annotations.contains { $0.hasPrefix("::error title=") && $0.contains(code) },
                "\(code): \(github.stdout)")
        }
        for code in warnings {
            #expect(
                annotations.contains { $0.hasPrefix("::warning title=") && $0.contains(code) },
                "\(code): \(github.stdout)")
        }
        #expect(annotations.count == report.findings.count)
    }

    @Test func everyCodeExceptTheCheckpointsIsSeededHereOrInTheTamperMatrix() {
        var seeded = Set(SeededViolation.all.flatMap(\.expected))
        for tamper in TamperCase.all { seeded.formUnion(tamper.expected.map(\.0.rawValue)) }
        let all = Set(Finding.Kind.allCases.map(\.rawValue))
        // The checkpoint codes need a signed checkpoint; CheckpointTests seeds and detects both.
        #expect(all.subtracting(seeded) == ["checkpoint_mismatch", "chain_truncated"])
    }
}
