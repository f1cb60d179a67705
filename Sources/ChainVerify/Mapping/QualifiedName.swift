/// A schema-qualified table or function name, `schema.name`.
public struct QualifiedName: Sendable, Hashable, CustomStringConvertible {
    /// The schema.
    public let schema: SQLIdentifier
    /// The table or function within it.
    public let name: SQLIdentifier

    /// Creates a name from its two parts.
    public init(schema: SQLIdentifier, name: SQLIdentifier) {
        self.schema = schema
        self.name = name
    }

    /// Parses `schema.name`: exactly one dot, both parts catalog spellings (no SQL quoting or case folding).
    public init(parsing text: String) throws(SchemaMappingError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw SchemaMappingError("\(DisplayText.quoted(text)) is not a schema-qualified name (schema.name)")
        }
        self.schema = try SQLIdentifier(String(parts[0]))
        self.name = try SQLIdentifier(String(parts[1]))
    }

    /// A name the code itself spells.
    init(literal text: String) {
        do {
            try self.init(parsing: text)
        } catch {
            preconditionFailure("invalid qualified name literal \(text)")
        }
    }

    /// Both parts quoted, `"schema"."name"`.
    public var quoted: String { schema.quoted + "." + name.quoted }

    /// `schema.name` as the catalog spells it.
    public var description: String { "\(schema.name).\(name.name)" }
}
