/// GitHub Actions workflow commands (`::error title=…::message`), escaped as the Actions toolkit does.
public enum WorkflowCommand {
    /// A command's data (the message): `%`, CR and LF percent-encoded.
    public static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// A command's property value (such as `title`): as data, and `:` and `,` too.
    public static func escapeProperty(_ text: String) -> String {
        escapeData(text)
            .replacingOccurrences(of: ":", with: "%3A")
            .replacingOccurrences(of: ",", with: "%2C")
    }

    /// One annotation line: `::level title=…::message`.
    public static func annotation(_ level: String, title: String, message: String) -> String {
        "::\(level) title=\(escapeProperty(title))::\(escapeData(message))\n"
    }
}
