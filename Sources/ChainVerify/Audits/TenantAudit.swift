import EventModel
import Foundation

/// The tenants check: row level security on every org-scoped table, cross-org references, and the live probe.
///
/// Everything is read in one `REPEATABLE READ READ ONLY` snapshot. Schema findings (row level security,
/// NOT NULL, rows of no org) belong to the database as a whole; cross-org references and the probe belong
/// to the selected org they concern.
struct TenantAudit {
    /// Which role the live probe acts as.
    enum Probe: Sendable, Equatable {
        /// The mapping's application role, when it exists; a `probe_not_run` warning otherwise.
        case configured
        /// This role; it must exist.
        case role(String)
    }

    let connection: Connection
    let mapping: SchemaMapping
    let maxFindings: Int
    let probe: Probe

    /// The outcome: the database's check and each selected org's.
    struct Outcome {
        var database: CheckReport
        var orgs: [UUID: CheckReport]
    }

    func run(_ orgs: [OrgIdentity]) -> Outcome {
        let started = DispatchTime.now()
        var database = FindingLog(limit: maxFindings)
        var perOrg: [UUID: FindingLog] = [:]
        var orgStats: [UUID: [CheckReport.Stat]] = [:]
        var orgFailures: [UUID: String] = [:]
        var orgDurations: [UUID: Double] = [:]
        for org in orgs { perOrg[org.id] = FindingLog(limit: maxFindings) }
        var databaseStats: [CheckReport.Stat] = []
        var failure: String?
        do {
            try ReadOnlySession.run(on: connection) {
                let tables = try tenantTables()
                let policies = try self.policies(of: tables)
                checkSchema(tables, policies, into: &database)
                try checkOrphans(tables, into: &database)
                try checkSessionEvents(orgs, into: &perOrg)
                try checkSessionUsers(orgs, into: &perOrg)
                try checkSplices(orgs, into: &perOrg)
                databaseStats = [
                    .init("org_scoped_tables", Int64(tables.count)),
                    .init("policies", Int64(policies.count)),
                ]
                if let role = try probeRole(into: &database) {
                    for org in orgs {
                        let probeStart = DispatchTime.now()
                        do {
                            orgStats[org.id] = try probe(org, as: role, tables: tables, into: &perOrg[org.id]!)
                        } catch {
                            orgFailures[org.id] = "probe as \(DisplayText.quoted(role)): \(error)"
                        }
                        orgDurations[org.id] = SessionAudit.seconds(since: probeStart)
                    }
                }
            }
        } catch {
            failure = String(describing: error)
        }
        // Each org is charged its probe; the schema and the cross-org queries, run once for all, the database.
        let elapsed = SessionAudit.seconds(since: started)
        var reports: [UUID: CheckReport] = [:]
        for org in orgs {
            reports[org.id] = CheckReport(
                check: .tenants, log: perOrg[org.id] ?? FindingLog(),
                error: failure ?? orgFailures[org.id],
                durationSeconds: orgDurations[org.id] ?? 0, stats: orgStats[org.id] ?? [])
        }
        let shared = max(0, elapsed - orgDurations.values.reduce(0, +))
        return Outcome(
            database: CheckReport(
                check: .tenants, log: database, error: failure, durationSeconds: shared,
                stats: databaseStats),
            orgs: reports)
    }

    // MARK: - Schema

    private func tenantTables() throws -> [TenantTable] {
        let schemas: String? = mapping.tenantSchemas.map { SQLArray.literal($0.map(\.name)) }
        let result = try connection.query(
            """
            SELECT c.oid::text, n.nspname::text, c.relname::text, c.relrowsecurity, c.relforcerowsecurity, a.attnotnull,
                   format_type(a.atttypid, NULL),
                   EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                           JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
                           JOIN pg_catalog.pg_am am ON am.oid = ic.relam
                           WHERE i.indrelid = c.oid AND i.indkey[0] = a.attnum AND am.amname = 'btree'
                             AND i.indpred IS NULL AND i.indisvalid)
            FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE a.attname = $1 AND a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
              AND n.nspname <> 'information_schema' AND left(n.nspname, 3) <> 'pg_'
              AND ($2::text[] IS NULL OR n.nspname = ANY ($2::text[]))
            ORDER BY n.nspname, c.relname
            """, [mapping.tenantColumn.name, schemas])
        return try (0..<result.rowCount).map { row in
            TenantTable(
                oid: result.value(row, 0) ?? "0",
                name: QualifiedName(
                    schema: try SQLIdentifier(result.value(row, 1) ?? ""),
                    name: try SQLIdentifier(result.value(row, 2) ?? "")),
                rowSecurity: result.value(row, 3) == "t", forced: result.value(row, 4) == "t",
                notNull: result.value(row, 5) == "t", columnType: result.value(row, 6) ?? "",
                hasLeadingIndex: result.value(row, 7) == "t")
        }
    }

    /// Every policy of the tables, with whether each expression reads the table's tenant column: a Var of the
    /// policy's own relation (varno 1, varlevelsup 0) with the column's number, found in the stored tree.
    private func policies(of tables: [TenantTable]) throws -> [TenantPolicy] {
        guard !tables.isEmpty else { return [] }
        let result = try connection.query(
            """
            SELECT p.polrelid::text, p.polname::text, p.polpermissive, p.polcmd::text,
                   pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid),
                   COALESCE(p.polqual::text ~ v.pattern, false), COALESCE(p.polwithcheck::text ~ v.pattern, false)
            FROM pg_catalog.pg_policy p
            JOIN pg_catalog.pg_attribute a ON a.attrelid = p.polrelid AND a.attname = $2
            CROSS JOIN LATERAL (
                SELECT '[{]VAR :varno 1 :varattno ' || a.attnum || ' :[^}]*:varlevelsup 0 ' AS pattern) v
            WHERE p.polrelid = ANY ($1::oid[])
            ORDER BY p.polrelid, p.polname
            """, [SQLArray.literal(tables.map(\.oid)), mapping.tenantColumn.name])
        return (0..<result.rowCount).map { row in
            TenantPolicy(
                tableOID: result.value(row, 0) ?? "", name: result.value(row, 1) ?? "",
                permissive: result.value(row, 2) == "t", command: result.value(row, 3) ?? "*",
                using: result.value(row, 4), withCheck: result.value(row, 5),
                usingReadsOrg: result.value(row, 6) == "t", withCheckReadsOrg: result.value(row, 7) == "t")
        }
    }

    private func checkSchema(_ tables: [TenantTable], _ policies: [TenantPolicy], into log: inout FindingLog) {
        let column = mapping.tenantColumn.name
        for table in tables {
            let name = table.name.description
            if !table.rowSecurity {
                log.record(
                    .rlsDisabled, target: name,
                    "\(name) has a \(column) column but row level security is not enabled: every role that "
                        + "can read it sees every org's rows")
            }
            if !table.forced {
                log.record(
                    .rlsNotForced, target: name,
                    "\(name) does not FORCE row level security: its owner reads and writes every org's rows")
            }
            let own = policies.filter { $0.tableOID == table.oid }
            if !own.contains(where: { $0.usingReadsOrg || $0.withCheckReadsOrg }) {
                let names =
                    own.isEmpty
                    ? "it has no policies" : "its policies (\(own.map(\.name).joined(separator: ", "))) do not"
                log.record(
                    .rlsPolicyMissing, target: name,
                    "no policy of \(name) reads \(column): \(names)")
            }
            for policy in own where policy.permissive {
                var open: [String] = []
                if policy.filtersReads, let using = policy.using, !policy.usingReadsOrg {
                    open.append("USING (\(using))")
                }
                if policy.checksWrites, let check = policy.effectiveCheck, !check.readsOrg {
                    open.append("WITH CHECK (\(check.text))")
                }
                guard !open.isEmpty else { continue }
                log.record(
                    .rlsPolicyPermissive, target: name,
                    "permissive policy \(DisplayText.quoted(policy.name)) on \(name) admits rows without reading "
                        + "\(column): \(open.joined(separator: ", "))")
            }
            if !table.notNull {
                log.record(
                    .orgIDNullable, target: name,
                    "\(name).\(column) allows NULL: a row with no org matches no policy's comparison and no org")
            }
        }
    }

    private func checkOrphans(_ tables: [TenantTable], into log: inout FindingLog) throws {
        let orgs = mapping.orgs
        let column = mapping.tenantColumn.quoted
        for table in tables {
            var orphans: [(id: String, rows: Int64)] = []
            if table.isUUID && table.hasLeadingIndex {
                // A loose index scan: one index probe per distinct org, not a read of the whole table.
                let ids = try connection.query(
                    """
                    WITH RECURSIVE ids AS (
                        (SELECT t.\(column) AS id FROM \(table.name.quoted) t WHERE t.\(column) IS NOT NULL
                         ORDER BY t.\(column) LIMIT 1)
                        UNION ALL
                        SELECT (SELECT t.\(column) FROM \(table.name.quoted) t WHERE t.\(column) > ids.id
                                ORDER BY t.\(column) LIMIT 1)
                        FROM ids WHERE ids.id IS NOT NULL)
                    SELECT ids.id::text FROM ids
                    WHERE ids.id IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM \(orgs.name.quoted) o
                          WHERE \(orgs.column("id", alias: "o")) = ids.id)
                    ORDER BY 1
                    """, [])
                for row in 0..<ids.rowCount {
                    guard let id = ids.value(row, 0) else { continue }
                    let count = try connection.query(
                        "SELECT count(*) FROM \(table.name.quoted) WHERE \(column) = $1::uuid", [id])
                    orphans.append((id, Int64(count.value(0, 0) ?? "0") ?? 0))
                }
            } else {
                let join =
                    table.isUUID
                    ? "\(orgs.column("id", alias: "o")) = t.\(column)"
                    : "\(orgs.column("id", alias: "o"))::text = t.\(column)::text"
                let result = try connection.query(
                    """
                    SELECT t.\(column)::text, count(*) FROM \(table.name.quoted) t
                    WHERE t.\(column) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM \(orgs.name.quoted) o WHERE \(join))
                    GROUP BY 1 ORDER BY 1
                    """, [])
                for row in 0..<result.rowCount {
                    orphans.append((result.value(row, 0) ?? "", Int64(result.value(row, 1) ?? "0") ?? 0))
                }
            }
            guard !orphans.isEmpty else { continue }
            let rows = orphans.reduce(Int64(0)) { $0 + $1.rows }
            let shown = orphans.prefix(5).map { "\(DisplayText.quoted($0.id)) (\($0.rows) rows)" }
            let more = orphans.count > 5 ? " and \(orphans.count - 5) more" : ""
            log.record(
                .orphanOrgID, target: table.name.description,
                "\(rows) row(s) of \(table.name) name \(orphans.count) org(s) that \(orgs.name) does not hold: "
                    + shown.joined(separator: ", ") + more)
        }
    }

    // MARK: - Cross-org references

    private var findingLimit: String { String(maxFindings == 0 ? Int64.max : Int64(maxFindings)) }

    private func checkSessionEvents(_ orgs: [OrgIdentity], into logs: inout [UUID: FindingLog]) throws {
        guard !orgs.isEmpty else { return }
        let e = mapping.events
        let s = mapping.sessions
        let result = try connection.query(
            """
            SELECT x.org, x.seq, x.session, x.other, x.total FROM (
                SELECT \(e.column("org_id", alias: "e"))::text AS org, \(e.column("seq", alias: "e")) AS seq,
                       \(e.column("aggregate_id", alias: "e"))::text AS session,
                           \(s.column("org_id", alias: "s"))::text AS other,
                       row_number() OVER (PARTITION BY \(e.column("org_id", alias: "e"))
                           ORDER BY \(e.column("seq", alias: "e"))) AS n,
                       count(*) OVER (PARTITION BY \(e.column("org_id", alias: "e"))) AS total
                FROM \(e.name.quoted) e JOIN \(s.name.quoted) s
                    ON \(s.column("id", alias: "s")) = \(e.column("aggregate_id", alias: "e"))
                WHERE \(e.column("org_id", alias: "e")) = ANY ($1::uuid[])
                    AND \(e.column("aggregate_type", alias: "e")) = $2
                  AND \(s.column("org_id", alias: "s")) IS DISTINCT FROM \(e.column("org_id", alias: "e"))) x
            WHERE x.n <= $3 ORDER BY x.org, x.seq
            """, [SQLArray.literal(orgs.map(\.id.lowercased)), mapping.aggregateTypes.session, findingLimit])
        var listed: [UUID: Int] = [:]
        var totals: [UUID: Int] = [:]
        for row in 0..<result.rowCount {
            guard let org = result.value(row, 0).flatMap(UUID.init(uuidString:)) else { continue }
            let seq = result.value(row, 1).flatMap { Int64($0) }
            let session = result.value(row, 2) ?? "?"
            let other = result.value(row, 3) ?? "NULL"
            logs[org]?.record(
                .crossOrgSessionEvent, target: seq.map { "seq \($0)" }, seq: seq,
                "the event at seq \(seq.map(String.init) ?? "?") names session \(session), which belongs "
                    + "to org \(other) in \(s.name)")
            listed[org, default: 0] += 1
            totals[org] = Int(result.value(row, 4) ?? "0") ?? 0
        }
        for (org, total) in totals { logs[org]?.recordUnlisted(.crossOrgSessionEvent, count: total - listed[org]!) }
    }

    private func checkSessionUsers(_ orgs: [OrgIdentity], into logs: inout [UUID: FindingLog]) throws {
        guard !orgs.isEmpty else { return }
        let s = mapping.sessions
        let u = mapping.users
        let result = try connection.query(
            """
            SELECT x.org, x.session, x.usr, x.other, x.total FROM (
                SELECT \(s.column("org_id", alias: "s"))::text AS org, \(s.column("id", alias: "s"))::text AS session,
                       \(s.column("user_id", alias: "s"))::text AS usr,
                           \(u.column("org_id", alias: "u"))::text AS other,
                       row_number() OVER (PARTITION BY \(s.column("org_id", alias: "s"))
                           ORDER BY \(s.column("id", alias: "s"))) AS n,
                       count(*) OVER (PARTITION BY \(s.column("org_id", alias: "s"))) AS total
                FROM \(s.name.quoted) s JOIN \(u.name.quoted) u
                    ON \(u.column("id", alias: "u")) = \(s.column("user_id", alias: "s"))
                WHERE \(s.column("org_id", alias: "s")) = ANY ($1::uuid[])
                  AND \(u.column("org_id", alias: "u")) IS DISTINCT FROM \(s.column("org_id", alias: "s"))) x
            WHERE x.n <= $2 ORDER BY x.org, x.session
            """, [SQLArray.literal(orgs.map(\.id.lowercased)), findingLimit])
        var listed: [UUID: Int] = [:]
        var totals: [UUID: Int] = [:]
        for row in 0..<result.rowCount {
            guard let org = result.value(row, 0).flatMap(UUID.init(uuidString:)) else { continue }
            let session = result.value(row, 1) ?? "?"
            let user = result.value(row, 2) ?? "?"
            let other = result.value(row, 3) ?? "NULL"
            logs[org]?.record(
                .crossOrgSessionUser, target: session,
                "session \(session) belongs to this org but its user \(user) belongs to org \(other) "
                    + "in \(u.name)")
            listed[org, default: 0] += 1
            totals[org] = Int(result.value(row, 4) ?? "0") ?? 0
        }
        for (org, total) in totals { logs[org]?.recordUnlisted(.crossOrgSessionUser, count: total - listed[org]!) }
    }

    /// Spliced chains: events whose prev_hash is another org's event hash. Only events whose prev_hash does
    /// not continue their own org's chain can be spliced (org_id is hashed, so no two orgs share a hash), so
    /// those are found first with one ordered pass per org; the table is searched for their prev_hash only
    /// when there are any.
    private func checkSplices(_ orgs: [OrgIdentity], into logs: inout [UUID: FindingLog]) throws {
        guard !orgs.isEmpty else { return }
        let e = mapping.events
        let candidates = try connection.query(
            """
            SELECT x.org::text, x.seq, encode(x.prev, 'hex') FROM (
                SELECT \(e.column("org_id", alias: "e")) AS org, \(e.column("seq", alias: "e")) AS seq,
                       \(e.column("prev_hash", alias: "e")) AS prev,
                       lag(\(e.column("hash", alias: "e"))) OVER (PARTITION BY \(e.column("org_id", alias: "e"))
                                                                ORDER BY \(e.column("seq", alias: "e"))) AS pred
                FROM \(e.name.quoted) e WHERE \(e.column("org_id", alias: "e")) = ANY ($1::uuid[])) x
            WHERE length(x.prev) = 32 AND x.prev <> decode(repeat('00', 32), 'hex') AND x.prev IS DISTINCT FROM x.pred
            ORDER BY 1, 2 LIMIT 100000
            """, [SQLArray.literal(orgs.map(\.id.lowercased))])
        guard candidates.rowCount > 0 else { return }
        var wanted: [(org: UUID, seq: Int64, prev: String)] = []
        for row in 0..<candidates.rowCount {
            guard let org = candidates.value(row, 0).flatMap(UUID.init(uuidString:)),
                let seq = candidates.value(row, 1).flatMap({ Int64($0) }), let prev = candidates.value(row, 2)
            else { continue }
            wanted.append((org, seq, prev))
        }
        let matches = try connection.query(
            """
            SELECT encode(\(e.column("hash", alias: "f")), 'hex'), \(e.column("org_id", alias: "f"))::text,
                \(e.column("seq", alias: "f"))
            FROM \(e.name.quoted) f
            WHERE \(e.column("hash", alias: "f")) = ANY (ARRAY(SELECT decode(h, 'hex') FROM unnest($1::text[]) h))
            """, [SQLArray.literal(Set(wanted.map(\.prev)))])
        var owners: [String: [(org: String, seq: String)]] = [:]
        for row in 0..<matches.rowCount {
            guard let hash = matches.value(row, 0) else { continue }
            owners[hash, default: []].append((matches.value(row, 1) ?? "?", matches.value(row, 2) ?? "?"))
        }
        for candidate in wanted {
            guard let owner = owners[candidate.prev]?.first(where: { $0.org != candidate.org.lowercased }) else {
                continue
            }
            logs[candidate.org]?.record(
                .splicedChain, target: "seq \(candidate.seq)", seq: candidate.seq,
                "prev_hash at seq \(candidate.seq) is the hash of org \(owner.org)'s event at "
                    + "seq \(owner.seq): the chain continues another org's")
        }
    }

    // MARK: - The live probe

    /// The role to probe as, or `nil` when there is none (with a `probe_not_run` warning) or it bypasses row
    /// level security (with a `probe_role_bypasses_rls` error).
    private func probeRole(into log: inout FindingLog) throws -> String? {
        let name: String
        switch probe {
        case .role(let role):
            name = role
        case .configured:
            guard let role = mapping.applicationRole else {
                log.record(
                    .probeNotRun, target: nil,
                    "no live probe: no --probe-role given and the config names no application_role")
                return nil
            }
            name = role
        }
        let found = try connection.query(
            """
            SELECT r.rolsuper, r.rolbypassrls, pg_has_role(current_user, r.oid, 'MEMBER')
            FROM pg_catalog.pg_roles r WHERE r.rolname = $1
            """, [name])
        guard found.rowCount == 1 else {
            if case .role = probe {
                throw VerificationError("probe role \(DisplayText.quoted(name)) does not exist")
            }
            log.record(
                .probeNotRun, target: name,
                "no live probe: the application role \(DisplayText.quoted(name)) does not exist here "
                    + "(pass --probe-role ROLE)")
            return nil
        }
        if found.value(0, 0) == "t" || found.value(0, 1) == "t" {
            let what = found.value(0, 0) == "t" ? "a superuser" : "BYPASSRLS"
            log.record(
                .probeRoleBypassesRLS, target: name,
                "the probe role \(DisplayText.quoted(name)) is \(what): no row level security policy binds it")
            return nil
        }
        guard found.value(0, 2) == "t" else {
            throw VerificationError(
                "cannot act as role \(DisplayText.quoted(name)) for the probe: the connected user is not a member "
                    + "of it (GRANT \(name) TO the auditing role)")
        }
        return name
    }

    /// Acts as `role` with the org setting empty and then naming `org`, inside a savepoint that is rolled
    /// back: rows of other orgs, or any rows with no org set, must be invisible, and the org's own rows
    /// visible (else the probe proves nothing).
    private func probe(
        _ org: OrgIdentity, as role: String, tables: [TenantTable], into log: inout FindingLog
    ) throws
        -> [CheckReport.Stat]
    {
        let column = mapping.tenantColumn.quoted
        let orgID = org.id.lowercased
        // As the auditor (row security off): which tables the role can read, and what they hold.
        var probed: [(table: TenantTable, own: Bool, foreign: Bool)] = []
        for table in tables {
            let match = table.isUUID ? "t.\(column) = $2::uuid" : "t.\(column)::text = $2"
            let other = table.isUUID ? "t.\(column) IS DISTINCT FROM $2::uuid" : "t.\(column)::text IS DISTINCT FROM $2"
            let facts = try connection.query(
                """
                SELECT has_table_privilege($1, $3::oid, 'SELECT')
                       AND has_schema_privilege($1, (SELECT relnamespace FROM pg_catalog.pg_class WHERE oid = $3::oid),
                           'USAGE'),
                       EXISTS (SELECT 1 FROM \(table.name.quoted) t WHERE \(match)),
                       EXISTS (SELECT 1 FROM \(table.name.quoted) t WHERE \(other))
                """, [role, orgID, table.oid])
            guard facts.value(0, 0) == "t" else { continue }
            probed.append((table, facts.value(0, 1) == "t", facts.value(0, 2) == "t"))
        }
        let setting = mapping.orgSetting
        try connection.execute("SAVEPOINT chain_audit_probe")
        do {
            try connection.execute("SET LOCAL ROLE \(try SQLIdentifier(role).quoted); SET LOCAL row_security = on")
            for entry in probed {
                let table = entry.table
                let name = table.name.description
                // With the setting empty: an error (fail closed) or no rows.
                try connection.query("SELECT set_config($1, '', true)", [setting])
                try connection.execute("SAVEPOINT chain_audit_probe_unscoped")
                do {
                    let rows = try count("SELECT count(*) FROM (SELECT 1 FROM \(table.name.quoted) t LIMIT 1000) x", [])
                    if rows > 0 {
                        log.record(
                            .probeUnscopedVisible, target: name,
                            "acting as \(role) with \(setting) empty, \(rows)\(rows == 1000 ? "+" : "") row(s) of "
                                + "\(name) are visible: the policies do not fail closed")
                    }
                    try connection.execute("RELEASE SAVEPOINT chain_audit_probe_unscoped")
                } catch let error as PostgresError where error.kind == .server {
                    try connection.execute("ROLLBACK TO SAVEPOINT chain_audit_probe_unscoped")
                }
                // Naming the org: no other org's rows, and the org's own rows when it has any.
                try connection.query("SELECT set_config($1, $2, true)", [setting, orgID])
                let other =
                    table.isUUID ? "t.\(column) IS DISTINCT FROM $1::uuid" : "t.\(column)::text IS DISTINCT FROM $1"
                let foreign = try count(
                    "SELECT count(*) FROM (SELECT 1 FROM \(table.name.quoted) t WHERE \(other) LIMIT 1000) x", [orgID])
                if foreign > 0 {
                    log.record(
                        .probeCrossOrgVisible, target: name,
                        "acting as \(role) with \(setting) = \(orgID), \(foreign)\(foreign == 1000 ? "+" : "") "
                            + "row(s) of other orgs in \(name) are visible")
                }
                if entry.own {
                    let match = table.isUUID ? "t.\(column) = $1::uuid" : "t.\(column)::text = $1"
                    let own = try count(
                        "SELECT count(*) FROM (SELECT 1 FROM \(table.name.quoted) t WHERE \(match) LIMIT 1) x", [orgID])
                    if own == 0 {
                        log.record(
                            .probeOwnRowsHidden, target: name,
                            "acting as \(role) with \(setting) = \(orgID), none of the org's own rows in \(name) "
                                + "are visible: the probe cannot tell isolation from a policy that hides everything")
                    }
                }
            }
            try connection.execute("ROLLBACK TO SAVEPOINT chain_audit_probe; RELEASE SAVEPOINT chain_audit_probe")
        } catch {
            if connection.isOpen {
                _ = try? connection.execute(
                    "ROLLBACK TO SAVEPOINT chain_audit_probe; RELEASE SAVEPOINT chain_audit_probe")
            }
            throw error
        }
        return [
            .init("probe_tables", Int64(probed.count)),
            .init("probe_tables_with_other_orgs", Int64(probed.filter(\.foreign).count)),
        ]
    }

    private func count(_ sql: String, _ parameters: [String?]) throws -> Int64 {
        let result = try connection.query(sql, parameters)
        return Int64(result.value(0, 0) ?? "0") ?? 0
    }
}
