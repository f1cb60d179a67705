import ChainVerify
import Foundation

/// `chain-audit explain`: what a chain break at one event means.
enum ExplainCommand {
    static let options: [OptionSpec] = [
        OptionSpec("--org", value: "SLUG|UUID", help: "the org, by slug or uuid"),
        OptionSpec("--seq", value: "N", help: "the event's seq"),
        OptionSpec("--db", value: "DSN", help: "the database to read (see CONNECTION)"),
        OptionSpec("--config", value: "FILE", help: "a JSON schema mapping (docs/report.md)"),
        OptionSpec("--format", value: "text|json", help: "output format (default: text)"),
        OptionSpec("--help", "-h", help: "show this help"),
    ]

    static var help: String {
        HelpText.render(
            usage: "chain-audit explain --org SLUG|UUID --seq N [options]",
            abstract: """
                Show what the chain says at one event: its fields, its canonical bytes in hex annotated field by
                field (exactly the bytes verify hashes, from the same binary COPY), the stored and recomputed
                hashes, and the bytes the schema's own events.canonical_bytes function gives for the row, with
                the first place they differ. A content mismatch is called tampering when both sides agree on the
                bytes, and canonicalisation drift (a trigger or verifier bug, not an attack) when they do not.
                Exit 0 when the row is intact and linked, 1 when it is not.
                """,
            options: options, extra: [HelpText.connection])
    }

    /// Runs the command and returns its exit code.
    static func run(_ arguments: [String], environment: [String: String]) -> ExitCode {
        let parsed: ParsedArguments
        let org: String
        let seq: Int64
        let json: Bool
        var mapping = SchemaMapping.reference
        do {
            parsed = try ParsedArguments(arguments, options: options)
            if parsed.has("--help") {
                Console.out(help)
                return .ok
            }
            if let extra = parsed.positionals.first {
                throw UsageError("unexpected argument '\(UsageError.printable(extra))'")
            }
            guard let name = parsed.value("--org"), !name.isEmpty else {
                throw UsageError("name the org: --org SLUG|UUID")
            }
            guard let text = parsed.value("--seq") else { throw UsageError("name the event: --seq N") }
            guard let n = Int64(text) else {
                throw UsageError("--seq needs a whole number, not '\(UsageError.printable(text))'")
            }
            switch parsed.value("--format") ?? "text" {
            case "text": json = false
            case "json": json = true
            case let other: throw UsageError("unknown format '\(UsageError.printable(other))' (expected text or json)")
            }
            if let path = parsed.value("--config") {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw UsageError("cannot read --config \(UsageError.printable(path))")
                }
                do {
                    mapping = try SchemaMapping(json: data, source: UsageError.printable(path))
                } catch {
                    throw UsageError(error.message)
                }
            }
            org = name
            seq = n
        } catch {
            Console.error("\(error) (see 'chain-audit explain --help')")
            return .usage
        }
        do {
            let spec = try ConnectionSpec(option: parsed.value("--db"), environment: environment)
            let connection = try Connection(spec)
            defer { connection.close() }
            try mapping.validate(["orgs", "events"], on: connection)
            let resolution = try OrgResolver(connection: connection, mapping: mapping).resolve([org])
            guard let identity = resolution.orgs.first else {
                Console.error("unknown org \(DisplayText.quoted(org)): no \(mapping.orgs.name) row has that slug or id")
                return .incomplete
            }
            let explanation = try EventExplainer(connection: connection, mapping: mapping).explain(identity, seq: seq)
            Console.out(json ? explanation.json().serialized() + "\n" : explanation.text())
            return explanation.isIntact ? .ok : .findings
        } catch {
            Console.error(String(describing: error))
            return .incomplete
        }
    }
}
