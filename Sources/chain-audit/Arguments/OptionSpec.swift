/// One command-line option: its spellings, whether it takes a value, and its help.
struct OptionSpec: Sendable {
    /// The spellings, long first (`--org`), then any short one (`-o`).
    let names: [String]
    /// The placeholder for its value in help (`SLUG|UUID`), or `nil` for a flag.
    let valueName: String?
    /// Whether it may be given more than once.
    let repeatable: Bool
    /// One line of help.
    let help: String

    /// Creates an option.
    init(_ names: String..., value: String? = nil, repeatable: Bool = false, help: String) {
        self.names = names
        self.valueName = value
        self.repeatable = repeatable
        self.help = help
    }

    /// The name results are stored under: the first spelling.
    var key: String { names[0] }

    /// Whether it takes a value.
    var takesValue: Bool { valueName != nil }
}
