import ChainVerify
import Foundation

/// The top-level help screen.
let toolHelp = """
    USAGE: chain-audit <command> [options]
           chain-audit --org SLUG [options]      (shorthand for chain-audit check --org SLUG)

    chain-audit independently verifies the tamper-evident SHA-256 hash chains of a PostgreSQL
    event store (events.domain_events), one chain per tenant org, and audits tenant isolation
    and session events. It only ever reads.

    COMMANDS:
      verify       recompute and check the hash chains of orgs (chain-audit verify --help)
      tenants      audit tenant isolation: row level security, cross-org references, a live probe
      sessions     audit sessions against their session and login events
      check        verify, tenants and sessions in one run: the post-deploy gate
      explain      show what a chain break at one event means: fields, bytes, hashes, a verdict
      checkpoint   verify, then sign and store a checkpoint of each org's chain head
      keygen       make the Ed25519 key pair that signs checkpoints
      watch        the auditor's loop: verify incrementally, advance checkpoints, rescan old history
      help         show help for a command

    OPTIONS:
      --help, -h     show this help
      --version      print the version

    \(HelpText.connection)

    \(HelpText.exitCodes)

    """

/// Runs one command line and returns the process exit code.
func runCommandLine(_ arguments: [String], environment: [String: String]) -> ExitCode {
    guard let first = arguments.first else {
        Console.err(toolHelp)
        return .usage
    }
    let rest = Array(arguments.dropFirst())
    switch first {
    case "verify":
        return VerifyCommand.run(rest, environment: environment)
    case "checkpoint":
        return CheckpointCommand.run(rest, environment: environment)
    case "keygen":
        return KeygenCommand.run(rest)
    case "watch":
        return WatchCommand.run(rest, environment: environment)
    case "explain":
        return ExplainCommand.run(rest, environment: environment)
    case let name where AuditCommand.all.contains { $0.name == name }:
        return AuditCommand.all.first { $0.name == name }!.run(rest, environment: environment)
    case "help":
        switch rest.first {
        case nil: Console.out(toolHelp)
        case "verify": Console.out(VerifyCommand.help)
        case "checkpoint": Console.out(CheckpointCommand.help)
        case "keygen": Console.out(KeygenCommand.help)
        case "watch": Console.out(WatchCommand.help)
        case "explain": Console.out(ExplainCommand.help)
        case let name? where AuditCommand.all.contains { $0.name == name }:
            Console.out(AuditCommand.all.first { $0.name == name }!.help)
        case let other?:
            Console.error("unknown command '\(UsageError.printable(other))' (see 'chain-audit --help')")
            return .usage
        }
        return .ok
    case "--help", "-h":
        Console.out(toolHelp)
        return .ok
    case "--version":
        Console.out("\(ToolInfo.name) \(ToolInfo.version) (chain format v1)\n")
        return .ok
    default:
        if first.hasPrefix("-") {
            // `chain-audit --org smoke`: the post-deploy gate's shorthand for `check`.
            return AuditCommand.check.run(arguments, environment: environment)
        } else {
            Console.error("unknown command '\(UsageError.printable(first))' (see 'chain-audit --help')")
        }
        return .usage
    }
}

signal(SIGPIPE, SIG_IGN)
Signals.install()
exit(runCommandLine(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment).rawValue)
