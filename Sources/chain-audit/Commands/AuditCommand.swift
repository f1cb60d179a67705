import ChainVerify
import Foundation

/// `chain-audit check`, `tenants` and `sessions`: the audits, with lint-style findings and every output format.
struct AuditCommand {
    /// The subcommand's name.
    let name: String
    /// The checks it runs.
    let checks: [AuditCheck]
    /// One line on what it does.
    let abstract: String
    /// The paragraph under it in help.
    let description: String

    /// `check`: chain verification, tenants and sessions in one run and one report.
    static let check = AuditCommand(
        name: "check", checks: [.chain, .tenants, .sessions],
        abstract: "Verify the chains, audit tenant isolation and session events: the post-deploy gate.",
        description: """
            Runs verify, tenants and sessions in one run with one report; `chain-audit --org smoke` is its
            shorthand. Each check of each org passes or fails on its own, and the run fails if any does.
            """)

    /// `tenants`: row level security, cross-org references and the live probe.
    static let tenants = AuditCommand(
        name: "tenants", checks: [.tenants],
        abstract: "Audit tenant isolation: row level security, cross-org references, and a live probe.",
        description: """
            Every table with an org_id column must have row level security enabled and forced, a policy that
            reads org_id, and org_id NOT NULL. Events naming another org's session, sessions naming another
            org's user, chains spliced across orgs and rows of no org are findings. The probe acts as the
            application role, in a read-only transaction, with app.current_org_id naming each org in turn:
            no other org's row may be visible, and none at all with the setting empty.
            """)

    /// `sessions`: agents.sessions against the session and login events.
    static let sessions = AuditCommand(
        name: "sessions", checks: [.sessions],
        abstract: "Audit sessions: every closed session has its start and end events, every user a login.",
        description: """
            Each agents.sessions row with ended_at must have session.started and session.ended events in its
            org's chain, in that order, with started_at <= ended_at; a session.ended event without ended_at is
            an error; a session open longer than --max-session-age is a warning; users with sessions must have
            user.logged_in events.
            """)

    /// The commands, by name.
    static let all = [check, tenants, sessions]

    var runsTenants: Bool { checks.contains(.tenants) }
    var runsSessions: Bool { checks.contains(.sessions) }

    var options: [OptionSpec] {
        var list = [
            OptionSpec(
                "--org", value: "SLUG|UUID", repeatable: true, help: "an org to check, by slug or uuid (repeatable)"),
            OptionSpec("--all-orgs", help: "check every org in public.orgs"),
            OptionSpec("--db", value: "DSN", help: "the database to read (see CONNECTION)"),
            OptionSpec(
                "--config", value: "FILE", help: "a JSON schema mapping: table, column and event names (docs/report.md)"
            ),
            OptionSpec(
                "--format", value: "text|json|junit|github",
                help: "report format (default: text; github when GITHUB_ACTIONS=true)"),
            OptionSpec(
                "--output", value: "FILE", help: "write the report to FILE atomically; stdout gets the text report"),
            OptionSpec(
                "--metrics-file", value: "FILE",
                help: "also write node_exporter textfile metrics to FILE (atomically)"),
            OptionSpec(
                "--accept", value: "CODE[:TARGET]", repeatable: true,
                help: "accept a known finding: it becomes a note, not a failure (repeatable)"),
            OptionSpec(
                "--accept-file", value: "FILE", repeatable: true,
                help: "accept every CODE[:TARGET] listed in FILE, one per line, # comments"),
            OptionSpec("--strict", help: "fail on warnings too"),
            OptionSpec(
                "--max-findings", value: "N",
                help: "findings listed per check and org, 0 for all (default: 10000); counts stay exact"),
            OptionSpec("--shard", value: "K/N", help: "only shard K of N of the orgs (a stable subset, by uuid)"),
            OptionSpec("--no-strict-orgs", help: "an unknown org is a warning, not a failure"),
            OptionSpec("--allow-non-utf8", help: "audit a database whose encoding is not UTF8 (never SQL_ASCII)"),
        ]
        if checks.contains(.chain) {
            list.append(OptionSpec("--jobs", "-j", value: "N", help: "connections per large org for the chain check (default: 1)"))
            list.append(
                OptionSpec(
                    "--retries", value: "N",
                    help: "retries of the chain check after a transient failure, resuming (default: 3)"))
        }
        if runsTenants {
            list.append(
                OptionSpec(
                    "--probe-role", value: "ROLE",
                    help: "probe isolation as ROLE (default: the config's application_role, finnest_app)"))
        }
        if runsSessions {
            list.append(
                OptionSpec(
                    "--max-session-age", value: "SPAN",
                    help: "warn on sessions open longer (default: 24h; 0 turns it off)"))
            list.append(
                OptionSpec(
                    "--expect-activity-within", value: "SPAN",
                    help: "require a login and a closed session this recent (e.g. 30m)"))
        }
        list.append(OptionSpec("--help", "-h", help: "show this help"))
        return list
    }

    var help: String {
        var extra = [
            """
            FINDINGS:
              Lint-style: a stable code, a severity (error or warning), the org, a target (table, session id
              or seq), a detail and a remediation; docs/report.md lists every code. Errors fail the run;
              warnings only with --strict; accepted findings never. SPAN is 90s, 30m, 24h or 7d.
            """,
            """
            OUTPUTS:
              --output, --metrics-file: temp file in the same directory, fsync, rename. With
              GITHUB_STEP_SUMMARY set, a markdown summary is appended to it; with GITHUB_ACTIONS=true,
              github is the default format, and annotations precede the text when --output is given.
            """,
        ]
        extra.append(HelpText.connection)
        let usage =
            name == "check"
            ? "chain-audit check (--org SLUG|UUID ... | --all-orgs) [options]\n       chain-audit --org SLUG [options]"
            : "chain-audit \(name) (--org SLUG|UUID ... | --all-orgs) [options]"
        return HelpText.render(usage: usage, abstract: "\(abstract)\n\(description)", options: options, extra: extra)
    }

    /// The validated options of one invocation.
    struct Invocation {
        var selection: VerificationRun.Selection
        var db: String?
        var run: AuditRun.Options
        var output: ReportOutput
    }

    /// Checks the command line; `nil` means help was asked for.
    func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Invocation? {
        let parsed = try ParsedArguments(arguments, options: options)
        if parsed.has("--help") { return nil }
        if let extra = parsed.positionals.first {
            throw UsageError("unexpected argument '\(UsageError.printable(extra))'")
        }
        let orgs = parsed.all("--org")
        let selection: VerificationRun.Selection
        switch (orgs.isEmpty, parsed.has("--all-orgs")) {
        case (true, false): throw UsageError("name the orgs to check: --org SLUG|UUID (repeatable) or --all-orgs")
        case (false, true): throw UsageError("--org and --all-orgs cannot be combined")
        case (true, true): selection = .all
        case (false, false):
            if orgs.contains(where: \.isEmpty) { throw UsageError("--org needs a slug or uuid, not an empty string") }
            selection = .named(orgs)
        }
        var run = AuditRun.Options(checks: checks)
        if let path = parsed.value("--config") {
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw UsageError("cannot read --config \(UsageError.printable(path)): \(Self.reason(error))")
            }
            do {
                run.mapping = try SchemaMapping(json: data, source: UsageError.printable(path))
            } catch {
                throw UsageError(error.message)
            }
        }
        let inGitHubActions = environment["GITHUB_ACTIONS"] == "true"
        let format: ReportFormat
        if let text = parsed.value("--format") {
            guard let chosen = ReportFormat(rawValue: text) else {
                throw UsageError(
                    "unknown format '\(UsageError.printable(text))' (expected text, json, junit or github)")
            }
            format = chosen
        } else {
            format = inGitHubActions ? .github : .text
        }
        for (option, value) in [
            ("--output", parsed.value("--output")), ("--metrics-file", parsed.value("--metrics-file")),
        ] {
            if let value, value.isEmpty || value.hasSuffix("/") {
                throw UsageError("\(option) needs a file name, not '\(UsageError.printable(value))'")
            }
        }
        if let output = parsed.value("--output"), output == parsed.value("--metrics-file") {
            throw UsageError("--output and --metrics-file must be different files")
        }
        do {
            for text in parsed.all("--accept") {
                run.acceptance.add(try AcceptanceList.Rule(parsing: text, source: "--accept"))
            }
            for path in parsed.all("--accept-file") {
                let contents: String
                do {
                    contents = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw UsageError("cannot read --accept-file \(UsageError.printable(path)): \(Self.reason(error))")
                }
                try run.acceptance.addFile(contents: contents, name: UsageError.printable(path))
            }
        } catch let error as AcceptanceError {
            throw UsageError(error.message)
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError(String(describing: error))
        }
        run.strict = parsed.has("--strict")
        if let jobs = try CommonOptions.integer(parsed, "--jobs", 1...256) { run.jobs = jobs }
        if let retries = try CommonOptions.integer(parsed, "--retries", 0...100) { run.retries = retries }
        run.policy = .init(strictOrgs: !parsed.has("--no-strict-orgs"), allowNonUTF8: parsed.has("--allow-non-utf8"))
        run.shard = try CommonOptions.shard(parsed)
        if let text = parsed.value("--max-findings") {
            guard let n = Int(text), n >= 0 else {
                throw UsageError("--max-findings needs a whole number >= 0, not '\(UsageError.printable(text))'")
            }
            run.maxFindings = n
        }
        if let role = parsed.value("--probe-role") {
            do {
                _ = try SQLIdentifier(role)
            } catch {
                throw UsageError("--probe-role: \(error.message)")
            }
            run.probeRole = role
        }
        if let text = parsed.value("--max-session-age") {
            guard let span = TimeSpan(parsing: text) else {
                throw UsageError(
                    "--max-session-age needs a span like 90s, 30m, 24h or 7d, not '\(UsageError.printable(text))'")
            }
            run.maxSessionAge = span.seconds > 0 ? span : nil
        }
        if let text = parsed.value("--expect-activity-within") {
            guard let span = TimeSpan(parsing: text), span.seconds > 0 else {
                throw UsageError(
                    "--expect-activity-within needs a span above 0 like 30m or 2h, not "
                        + "'\(UsageError.printable(text))'")
            }
            run.expectActivityWithin = span
        }
        let summary = environment["GITHUB_STEP_SUMMARY"].flatMap { $0.isEmpty ? nil : $0 }
        let output = ReportOutput(
            format: format, outputPath: parsed.value("--output"),
            metricsPath: parsed.value("--metrics-file"), stepSummaryPath: summary,
            inGitHubActions: inGitHubActions)
        return Invocation(selection: selection, db: parsed.value("--db"), run: run, output: output)
    }

    /// The system's reason for a file error, without Foundation's wrapping.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSCocoaErrorDomain, ns.code == NSFileReadNoSuchFileError { return "no such file" }
        return ns.localizedDescription
    }

    /// Runs the command and returns its exit code.
    func run(_ arguments: [String], environment: [String: String]) -> ExitCode {
        let invocation: Invocation
        do {
            guard let parsed = try parse(arguments, environment: environment) else {
                Console.out(help)
                return .ok
            }
            invocation = parsed
        } catch {
            Console.error("\(error.message) (see 'chain-audit \(name) --help')")
            return .usage
        }
        guard let spec = CommonOptions.connectionSpec(invocation.db, environment) else { return .incomplete }
        let report = AuditRun(spec: spec, command: name, options: invocation.run).run(invocation.selection)
        for warning in report.warnings { Console.warning(warning) }
        for error in report.errors { Console.error(error) }
        for org in report.orgs where org.status == .incomplete {
            for check in org.allChecks(strict: report.strict) where check.error != nil {
                Console.error("org \(org.org.slug): \(check.check.rawValue) incomplete: \(check.error ?? "")")
            }
        }
        for check in report.databaseChecks where check.error != nil {
            Console.error("database: \(check.check.rawValue) incomplete: \(check.error ?? "")")
        }
        for unused in report.unusedAcceptances {
            Console.warning("--accept \(unused) matched no finding")
        }
        let delivered = invocation.output.deliver(report)
        return delivered ? ExitCode(report.status) : .incomplete
    }
}
