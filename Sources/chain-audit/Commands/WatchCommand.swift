import ChainVerify
import EventModel
import Foundation

/// `chain-audit watch`: the auditor's loop of incremental verification and checkpointing.
enum WatchCommand {
    static let options: [OptionSpec] = [
        OptionSpec("--org", value: "SLUG|UUID", repeatable: true, help: "an org to watch (repeatable)"),
        OptionSpec("--all-orgs", help: "every org in public.orgs, re-listed each round"),
        OptionSpec("--checkpoints", value: "DIR", help: "the checkpoint store (as chain-audit checkpoint --out)"),
        OptionSpec("--key", value: "KEY", help: "the Ed25519 private key (PEM) that signs new checkpoints"),
        OptionSpec("--interval", value: "DURATION", help: "time from the start of one round to the next: 90s, 5m, 1h (default: 5m)"),
        OptionSpec("--rescan-fraction", value: "F", help: "also re-verify this fraction (0 < F <= 1) of each org's old history per round"),
        OptionSpec("--rounds", value: "N", help: "stop after N rounds (default: run until SIGTERM or SIGINT)"),
        OptionSpec("--metrics-file", value: "FILE", help: "node_exporter textfile metrics, rewritten atomically every round"),
        OptionSpec("--key-name", value: "NAME", help: "the signer name in the signature line (default: chain-audit)"),
        OptionSpec("--log-name", value: "NAME", help: "the log name in the origin (default: pg-<system id>-<database>)"),
        OptionSpec("--db", value: "DSN", help: "the database to read (see CONNECTION)"),
        OptionSpec("--jobs", "-j", value: "N", help: "connections per large org (default: 1)"),
        OptionSpec("--help", "-h", help: "show this help"),
    ]

    static var help: String {
        HelpText.render(
            usage: "chain-audit watch (--org SLUG|UUID ... | --all-orgs) --checkpoints DIR --key KEY [options]",
            abstract: """
                Loop: each round verifies every org from its stored checkpoint on (a full verification the first
                time), advances its checkpoint on success, and with --rescan-fraction re-reads a rolling slice of
                its old history, so every event is re-read within ceil(1/F) rounds. One line per round on stdout,
                problems on stderr, and with --metrics-file the node_exporter metrics (docs/report.md) rewritten
                atomically after every round; chain_audit_last_success_timestamp_seconds then says when each org
                last passed, for a staleness alert. A round never overlaps the next (a slow round delays it), the store is locked
                against a second watch, a failed round (a database restart, a lost connection) is reported and the
                next round tries again. SIGTERM or SIGINT stops it cleanly, cancelling the round in progress
                without advancing any checkpoint it had not finished; it then exits 0. With --rounds, it exits
                with the last round's code.
                """,
            options: options, extra: [HelpText.connection])
    }

    static func run(_ arguments: [String], environment: [String: String]) -> ExitCode {
        let parsed: ParsedArguments
        let selection: VerificationRun.Selection
        var settings: CheckpointRun.Settings
        var interval = TimeSpan(seconds: 300)
        var fraction: Double?
        var rounds: Int?
        do throws(UsageError) {
            parsed = try ParsedArguments(arguments, options: options)
            if parsed.has("--help") {
                Console.out(help)
                return .ok
            }
            try CommonOptions.noPositionals(parsed)
            selection = try CommonOptions.selection(parsed, verb: "watch")
            guard parsed.value("--checkpoints") != nil else { throw UsageError("--checkpoints DIR is required") }
            guard parsed.value("--key") != nil else { throw UsageError("--key KEY is required (make one with chain-audit keygen)") }
            if let text = parsed.value("--interval") {
                guard let span = TimeSpan(parsing: text), span.seconds >= 1 else {
                    throw UsageError("--interval needs a duration of at least 1s (90s, 5m, 1h), not '\(UsageError.printable(text))'")
                }
                interval = span
            }
            if let text = parsed.value("--rescan-fraction") {
                guard let f = Double(text), f > 0, f <= 1 else {
                    throw UsageError("--rescan-fraction needs a number with 0 < F <= 1, not '\(UsageError.printable(text))'")
                }
                fraction = f
            }
            rounds = try CommonOptions.integer(parsed, "--rounds", 1...1_000_000)
            settings = try CommonOptions.checkpointSettings(parsed)
        } catch {
            Console.error("\(error.message) (see 'chain-audit watch --help')")
            return .usage
        }
        guard let spec = CommonOptions.connectionSpec(parsed.value("--db"), environment) else { return .incomplete }
        let round: WatchRound
        do {
            let key = try Ed25519Key.privateKey(pem: KeyFiles.read(parsed.value("--key")!))
            let store = try CheckpointStore(directory: parsed.value("--checkpoints")!)
            round = WatchRound(spec: spec, store: store, key: key, settings: settings, rescanFraction: fraction)
        } catch {
            Console.error(String(describing: error))
            return .incomplete
        }
        var last = ExitCode.ok
        var number = 0
        var warned: [String] = []
        while !Cancellation.isRequested, rounds.map({ number < $0 }) ?? true {
            number += 1
            let started = DispatchTime.now()
            let outcome = round.run(selection)
            let report = outcome.checkpoints.report
            // A warning (a role that could write) is said once, not every round, unless it changes.
            if report.warnings != warned {
                for warning in report.warnings { Console.warning(warning) }
                warned = report.warnings
            }
            for error in report.errors { Console.error("round \(number): \(error)") }
            for org in report.orgs where org.status == .incomplete {
                Console.error("round \(number): org \(org.org.slug): \(org.error ?? "incomplete")")
            }
            if let path = parsed.value("--metrics-file") {
                let previous = try? String(contentsOfFile: path, encoding: .utf8)
                do {
                    try AtomicFile.write(Data(report.metricsText(finishedAt: Date(), previous: previous).utf8), to: path)
                } catch {
                    Console.error("round \(number): --metrics-file: \(error)")
                }
            }
            for org in report.orgs {
                for finding in org.findings {
                    Console.error("round \(number): org \(org.org.slug): \(finding.kind.rawValue) at "
                                  + "\(finding.seq.map { "seq \($0)" } ?? "chain"): \(finding.detail)")
                }
            }
            Console.out(summary(number, outcome))
            last = ExitCode(report.status)
            if rounds.map({ number >= $0 }) ?? false { break }
            let deadline = started.uptimeNanoseconds + UInt64(interval.seconds * 1e9)
            while !Cancellation.isRequested, DispatchTime.now().uptimeNanoseconds < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        if Cancellation.isRequested {
            Console.out("watch: stopped by \(Cancellation.signal == SIGINT ? "SIGINT" : "SIGTERM") after \(number) round(s)\n")
            return .ok
        }
        return last
    }

    private static func summary(_ number: Int, _ outcome: WatchRound.Outcome) -> String {
        let report = outcome.checkpoints.report
        let events = report.orgs.reduce(Int64(0)) { $0 + $1.eventsVerified }
        let findings = report.orgs.reduce(0) { $0 + $1.log.total }
        var advanced = 0, unchanged = 0
        for action in outcome.checkpoints.actions.values {
            if case .written = action { advanced += 1 }
            if case .unchanged = action { unchanged += 1 }
        }
        let stamp = String(PostgresTimestamp(unixMicroseconds: Int64(Date().timeIntervalSince1970 * 1e6)).iso8601.prefix(19)) + "Z"
        return "round \(number) at \(stamp): \(report.status.rawValue): \(report.orgs.count) org(s), \(events) events read, "
            + "\(findings) finding(s), \(advanced) checkpoint(s) advanced, \(unchanged) unchanged, "
            + "\(outcome.rescanned.count) rescanned\n"
    }
}
