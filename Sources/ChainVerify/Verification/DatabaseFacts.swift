/// What a run needs to know about the database before it reads: recovery, encoding, and whether the role
/// it connected as could write the audited tables.
struct DatabaseFacts {
    var inRecovery: Bool
    var replayLSN: String?
    var encoding: String
    /// The cluster's system identifier and the database's name: what checkpoints name it by.
    var identity: DatabaseIdentity
    /// Why the role could write one of the audited tables (superuser, or a privilege), or `nil` when it
    /// cannot.
    var canWrite: String?

    static let query = """
        SELECT pg_catalog.pg_is_in_recovery(), pg_catalog.pg_last_wal_replay_lsn()::text,
               pg_catalog.pg_encoding_to_char(d.encoding), r.rolsuper,
               coalesce((SELECT pg_catalog.string_agg(c.relname || ' ' || p.privilege, ', ' ORDER BY c.relname, p.privilege)
                         FROM pg_catalog.pg_class c
                         CROSS JOIN pg_catalog.unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p(privilege)
                         WHERE c.oid IN (SELECT pg_catalog.to_regclass(t) FROM pg_catalog.unnest($1::text[]) AS t)
                           AND pg_catalog.has_table_privilege(c.oid, p.privilege)), '')
               , (SELECT system_identifier::text FROM pg_catalog.pg_control_system()), d.datname
        FROM pg_catalog.pg_database d, pg_catalog.pg_roles r
        WHERE d.datname = pg_catalog.current_database() AND r.rolname = CURRENT_USER
        """

    /// Reads the facts; `tables` are those a writer could tamper with (the events and the chain heads).
    static func read(_ connection: Connection, tables: [QualifiedName]) throws -> DatabaseFacts {
        let names = SQLArray.literal(tables.map(\.quoted))
        let result = try ReadOnlySession.run(on: connection) { try connection.query(query, [names]) }
        guard result.rowCount == 1 else { throw VerificationError("cannot read the database's settings") }
        let superuser = result.value(0, 3) == "t"
        let privileges = result.value(0, 4) ?? ""
        return DatabaseFacts(
            inRecovery: result.value(0, 0) == "t", replayLSN: result.value(0, 1), encoding: result.value(0, 2) ?? "?",
            identity: DatabaseIdentity(systemIdentifier: result.value(0, 5) ?? "?", database: result.value(0, 6) ?? "?"),
            canWrite: superuser ? "superuser" : (privileges.isEmpty ? nil : privileges))
    }
}
