/// A row level security policy of an org-scoped table.
struct TenantPolicy: Sendable {
    /// The table's oid, as text.
    var tableOID: String
    /// The policy's name.
    var name: String
    /// Permissive (OR-ed) rather than restrictive (AND-ed).
    var permissive: Bool
    /// The command: `*` (ALL), `r` (SELECT), `a` (INSERT), `w` (UPDATE), `d` (DELETE).
    var command: String
    /// The USING expression, deparsed, if any.
    var using: String?
    /// The WITH CHECK expression, deparsed, if any.
    var withCheck: String?
    /// Whether the USING expression reads the table's tenant column.
    var usingReadsOrg: Bool
    /// Whether the WITH CHECK expression reads the table's tenant column.
    var withCheckReadsOrg: Bool

    /// Whether the policy filters rows that are read (SELECT, UPDATE, DELETE, or ALL).
    var filtersReads: Bool { command != "a" }

    /// Whether the policy checks rows that are written (INSERT, UPDATE, or ALL).
    var checksWrites: Bool { command == "*" || command == "a" || command == "w" }

    /// The expression that checks new rows: WITH CHECK, or USING where PostgreSQL uses it in its place.
    var effectiveCheck: (text: String, readsOrg: Bool)? {
        if let withCheck { return (withCheck, withCheckReadsOrg) }
        if command == "*" || command == "w", let using { return (using, usingReadsOrg) }
        return nil
    }
}
