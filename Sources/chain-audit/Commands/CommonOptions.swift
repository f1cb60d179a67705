import ChainVerify

/// Options several commands share, and their validation.
enum CommonOptions {
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
