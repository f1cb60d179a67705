/// Help screens in one style: usage, a paragraph, options, and the exit codes.
enum HelpText {
    /// The exit code table every help screen ends with.
    static let exitCodes = """
        EXIT CODES:
          0   every requested org was fully verified and no error-level finding was made
          1   the checks completed and found integrity, isolation or session findings
          2   a check could not complete (connection, permission, unknown org, cut stream ...)
          64  usage error (bad flags or arguments)
        """

    /// The connection paragraph shared by every command that reads the database.
    static let connection = """
        CONNECTION:
          --db DSN, else DATABASE_URL, else libpq's PG* variables and defaults. DSN is a libpq
          key/value string (host=... dbname=...), a postgresql:// URI, or an Ecto URL (ecto://...).
          Passwords never appear in any output.
        """

    /// Renders a command's help screen.
    static func render(usage: String, abstract: String, options: [OptionSpec], extra: [String] = []) -> String {
        var out = "USAGE: \(usage)\n\n\(abstract)\n\nOPTIONS:\n"
        let labels = options.map { option -> String in
            var label = option.names.joined(separator: ", ")
            if let value = option.valueName { label += " \(value)" }
            return label
        }
        let width = min(30, (labels.map(\.count).max() ?? 0) + 2)
        for (label, option) in zip(labels, options) {
            if label.count + 2 > width {
                out += "  \(label)\n" + String(repeating: " ", count: width + 2) + option.help + "\n"
            } else {
                out += "  " + label + String(repeating: " ", count: width - label.count) + option.help + "\n"
            }
        }
        for paragraph in extra + [exitCodes] {
            out += "\n" + paragraph + "\n"
        }
        return out
    }
}
