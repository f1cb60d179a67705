/// Verification could not complete for a reason other than the connection: bad data shape, an unknown
/// org, a stream that does not add up.
public struct VerificationError: Error, CustomStringConvertible, Sendable {
    /// The one-line message.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
