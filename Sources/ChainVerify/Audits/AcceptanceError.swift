/// An `--accept` rule or accept file that cannot be used; a usage error.
public struct AcceptanceError: Error, CustomStringConvertible, Sendable {
    /// The one-line message.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
