import ChainVerify
import Foundation

/// `chain-audit checkpoint`: after a verification passes, sign and store a checkpoint of each org's head.
enum CheckpointCommand {
    static let options: [OptionSpec] = [
        OptionSpec("--org", value: "SLUG|UUID", repeatable: true, help: "an org to checkpoint (repeatable)"),
        OptionSpec("--all-orgs", help: "every org in public.orgs"),
        OptionSpec("--key", value: "KEY", help: "the Ed25519 private key (PEM) that signs (chain-audit keygen)"),
        OptionSpec("--out", value: "DIR", help: "the checkpoint store: DIR/<org uuid>.checkpoint, created if missing"),
        OptionSpec("--full", help: "re-verify every event, not only those after the stored checkpoint"),
        OptionSpec("--key-name", value: "NAME", help: "the signer name in the signature line (default: chain-audit)"),
        OptionSpec("--log-name", value: "NAME", help: "the log name in the origin (default: pg-<system id>-<database>)"),
        OptionSpec("--db", value: "DSN", help: "the database to read (see CONNECTION)"),
        OptionSpec("--jobs", "-j", value: "N", help: "connections per large org (default: 1)"),
        OptionSpec("--shard", value: "K/N", help: "only shard K of N of the orgs"),
        OptionSpec("--format", value: "text|json", help: "report format on stdout (default: text)"),
        OptionSpec("--help", "-h", help: "show this help"),
    ]

    static var help: String {
        HelpText.render(
            usage: "chain-audit checkpoint (--org SLUG|UUID ... | --all-orgs) --key KEY --out DIR [options]",
            abstract: """
                Verify each org, then write a signed C2SP checkpoint of its chain head (origin
                chain-audit/<log name>/org/<uuid>, tree size = head seq, root = base64 of the head hash, an
                Ed25519 signature line) to DIR/<org uuid>.checkpoint, atomically. Where DIR already holds a
                checkpoint for the org, only the events from it on are verified (unless --full), linked to it,
                and a new checkpoint is written only if it extends the old one.
                """,
            options: options, extra: [HelpText.connection])
    }

    static func run(_ arguments: [String], environment: [String: String]) -> ExitCode {
        let parsed: ParsedArguments
        let selection: VerificationRun.Selection
        let json: Bool
        var settings: CheckpointRun.Settings
        let shard: Shard?
        do throws(UsageError) {
            parsed = try ParsedArguments(arguments, options: options)
            if parsed.has("--help") {
                Console.out(help)
                return .ok
            }
            try CommonOptions.noPositionals(parsed)
            selection = try CommonOptions.selection(parsed, verb: "checkpoint")
            json = try CommonOptions.json(parsed)
            guard parsed.value("--key") != nil else { throw UsageError("--key KEY is required (make one with chain-audit keygen)") }
            guard parsed.value("--out") != nil else { throw UsageError("--out DIR is required") }
            settings = try CommonOptions.checkpointSettings(parsed)
            settings.full = parsed.has("--full")
            shard = try CommonOptions.shard(parsed)
        } catch {
            Console.error("\(error.message) (see 'chain-audit checkpoint --help')")
            return .usage
        }
        let outcome: CheckpointRun.Outcome
        let directory = parsed.value("--out")!
        guard let spec = CommonOptions.connectionSpec(parsed.value("--db"), environment) else { return .incomplete }
        do {
            let key = try Ed25519Key.privateKey(pem: KeyFiles.read(parsed.value("--key")!))
            let store = try CheckpointStore(directory: directory)
            outcome = try CheckpointRun(spec: spec, store: store, key: key, settings: settings).run(selection, shard: shard)
        } catch {
            Console.error(String(describing: error))
            return .incomplete
        }
        for warning in outcome.report.warnings { Console.warning(warning) }
        for error in outcome.report.errors { Console.error(error) }
        var lines = ""
        var entries: [JSONValue] = []
        for org in outcome.report.orgs {
            let action = outcome.actions[org.org.id] ?? .notWritten("not verified")
            let file = "\(directory)/\(org.org.id.lowercased).checkpoint"
            switch action {
            case .written(let seq): lines += "\(org.org.slug): checkpoint written at seq \(seq): \(file)\n"
            case .unchanged(let seq): lines += "\(org.org.slug): checkpoint unchanged at seq \(seq): \(file)\n"
            case .notWritten(let why): lines += "\(org.org.slug): no checkpoint written: \(why)\n"
            }
            entries.append(CheckpointCommand.json(org: org, action: action, file: file))
        }
        if json {
            guard case .object(var members) = outcome.report.json() else { return .incomplete }
            members.append(("checkpoints", .array(entries)))
            Console.out(JSONValue.object(members).serialized() + "\n")
        } else {
            Console.out(outcome.report.text() + lines)
        }
        // A checkpoint that could not be written is a run error (incomplete); an org that did not verify is a
        // finding; an empty org has nothing to commit to and is only noted.
        return ExitCode(outcome.report.status)
    }

    private static func json(org: OrgReport, action: CheckpointRun.Action, file: String) -> JSONValue {
        var members: [(String, JSONValue)] = [("org_id", .string(org.org.id.lowercased)), ("slug", .string(org.org.slug))]
        switch action {
        case .written(let seq): members += [("action", .string("written")), ("seq", .int(seq)), ("path", .string(file))]
        case .unchanged(let seq): members += [("action", .string("unchanged")), ("seq", .int(seq)), ("path", .string(file))]
        case .notWritten(let why): members += [("action", .string("not_written")), ("reason", .string(why))]
        }
        return .object(members)
    }
}
