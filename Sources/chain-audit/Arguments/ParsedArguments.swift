/// The options and positional arguments of one command line, after parsing.
struct ParsedArguments: Sendable {
    /// Values by option key, in the order given.
    private(set) var values: [String: [String]] = [:]
    /// Flags given, by key.
    private(set) var flags: Set<String> = []
    /// Arguments that are not options.
    private(set) var positionals: [String] = []

    /// Parses `arguments` against `options`: `--name value`, `--name=value`, flags, and `--` to end options.
    ///
    /// - Throws: `UsageError` for an unknown option, a missing value, a value given to a flag, or a
    ///   non-repeatable option given twice.
    init(_ arguments: [String], options: [OptionSpec]) throws(UsageError) {
        var byName: [String: OptionSpec] = [:]
        for option in options {
            for name in option.names { byName[name] = option }
        }
        var i = 0
        var optionsEnded = false
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            var name = argument
            var inline: String?
            if argument.hasPrefix("--"), let eq = argument.firstIndex(of: "=") {
                name = String(argument[..<eq])
                inline = String(argument[argument.index(after: eq)...])
            }
            guard let option = byName[name] else {
                throw UsageError("unknown option '\(UsageError.printable(name))'")
            }
            if option.takesValue {
                let value: String
                if let inline {
                    value = inline
                } else if i < arguments.count {
                    value = arguments[i]
                    i += 1
                } else {
                    throw UsageError("option '\(option.key)' needs a value (\(option.valueName!))")
                }
                if !option.repeatable, values[option.key] != nil {
                    throw UsageError("option '\(option.key)' may be given only once")
                }
                values[option.key, default: []].append(value)
            } else {
                if inline != nil { throw UsageError("option '\(option.key)' takes no value") }
                flags.insert(option.key)
            }
        }
    }

    /// The values of a repeatable option.
    func all(_ key: String) -> [String] { values[key] ?? [] }

    /// The value of a single-valued option, if given.
    func value(_ key: String) -> String? { values[key]?.last }

    /// Whether a flag was given.
    func has(_ key: String) -> Bool { flags.contains(key) }
}
