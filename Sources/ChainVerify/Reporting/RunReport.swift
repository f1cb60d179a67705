import Foundation

/// The outcome of one chain-audit run over one or more orgs.
public struct RunReport: Sendable {
    /// The run's overall result, and the JSON `status`.
    public enum Status: String, Sendable, Codable {
        /// Every requested org was fully verified with no error-level finding.
        case ok
        /// Verification completed and found problems.
        case findings
        /// Something could not be verified: a connection, an unknown org, a cut stream.
        case incomplete
    }

    /// The database the run read, without any password.
    public struct Database: Sendable {
        /// The role connected as.
        public var user: String
        /// The database name.
        public var name: String
        /// The host or socket directory.
        public var host: String
        /// The port.
        public var port: String
        /// The server version number, e.g. 150018.
        public var serverVersion: Int
        /// Whether the server is a standby in recovery (`pg_is_in_recovery()`), when known.
        public var inRecovery: Bool?
        /// On a standby, the last WAL location replayed (`pg_last_wal_replay_lsn()`): how current what was read is.
        public var replayLSN: String?
        /// The database's encoding, when known.
        public var encoding: String?
        /// The cluster's system identifier (`pg_control_system()`), shared by a primary and its replicas.
        public var systemIdentifier: String?

        /// Creates a description.
        public init(user: String, name: String, host: String, port: String, serverVersion: Int,
                    inRecovery: Bool? = nil, replayLSN: String? = nil, encoding: String? = nil) {
            self.user = user
            self.name = name
            self.host = host
            self.port = port
            self.serverVersion = serverVersion
            self.inRecovery = inRecovery
            self.replayLSN = replayLSN
            self.encoding = encoding
        }
    }

    /// When the run started.
    public var startedAt: Date
    /// The run's wall time.
    public var durationSeconds: Double
    /// The database, when a connection was made.
    public var database: Database?
    /// One report per verified org, in the order requested.
    public var orgs: [OrgReport]
    /// Problems that are not about one org's chain (connection, unknown org names).
    public var errors: [String]
    /// Things worth knowing that do not make the run incomplete (a role that could write, an unknown org
    /// with `--no-strict-orgs`); the command line prints them on stderr.
    public var warnings: [String] = []
    /// The command that made the report (`verify`, `tenants`, `sessions`, `check`).
    public var command = "verify"
    /// The checks run, in order.
    public var checks: [AuditCheck] = [.chain]
    /// Whether open warnings fail the run (`--strict`).
    public var strict = false
    /// Checks of the database as a whole rather than of one org (the tenants check's schema findings).
    public var databaseChecks: [CheckReport] = []
    /// The `--accept` rules that matched no finding, as given.
    public var unusedAcceptances: [String] = []

    /// Creates a report.
    public init(startedAt: Date, durationSeconds: Double = 0, database: Database? = nil, orgs: [OrgReport] = [],
                errors: [String] = []) {
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.database = database
        self.orgs = orgs
        self.errors = errors
    }

    /// `incomplete` when anything could not be verified, else `findings` when any org has an error-level
    /// finding, else `ok`. A partial run is never `ok`.
    public var status: Status {
        if !errors.isEmpty || orgs.contains(where: { $0.status == .incomplete })
            || databaseChecks.contains(where: { $0.status == .incomplete })
        {
            return .incomplete
        }
        if orgs.contains(where: { $0.status == .findings })
            || databaseChecks.contains(where: { $0.status == .findings })
        {
            return .findings
        }
        return .ok
    }
}
