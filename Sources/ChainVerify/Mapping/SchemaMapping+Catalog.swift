extension SchemaMapping {
    /// The tables `checks` read (with `public.orgs`, which every run resolves org names in), in spec order.
    public static func tableKeys(for checks: [AuditCheck]) -> [String] {
        var keys = ["orgs"]
        for check in checks {
            switch check {
            case .chain: keys += ["events", "chain_heads"]
            case .tenants: keys += ["users", "sessions", "events"]
            case .sessions: keys += ["sessions", "events"]
            }
        }
        return tableSpecs.map(\.key).filter(keys.contains)
    }

    /// Checks against the catalog that every table under `keys` exists with each mapped column, of a type
    /// the audits can read, and that every schema in `tenantSchemas` exists.
    ///
    /// - Throws: `SchemaMappingError` naming every key whose table, column or schema is missing or of the
    ///   wrong type, on one line.
    public func validate(_ keys: [String], checkTenantSchemas: Bool = false, on connection: Connection) throws {
        var problems: [String] = []
        try ReadOnlySession.run(on: connection) {
            for key in keys {
                let spec = Self.spec(key)
                let table = self.table(key)
                let found = try connection.query(
                    """
                    SELECT c.oid::text FROM pg_catalog.pg_class c
                    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                    """, [table.name.schema.name, table.name.name.name])
                guard found.rowCount == 1, let oid = found.value(0, 0) else {
                    problems.append(
                        "tables.\(key).table: no table \(DisplayText.quoted(table.name.description)) "
                            + "in the database")
                    continue
                }
                let columns = try connection.query(
                    """
                    SELECT a.attname::text,
                           format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END, NULL)
                    FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
                    WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
                    """, [oid])
                var types: [String: String] = [:]
                for row in 0..<columns.rowCount {
                    if let name = columns.value(row, 0) { types[name] = columns.value(row, 1) ?? "" }
                }
                for column in spec.columns {
                    let name = table[column.role].name
                    guard let type = types[name] else {
                        problems.append(
                            "tables.\(key).columns.\(column.role): no column \(DisplayText.quoted(name)) "
                                + "in \(table.name)")
                        continue
                    }
                    if !column.types.contains(type) {
                        problems.append(
                            "tables.\(key).columns.\(column.role): \(table.name).\(name) is \(type), "
                                + "expected \(column.types.joined(separator: " or "))")
                    }
                }
            }
            if checkTenantSchemas, let schemas = tenantSchemas {
                for (i, schema) in schemas.enumerated() {
                    let found = try connection.query(
                        "SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1", [schema.name])
                    if found.rowCount == 0 {
                        problems.append(
                            "tenant_schemas[\(i)]: no schema \(DisplayText.quoted(schema.name)) in the database")
                    }
                }
            }
        }
        if !problems.isEmpty {
            throw SchemaMappingError("schema mapping: " + problems.joined(separator: "; "))
        }
    }
}
