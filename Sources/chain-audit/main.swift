import ChainVerify
import Foundation

/// The top-level help screen.
let toolHelp = """
    USAGE: chain-audit <command> [options]

    chain-audit independently verifies the tamper-evident SHA-256 hash chains of a PostgreSQL
    event store (events.domain_events), one chain per tenant org. It only ever reads.

    COMMANDS:
      verify       recompute and check the hash chains of orgs (chain-audit verify --help)
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
    case "help":
        switch rest.first {
        case nil: Console.out(toolHelp)
        case "verify": Console.out(VerifyCommand.help)
        case "checkpoint": Console.out(CheckpointCommand.help)
        case "keygen": Console.out(KeygenCommand.help)
        case "watch": Console.out(WatchCommand.help)
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
            Console.error("missing command before '\(UsageError.printable(first))' (see 'chain-audit --help')")
        } else {
            Console.error("unknown command '\(UsageError.printable(first))' (see 'chain-audit --help')")
        }
        return .usage
    }
}

signal(SIGPIPE, SIG_IGN)
Signals.install()
exit(runCommandLine(Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment).rawValue)
