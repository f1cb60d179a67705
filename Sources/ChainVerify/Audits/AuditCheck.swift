/// One of the checks chain-audit runs; `check` runs all three.
public enum AuditCheck: String, Sendable, CaseIterable, Codable {
    /// Recompute and check each org's hash chain (`chain-audit verify`).
    case chain
    /// Tenant isolation: row level security, cross-org references, the live probe (`chain-audit tenants`).
    case tenants
    /// Session events against agents.sessions (`chain-audit sessions`).
    case sessions
}
