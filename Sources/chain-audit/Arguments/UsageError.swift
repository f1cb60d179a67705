import ChainVerify

/// A command line that cannot be run as given; exits 64 (`EX_USAGE`).
struct UsageError: Error, CustomStringConvertible {
    /// What is wrong, in one line.
    let message: String

    init(_ message: String) {
        self.message = message
    }

    var description: String { message }

    /// `text` with control characters escaped, so a hostile argument cannot break the one-line message.
    static func printable(_ text: String) -> String {
        DisplayText.controlsEscaped(text)
    }
}
