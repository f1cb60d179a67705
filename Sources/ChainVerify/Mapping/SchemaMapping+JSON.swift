import Foundation

extension SchemaMapping {
    /// The top-level keys a config file may hold.
    public static let configKeys = [
        "version", "tables", "tenant_column", "tenant_schemas", "org_setting", "application_role", "event_types",
        "aggregate_types", "functions",
    ]

    /// Reads a config file's mapping over the reference one: every key is optional, and an unknown key, a
    /// value of the wrong type or a malformed name is an error naming it.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - source: the file's name, for messages.
    public init(json data: Data, source: String) throws(SchemaMappingError) {
        self.init()
        let root: ConfigValue
        do {
            root = try JSONDecoder().decode(ConfigValue.self, from: data)
        } catch {
            throw SchemaMappingError("config \(source): not valid JSON")
        }
        let reader = ConfigReader(source: source)
        let top = try reader.object(root, at: "", keys: Self.configKeys)
        if let version = top["version"] {
            guard case .int(1) = version else {
                throw reader.error("version", "must be 1 (the only config version)")
            }
        }
        if let tables = top["tables"] {
            let byKey = try reader.object(tables, at: "tables", keys: Self.tableSpecs.map(\.key))
            for spec in Self.tableSpecs {
                guard let value = byKey[spec.key] else { continue }
                let path = "tables.\(spec.key)"
                let entry = try reader.object(value, at: path, keys: ["table", "columns"])
                var table = self.table(spec.key)
                if let name = entry["table"] {
                    table.name = try reader.qualifiedName(name, at: path + ".table")
                }
                if let columns = entry["columns"] {
                    let roles = try reader.object(columns, at: path + ".columns", keys: spec.columns.map(\.role))
                    for (role, value) in roles {
                        table.columns[role] = try reader.identifier(value, at: "\(path).columns.\(role)")
                    }
                }
                setTable(table)
            }
        }
        if let value = top["tenant_column"] {
            tenantColumn = try reader.identifier(value, at: "tenant_column")
        }
        if let value = top["tenant_schemas"] {
            switch value {
            case .null:
                tenantSchemas = nil
            case .array(let items):
                guard !items.isEmpty else { throw reader.error("tenant_schemas", "must name at least one schema") }
                tenantSchemas = try items.enumerated().map { i, item throws(SchemaMappingError) in
                    try reader.identifier(item, at: "tenant_schemas[\(i)]")
                }
            default:
                throw reader.error("tenant_schemas", "must be an array of schema names or null, not \(value.typeName)")
            }
        }
        if let value = top["org_setting"] {
            let setting = try reader.string(value, at: "org_setting")
            guard Self.isCustomSettingName(setting) else {
                throw reader.error(
                    "org_setting",
                    "\(DisplayText.quoted(setting)) is not a custom setting name "
                        + "(prefix.name, letters, digits and underscores)")
            }
            orgSetting = setting
        }
        if let value = top["application_role"] {
            if case .null = value {
                applicationRole = nil
            } else {
                applicationRole = try reader.identifier(value, at: "application_role").name
            }
        }
        if let value = top["event_types"] {
            let types = try reader.object(
                value, at: "event_types", keys: ["login", "session_started", "session_ended"])
            if let v = types["login"] { eventTypes.login = try reader.string(v, at: "event_types.login") }
            if let v = types["session_started"] {
                eventTypes.sessionStarted = try reader.string(v, at: "event_types.session_started")
            }
            if let v = types["session_ended"] {
                eventTypes.sessionEnded = try reader.string(v, at: "event_types.session_ended")
            }
        }
        if let value = top["aggregate_types"] {
            let types = try reader.object(value, at: "aggregate_types", keys: ["session", "user"])
            if let v = types["session"] { aggregateTypes.session = try reader.string(v, at: "aggregate_types.session") }
            if let v = types["user"] { aggregateTypes.user = try reader.string(v, at: "aggregate_types.user") }
        }
        if let value = top["functions"] {
            let functions = try reader.object(value, at: "functions", keys: ["canonical_bytes"])
            if let v = functions["canonical_bytes"] {
                canonicalBytesFunction = try reader.qualifiedName(v, at: "functions.canonical_bytes")
            }
        }
    }

    /// Whether `name` is a custom setting name PostgreSQL accepts: dot-separated parts of letters, digits,
    /// underscores and `$`, the first part starting with a letter or underscore.
    static func isCustomSettingName(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.unicodeScalars.first, first.isASCIILetterOrUnderscore else { return false }
            return part.unicodeScalars.allSatisfy {
                $0.isASCIILetterOrUnderscore || ("0"..."9").contains($0) || $0 == "$"
            }
        }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetterOrUnderscore: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_"
    }
}

/// Reads typed values out of a config document, with errors that name the key path.
private struct ConfigReader {
    let source: String

    func error(_ path: String, _ problem: String) -> SchemaMappingError {
        SchemaMappingError("config \(source): \(path) \(problem)")
    }

    func object(
        _ value: ConfigValue, at path: String, keys: [String]
    ) throws(SchemaMappingError)
        -> [String: ConfigValue]
    {
        guard case .object(let members) = value else {
            throw path.isEmpty
                ? SchemaMappingError("config \(source): the document must be a JSON object, not \(value.typeName)")
                : error(path, "must be an object, not \(value.typeName)")
        }
        for key in members.keys.sorted() where !keys.contains(key) {
            let full = path.isEmpty ? key : "\(path).\(key)"
            throw SchemaMappingError(
                "config \(source): unknown key \(DisplayText.quoted(full)) "
                    + "(expected one of: \(keys.joined(separator: ", ")))")
        }
        return members
    }

    func string(_ value: ConfigValue, at path: String) throws(SchemaMappingError) -> String {
        guard case .string(let text) = value else { throw error(path, "must be a string, not \(value.typeName)") }
        guard !text.isEmpty else { throw error(path, "must not be empty") }
        return text
    }

    func identifier(_ value: ConfigValue, at path: String) throws(SchemaMappingError) -> SQLIdentifier {
        let text = try string(value, at: path)
        do {
            return try SQLIdentifier(text)
        } catch {
            throw self.error(path, error.message)
        }
    }

    func qualifiedName(_ value: ConfigValue, at path: String) throws(SchemaMappingError) -> QualifiedName {
        let text = try string(value, at: path)
        do {
            return try QualifiedName(parsing: text)
        } catch {
            throw self.error(path, error.message)
        }
    }
}
