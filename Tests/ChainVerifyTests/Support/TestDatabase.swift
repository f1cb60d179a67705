import ChainVerify
import EventModel
import Foundation
import Testing

/// The real PostgreSQL server that scripts/test starts, and fresh databases on it.
///
/// scripts/test exports `CHAIN_AUDIT_TEST_DSN` (a superuser key/value connection string on the cluster's
/// unix socket) and `CHAIN_AUDIT_TEST_TCP_DSN` (the same over 127.0.0.1, with a password). Database tests
/// fail when the server cannot be found, unless `CHAIN_AUDIT_SKIP_DB_TESTS=1` says to skip them.
enum TestEnvironment {
    static let environment = ProcessInfo.processInfo.environment

    /// Whether database tests run (they do unless explicitly skipped).
    static let databaseTestsEnabled = environment["CHAIN_AUDIT_SKIP_DB_TESTS"] != "1"

    /// The repository root, found from this file's path.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A file under the repository root.
    static func file(_ path: String) -> URL { repositoryRoot.appendingPathComponent(path) }

    /// The superuser connection string on the unix socket.
    static func adminDSN() throws -> String {
        guard let dsn = environment["CHAIN_AUDIT_TEST_DSN"], !dsn.isEmpty else {
            throw TestSetupError(
                "CHAIN_AUDIT_TEST_DSN is not set: run the tests with scripts/test, which starts a PostgreSQL "
                    + "server (or set CHAIN_AUDIT_SKIP_DB_TESTS=1 to skip database tests explicitly)")
        }
        return dsn
    }

    /// The superuser connection URI over TCP, which carries the password.
    static func tcpDSN() throws -> String {
        guard let dsn = environment["CHAIN_AUDIT_TEST_TCP_DSN"], !dsn.isEmpty else {
            throw TestSetupError("CHAIN_AUDIT_TEST_TCP_DSN is not set: run the tests with scripts/test")
        }
        return dsn
    }

    /// A connection spec for a key/value DSN, ignoring the environment.
    static func spec(_ dsn: String) throws -> ConnectionSpec {
        try ConnectionSpec(option: dsn, environment: [:])
    }
}

/// Something the test harness itself could not set up.
struct TestSetupError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A database of its own for one test, created from a template that has samples/schema.sql loaded.
final class TestDatabase {
    /// The database name.
    let name: String
    /// A superuser key/value connection string for it (unix socket, no password).
    let dsn: String
    private var connection: Connection?

    private static let template: Result<String, TestSetupError> = {
        do {
            let admin = try Connection(TestEnvironment.spec(TestEnvironment.adminDSN()))
            let name = "ca_template_\(getpid())"
            try admin.execute("DROP DATABASE IF EXISTS \(name)")
            try admin.execute("CREATE DATABASE \(name)")
            let db = try Connection(TestEnvironment.spec(TestEnvironment.adminDSN() + " dbname=\(name)"))
            try db.execute(try String(contentsOf: TestEnvironment.file("samples/schema.sql"), encoding: .utf8))
            try db.execute(try String(contentsOf: TestEnvironment.file("samples/roles.sql"), encoding: .utf8))
            try db.execute(gateRoleSQL)
            db.close()
            admin.close()
            return .success(name)
        } catch let error as TestSetupError {
            return .failure(error)
        } catch {
            return .failure(TestSetupError("cannot create the template database: \(error)"))
        }
    }()

    /// `chain_gate`: chain_auditor's privileges plus membership in the application role, which the live tenant
    /// probe acts as (samples/roles.sql's note): the role the audit tests run `check`, `tenants` and
    /// `sessions` as. NOINHERIT, so it still cannot write (and chain-audit does not warn) unless it SETs the
    /// application role, which only the probe does, inside a read-only transaction.
    private static let gateRoleSQL = """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'chain_gate') THEN
                CREATE ROLE chain_gate LOGIN BYPASSRLS NOINHERIT;
            END IF;
        END
        $$;
        GRANT finnest_app TO chain_gate;
        GRANT USAGE ON SCHEMA public, agents, events TO chain_gate;
        GRANT SELECT ON public.orgs, public.users, agents.sessions, events.domain_events, events.chain_heads
            TO chain_gate;
        """

    /// A fresh database with the reference schema loaded and nothing in it.
    init(_ label: String = "t") throws {
        let template = try Self.template.get()
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let clean = label.lowercased().filter { $0.isLetter || $0.isNumber || $0 == "_" }.prefix(30)
        name = "ca_\(clean)_\(suffix)"
        dsn = try TestEnvironment.adminDSN() + " dbname=\(name)"
        let admin = try Connection(TestEnvironment.spec(TestEnvironment.adminDSN()))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name) TEMPLATE \(template)")
    }

    /// A handle on a database that exists already.
    init(existing dsn: String) {
        self.dsn = dsn
        self.name = dsn.split(separator: " ").last { $0.hasPrefix("dbname=") }.map { String($0.dropFirst(7)) } ?? ""
    }

    deinit {
        connection?.close()
    }

    /// The same database as samples/roles.sql's least-privilege `chain_auditor` (unix socket, trusted): the
    /// role the tests run chain-audit as.
    var auditorDSN: String { dsn + " user=chain_auditor" }

    /// The same database as `chain_gate`, the auditor that may also act as the application for the probe.
    var gateDSN: String { dsn + " user=chain_gate" }

    /// A superuser spec for this database.
    func spec() throws -> ConnectionSpec { try TestEnvironment.spec(dsn) }

    /// The auditor's spec for this database.
    func auditorSpec() throws -> ConnectionSpec { try TestEnvironment.spec(auditorDSN) }

    /// The harness's own superuser connection to this database.
    func admin() throws -> Connection {
        if let connection, connection.isOpen { return connection }
        let c = try Connection(spec())
        connection = c
        return c
    }

    /// Runs SQL as superuser.
    @discardableResult
    func exec(_ sql: String) throws -> QueryResult {
        try admin().execute(sql)
    }

    /// Runs one parameterised statement as superuser.
    @discardableResult
    func query(_ sql: String, _ parameters: [String?]) throws -> QueryResult {
        try admin().query(sql, parameters)
    }

    /// The first column of the first row, as text.
    func scalar(_ sql: String, _ parameters: [String?] = []) throws -> String? {
        let result = try query(sql, parameters)
        guard result.rowCount > 0 else { return nil }
        return result.value(0, 0)
    }

    /// Runs SQL with triggers bypassed (`session_replication_role = replica`), as tamper tests do.
    func tamper(_ sql: String) throws {
        try exec("SET session_replication_role = replica; \(sql); RESET session_replication_role")
    }

    /// Creates an org and, through the real trigger, `events` events in it.
    @discardableResult
    func makeOrg(_ slug: String, events: Int = 0, payloadBytes: Int = 40) throws -> OrgIdentity {
        let id = UUID()
        try query("INSERT INTO public.orgs (id, slug, name) VALUES ($1::uuid, $2, $2)", [id.lowercased, slug])
        if events > 0 { try insertEvents(id, count: events, payloadBytes: payloadBytes) }
        return OrgIdentity(id: id, slug: slug)
    }

    /// Inserts `count` events into an org in one `INSERT … SELECT` (the trigger chains them).
    func insertEvents(_ org: UUID, count: Int, payloadBytes: Int = 40) throws {
        try query(
            """
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload,
                                              occurred_at)
            SELECT $1::uuid, 'test.event_' || (g % 7), 'session', public.gen_random_uuid(),
                   CASE WHEN g % 3 = 0 THEN NULL ELSE public.gen_random_uuid() END,
                   jsonb_build_object('n', g, 'text', repeat('x', $3::int)),
                   timestamptz '2026-01-01 00:00:00+00' + g * interval '1.000001 second'
            FROM generate_series(1, $2::int) g
            """, [org.lowercased, String(count), String(payloadBytes)])
    }

    /// Verifies one org with the library, as `chain-audit verify` does, connected as `chain_auditor`.
    func verify(_ org: OrgIdentity, options: OrgVerifier.Options = .init()) throws -> OrgReport {
        let connection = try Connection(auditorSpec())
        defer { connection.close() }
        return try OrgVerifier(connection: connection, options: options).verify(org)
    }
}

extension OrgReport {
    /// The findings as (kind, seq) pairs, in report order.
    var kindsAndSeqs: [(Finding.Kind, Int64?)] { findings.map { ($0.kind, $0.seq) } }

    /// Whether the findings are exactly these (kind, seq) pairs, in order.
    func hasExactly(_ expected: [(Finding.Kind, Int64?)]) -> Bool {
        kindsAndSeqs.count == expected.count && zip(kindsAndSeqs, expected).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// A readable list of the findings, for failure messages.
    var findingSummary: String {
        findings.map { "\($0.kind.rawValue)@\($0.seq.map(String.init) ?? "-"): \($0.detail)" }.joined(separator: "\n")
            + (error.map { "\nerror: \($0)" } ?? "")
    }
}
