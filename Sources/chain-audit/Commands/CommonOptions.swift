import ChainVerify

/// Options several commands share, and their validation.
enum CommonOptions {
    /// Fails on the first positional argument: no command takes any.
    static func noPositionals(_ parsed: ParsedArguments) throws(UsageError) {
        if let extra = parsed.positionals.first { throw UsageError("unexpected argument '\(UsageError.printable(extra))'") }
    }

    /// A signer key name (`--name`, `--key-name`): non-empty, without spaces, '+' or line breaks.
    static func keyName(_ parsed: ParsedArguments, _ option: String) throws(UsageError) -> String? {
        guard let name = parsed.value(option) else { return nil }
        guard !name.isEmpty, !name.contains(where: { $0 == " " || $0 == "+" || $0.isNewline }) else {
            throw UsageError("\(option) must be non-empty without spaces or '+'")
        }
        return name
    }

    /// `--key-name`, `--log-name` and `--jobs`, as `checkpoint` and `watch` take them.
    static func checkpointSettings(_ parsed: ParsedArguments) throws(UsageError) -> CheckpointRun.Settings {
        var settings = CheckpointRun.Settings()
        settings.logName = try logName(parsed)
        if let name = try keyName(parsed, "--key-name") { settings.keyName = name }
        if let jobs = try integer(parsed, "--jobs", 1...256) { settings.verify.jobs = jobs }
        return settings
    }

    /// The connection spec from `--db` or the environment; prints the error and returns `nil` when it is bad.
    static func connectionSpec(_ db: String?, _ environment: [String: String]) -> ConnectionSpec? {
        do {
            return try ConnectionSpec(option: db, environment: environment)
        } catch {
            Console.error(String(describing: error))
            return nil
        }
    }

    /// `--org …` or `--all-orgs`.
    static func selection(_ parsed: ParsedArguments, verb: String) throws(UsageError) -> VerificationRun.Selection {
        let orgs = parsed.all("--org")
        switch (orgs.isEmpty, parsed.has("--all-orgs")) {
        case (true, false): throw UsageError("name the orgs to \(verb): --org SLUG|UUID (repeatable) or --all-orgs")
        case (false, true): throw UsageError("--org and --all-orgs cannot be combined")
        case (true, true): return .all
        case (false, false):
            if orgs.contains(where: \.isEmpty) { throw UsageError("--org needs a slug or uuid, not an empty string") }
            return .named(orgs)
        }
    }

    /// `--shard K/N`, or `nil` when absent.
    static func shard(_ parsed: ParsedArguments) throws(UsageError) -> Shard? {
        guard let text = parsed.value("--shard") else { return nil }
        guard let shard = Shard(text) else {
            throw UsageError("--shard needs K/N with 1 <= K <= N, not '\(UsageError.printable(text))'")
        }
        return shard
    }

    /// `--format text|json`: whether JSON was asked for.
    static func json(_ parsed: ParsedArguments) throws(UsageError) -> Bool {
        switch parsed.value("--format") ?? "text" {
        case "text": return false
        case "json": return true
        case let other: throw UsageError("unknown format '\(UsageError.printable(other))' (expected text or json)")
        }
    }

    /// A whole number option within `range`, or `nil` when absent.
    static func integer(_ parsed: ParsedArguments, _ name: String, _ range: ClosedRange<Int>) throws(UsageError) -> Int? {
        guard let text = parsed.value(name) else { return nil }
        guard let n = Int(text), range.contains(n) else {
            throw UsageError("\(name) needs a whole number from \(range.lowerBound) to \(range.upperBound), "
                             + "not '\(UsageError.printable(text))'")
        }
        return n
    }

    /// A log name (`--log-name`): non-empty, only letters, digits, `.`, `_`, `-`.
    static func logName(_ parsed: ParsedArguments) throws(UsageError) -> String? {
        guard let name = parsed.value("--log-name") else { return nil }
        guard !name.isEmpty, name.count <= 200,
              name.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alnum(contains: $0) || "._-".unicodeScalars.contains($0)) })
        else { throw UsageError("--log-name may hold only letters, digits, '.', '_' and '-'") }
        return name
    }
}

private enum CharacterSet {
    static func alnum(contains scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
