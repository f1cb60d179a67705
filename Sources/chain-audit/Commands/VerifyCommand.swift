import ChainVerify
import Foundation

/// `chain-audit verify`: recompute and check the hash chains of the named orgs.
enum VerifyCommand {
    static let name = "verify"
    static let abstract = "Recompute each org's SHA-256 hash chain outside the database and report every break."

    static let options: [OptionSpec] = [
        OptionSpec("--org", value: "SLUG|UUID", repeatable: true, help: "an org to verify, by slug or uuid (repeatable)"),
        OptionSpec("--all-orgs", help: "verify every org in public.orgs"),
        OptionSpec("--db", value: "DSN", help: "the database to read (see CONNECTION)"),
        OptionSpec("--format", value: "text|json", help: "report format on stdout (default: text)"),
        OptionSpec("--exit-on-error", help: "stop at the first error-level finding"),
        OptionSpec("--max-findings", value: "N", help: "findings listed per org, 0 for all (default: 10000); counts stay exact"),
        OptionSpec("--retries", value: "N", help: "retries after a transient failure, resuming after the last verified row (default: 3)"),
        OptionSpec("--retry-delay", value: "SECONDS", help: "the first pause before a retry, doubled each time up to 8 s (default: 0.5)"),
        OptionSpec("--no-strict-orgs", help: "an unknown org is a warning, not a failure"),
        OptionSpec("--allow-non-utf8", help: "verify a database whose encoding is not UTF8 (never SQL_ASCII)"),
        OptionSpec("--jobs", "-j", value: "N", help: "connections: split each large org's seq range across N, or verify N orgs at once (default: 1)"),
        OptionSpec("--shard", value: "K/N", help: "verify only shard K of N (a stable subset of the orgs, by uuid)"),
        OptionSpec("--progress", help: "report progress on stderr when it is not a terminal too, as plain lines"),
        OptionSpec("--progress-interval", value: "SECONDS", help: "seconds between plain progress lines (default: 10)"),
        OptionSpec("--quiet", "-q", help: "no progress display"),
        OptionSpec("--hash-threads", value: "N", help: "hashing threads per connection beside the reader, 0 to hash on it (default: 0)"),
        OptionSpec("--read-pacing", value: "on|off", help: "let a drained socket fill before reading again, sparing the server wake-ups (default: on)"),
        OptionSpec("--checkpoint", value: "PATH", help: "hold each org against its signed checkpoint (a file, or a store directory)"),
        OptionSpec("--pubkey", value: "PUB", help: "the public key (PEM) checkpoints must be signed with"),
        OptionSpec("--full", help: "with --checkpoint: re-verify every event, not only those from the checkpoint on"),
        OptionSpec("--log-name", value: "NAME", help: "with --checkpoint: the log name in the origin (default: pg-<system id>-<database>)"),
        OptionSpec("--help", "-h", help: "show this help"),
    ]

    static var help: String {
        HelpText.render(
            usage: "chain-audit verify (--org SLUG|UUID ... | --all-orgs) [options]",
            abstract: """
                \(abstract)
                Each org is read in one REPEATABLE READ READ ONLY transaction with one streaming binary COPY;
                findings: content_mismatch, link_mismatch, seq_gap, seq_duplicate, fork, malformed_hash,
                genesis_mismatch, head_mismatch, seq_invalid; with --checkpoint also checkpoint_mismatch and
                chain_truncated (docs/chain-format.md, docs/report.md).
                """,
            options: options, extra: [HelpText.connection])
    }

    /// The validated options of one invocation.
    struct Invocation {
        var selection: VerificationRun.Selection
        var db: String?
        var json: Bool
        var verifyOptions: OrgVerifier.Options
        var shard: Shard?
        var checkpoint: (path: String, pubkey: String, full: Bool, logName: String?)?
        var progress: Bool
        var progressInterval: Double
        var quiet: Bool
        var policy: VerificationRun.Policy
    }

    /// Checks the command line; `nil` means help was asked for.
    static func parse(_ arguments: [String]) throws(UsageError) -> Invocation? {
        let parsed = try ParsedArguments(arguments, options: options)
        if parsed.has("--help") { return nil }
        try CommonOptions.noPositionals(parsed)
        let selection = try CommonOptions.selection(parsed, verb: "verify")
        let json = try CommonOptions.json(parsed)
        var verifyOptions = OrgVerifier.Options()
        verifyOptions.stopAtFirstError = parsed.has("--exit-on-error")
        if let text = parsed.value("--max-findings") {
            guard let n = Int(text), n >= 0 else {
                throw UsageError("--max-findings needs a whole number >= 0, not '\(UsageError.printable(text))'")
            }
            verifyOptions.maxFindings = n
        }
        if let n = try CommonOptions.integer(parsed, "--jobs", 1...256) { verifyOptions.jobs = n }
        if let n = try CommonOptions.integer(parsed, "--retries", 0...100) { verifyOptions.retries = n }
        if let text = parsed.value("--retry-delay") {
            guard let seconds = Double(text), seconds >= 0, seconds <= 60 else {
                throw UsageError("--retry-delay needs seconds from 0 to 60, not '\(UsageError.printable(text))'")
            }
            verifyOptions.retryDelay = seconds
        }
        if let n = try CommonOptions.integer(parsed, "--hash-threads", 0...256) { verifyOptions.hashThreads = n }
        switch parsed.value("--read-pacing") {
        case nil, "on": verifyOptions.pacedReads = true
        case "off": verifyOptions.pacedReads = false
        case let other?: throw UsageError("--read-pacing needs on or off, not '\(UsageError.printable(other))'")
        }
        let shard = try CommonOptions.shard(parsed)
        if parsed.has("--progress") && parsed.has("--quiet") {
            throw UsageError("--progress and --quiet cannot be combined")
        }
        var interval = 10.0
        if let text = parsed.value("--progress-interval") {
            guard let seconds = Double(text), seconds >= 0.1, seconds <= 86_400 else {
                throw UsageError("--progress-interval needs seconds from 0.1 to 86400, not '\(UsageError.printable(text))'")
            }
            interval = seconds
        }
        var checkpoint: (path: String, pubkey: String, full: Bool, logName: String?)?
        switch (parsed.value("--checkpoint"), parsed.value("--pubkey")) {
        case (let path?, let pubkey?):
            checkpoint = (path, pubkey, parsed.has("--full"), try CommonOptions.logName(parsed))
        case (nil, nil):
            if parsed.has("--full") { throw UsageError("--full goes with --checkpoint") }
            if parsed.value("--log-name") != nil { throw UsageError("--log-name goes with --checkpoint") }
        case (_?, nil):
            throw UsageError("--checkpoint needs --pubkey, the public key its signature is checked with")
        case (nil, _?):
            throw UsageError("--pubkey goes with --checkpoint")
        }
        return Invocation(selection: selection, db: parsed.value("--db"), json: json, verifyOptions: verifyOptions,
                          shard: shard, checkpoint: checkpoint, progress: parsed.has("--progress"),
                          progressInterval: interval, quiet: parsed.has("--quiet"),
                          policy: .init(strictOrgs: !parsed.has("--no-strict-orgs"),
                                        allowNonUTF8: parsed.has("--allow-non-utf8")))
    }

    /// Runs the command and returns its exit code.
    static func run(_ arguments: [String], environment: [String: String]) -> ExitCode {
        let invocation: Invocation
        do {
            guard let parsed = try parse(arguments) else {
                Console.out(help)
                return .ok
            }
            invocation = parsed
        } catch {
            Console.error("\(error.message) (see 'chain-audit verify --help')")
            return .usage
        }
        guard let spec = CommonOptions.connectionSpec(invocation.db, environment) else { return .incomplete }
        var options = invocation.verifyOptions
        let counter = ProgressCounter()
        options.progress = counter
        let display = ProgressDisplay(
            counter: counter,
            mode: ProgressDisplay.mode(requested: invocation.progress, interval: invocation.progressInterval,
                                       quiet: invocation.quiet))
        var source: CheckpointSource?
        if let checkpoint = invocation.checkpoint {
            do {
                source = CheckpointSource(path: checkpoint.path, publicKeyPEM: try KeyFiles.read(checkpoint.pubkey),
                                          logName: checkpoint.logName, full: checkpoint.full)
            } catch {
                display.stop()
                Console.error(String(describing: error))
                return .incomplete
            }
        }
        let report = VerificationRun(spec: spec, options: options, shard: invocation.shard, checkpoints: source,
                                     policy: invocation.policy).run(invocation.selection)
        display.stop()
        for warning in report.warnings { Console.warning(warning) }
        for error in report.errors { Console.error(error) }
        for org in report.orgs where org.status == .incomplete {
            Console.error("org \(org.org.slug): verification incomplete: \(org.error ?? "unknown error")")
        }
        if invocation.json {
            Console.out(report.jsonData())
        } else {
            Console.out(report.text())
        }
        return ExitCode(report.status)
    }
}
