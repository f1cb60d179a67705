/// A PostgreSQL identifier exactly as the catalog spells it, and its quoted SQL form.
///
/// Names from a schema mapping reach SQL only this way: checked against the catalog, then double-quoted
/// with every `"` doubled, so no name can end the identifier or change the statement around it.
public struct SQLIdentifier: Sendable, Hashable, CustomStringConvertible {
    /// The name as stored in the catalog (case and all).
    public let name: String

    /// The longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); longer names are truncated by the
    /// server, so they could never match the catalog.
    public static let maximumByteCount = 63

    /// Creates an identifier, or fails when `name` is empty, too long, or holds a NUL.
    public init(_ name: String) throws(SchemaMappingError) {
        guard !name.isEmpty else { throw SchemaMappingError("an empty name is not an identifier") }
        guard !name.unicodeScalars.contains("\u{0}") else {
            throw SchemaMappingError("the name \(DisplayText.quoted(name)) holds a NUL character")
        }
        guard name.utf8.count <= Self.maximumByteCount else {
            throw SchemaMappingError(
                "the name \(DisplayText.quoted(name)) is longer than PostgreSQL's \(Self.maximumByteCount) bytes")
        }
        self.name = name
    }

    /// An identifier the code itself spells; a bad literal is a programming error.
    init(literal name: String) {
        do {
            try self.init(name)
        } catch {
            preconditionFailure("invalid identifier literal \(name)")
        }
    }

    /// The identifier double-quoted for SQL, with every `"` doubled.
    public var quoted: String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The name as the catalog spells it.
    public var description: String { name }
}
