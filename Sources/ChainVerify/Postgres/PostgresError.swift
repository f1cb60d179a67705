/// A failure talking to PostgreSQL: the connection, a statement, or the COPY protocol.
///
/// Its description is one line and never holds a password: connection messages pass through
/// `ConnectionSpec.redact` before they are stored.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What failed.
    public enum Kind: String, Sendable {
        /// The connection could not be established.
        case connection
        /// The server reported an error for a statement.
        case server
        /// The connection was lost, or the server answered with something unexpected.
        case protocolViolation
    }

    /// What failed.
    public var kind: Kind
    /// The server's SQLSTATE, when it sent one.
    public var sqlState: String?
    /// The one-line message.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        if let sqlState { return "\(message) (SQLSTATE \(sqlState))" }
        return message
    }

    /// Whether the server refused because of privileges (SQLSTATE 42501).
    public var isPermissionDenied: Bool { sqlState == "42501" }
}
