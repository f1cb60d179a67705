/// An org-scoped table as the catalog describes it: one that has the tenant column.
struct TenantTable: Sendable {
    /// The table's oid, as text.
    var oid: String
    /// Its name.
    var name: QualifiedName
    /// Whether row level security is enabled (`relrowsecurity`).
    var rowSecurity: Bool
    /// Whether it is forced on the owner too (`relforcerowsecurity`).
    var forced: Bool
    /// Whether the tenant column is NOT NULL.
    var notNull: Bool
    /// The tenant column's type (`format_type`).
    var columnType: String
    /// Whether a valid, non-partial btree index leads with the tenant column (distinct values are cheap).
    var hasLeadingIndex: Bool

    /// Whether the tenant column is a uuid, so it compares with org ids and a uuid parameter directly.
    var isUUID: Bool { columnType == "uuid" }
}
