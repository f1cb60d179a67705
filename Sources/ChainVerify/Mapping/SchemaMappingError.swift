/// A schema mapping that cannot be used: a config file that is not valid, or names the database lacks.
public struct SchemaMappingError: Error, CustomStringConvertible, Sendable {
    /// The one-line message, naming the key or the name at fault.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
