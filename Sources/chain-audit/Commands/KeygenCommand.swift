import ChainVerify
import Foundation

/// `chain-audit keygen`: make the Ed25519 key pair that signs checkpoints.
enum KeygenCommand {
    static let options: [OptionSpec] = [
        OptionSpec("--out", value: "KEY", help: "private key file (PEM, mode 0600); the public key goes to KEY.pub"),
        OptionSpec("--name", value: "NAME", help: "the key name in signature lines and the verifier key (default: chain-audit)"),
        OptionSpec("--force", help: "replace existing key files"),
        OptionSpec("--help", "-h", help: "show this help"),
    ]

    static var help: String {
        HelpText.render(
            usage: "chain-audit keygen --out KEY [--name NAME] [--force]",
            abstract: """
                Write a new Ed25519 private key to KEY (PKCS#8 PEM, mode 0600) and its public key to KEY.pub
                (SubjectPublicKeyInfo PEM), and print the C2SP note verifier key (NAME+ID+KEY) that transparency-log
                tooling and witnesses use. Keep KEY off the audited database's host (docs/security.md).
                """,
            options: options)
    }

    static func run(_ arguments: [String]) -> ExitCode {
        let parsed: ParsedArguments
        do throws(UsageError) {
            parsed = try ParsedArguments(arguments, options: options)
            try CommonOptions.noPositionals(parsed)
            if parsed.has("--help") {
                Console.out(help)
                return .ok
            }
            guard parsed.value("--out") != nil else { throw UsageError("--out KEY is required") }
            _ = try CommonOptions.keyName(parsed, "--name")
        } catch {
            Console.error("\(error.message) (see 'chain-audit keygen --help')")
            return .usage
        }
        let out = parsed.value("--out")!
        let name = parsed.value("--name") ?? "chain-audit"
        let force = parsed.has("--force")
        do {
            let key = try Ed25519Key.generate()
            try KeyFiles.write(try key.privatePEM(), to: out, mode: 0o600, force: force)
            try KeyFiles.write(try key.publicPEM(), to: out + ".pub", mode: 0o644, force: force)
            let raw = try key.rawPublicKey()
            let vkey = try NoteVerifierKey(name: name, publicKey: raw)
            Console.out("private key: \(out) (mode 0600)\npublic key:  \(out).pub\nverifier key: \(vkey.text)\n")
            return .ok
        } catch {
            Console.error(String(describing: error))
            return .incomplete
        }
    }
}

/// Reads and writes key files.
enum KeyFiles {
    /// Creates `path` with `mode` and writes `data`, refusing to replace a file unless `force`.
    static func write(_ data: Data, to path: String, mode: mode_t, force: Bool) throws {
        if force { unlink(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw KeyError(errno == EEXIST ? "\(path) exists already (use --force to replace it)"
                                           : "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fchmod(fd, mode)
        let ok = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) == $0.count }
        guard ok, fsync(fd) == 0 else { throw KeyError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }

    /// Reads a key file, with an error naming it.
    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else { throw KeyError("cannot read key file \(path)") }
        return data
    }
}
