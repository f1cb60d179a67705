import EventModel
import Foundation

/// A `check`, `tenants` or `sessions` run: connect, check the schema mapping against the catalog, resolve
/// the orgs, run the requested checks for each, and judge the findings into one report.
public struct AuditRun {
    /// What to run and how.
    public struct Options: Sendable {
        /// The checks, in the order they run for each org.
        public var checks: [AuditCheck]
        /// The names the store uses.
        public var mapping: SchemaMapping = .reference
        /// The most findings listed per check and org (0 for all); counts stay exact.
        public var maxFindings = 10_000
        /// The role the tenants probe acts as; `nil` uses the mapping's application role when it exists.
        public var probeRole: String?
        /// Sessions open longer than this are a warning; `nil` turns the check off.
        public var maxSessionAge: TimeSpan? = TimeSpan(seconds: 86_400)
        /// When set, each org must have a login and a closed session this recent.
        public var expectActivityWithin: TimeSpan?
        /// Findings to accept.
        public var acceptance = AcceptanceList()
        /// Whether open warnings fail the run.
        public var strict = false
        /// Connections per large org for the chain check (its seq range is split, as `verify --jobs`).
        public var jobs = 1
        /// Only this shard of the orgs (`--shard K/N`).
        public var shard: Shard?
        /// Retries of the chain check after a transient failure, each resuming after the last verified row.
        public var retries = 3
        /// How strict the run is about unknown orgs and the database's encoding, as for `verify`.
        public var policy = VerificationRun.Policy()

        /// Creates options for `checks`.
        public init(checks: [AuditCheck]) {
            self.checks = checks
        }
    }

    private let spec: ConnectionSpec
    private let options: Options
    private let command: String

    /// Creates a run of `command` (for reports) against the database `spec` names.
    public init(spec: ConnectionSpec, command: String, options: Options) {
        self.spec = spec
        self.options = options
        self.command = command
    }

    /// Runs it. Never throws: everything that goes wrong is in the report, which is then `incomplete`.
    public func run(_ selection: VerificationRun.Selection) -> RunReport {
        let clock = DispatchTime.now()
        var report = RunReport(startedAt: Date())
        report.command = command
        report.checks = AuditCheck.allCases.filter(options.checks.contains)
        func finish() -> RunReport {
            report.judge(acceptance: options.acceptance, strict: options.strict)
            report.durationSeconds = SessionAudit.seconds(since: clock)
            return report
        }
        var connection: Connection
        do {
            connection = try Connection(spec)
        } catch {
            report.errors.append(String(describing: error))
            return finish()
        }
        guard VerificationRun.describe(connection, policy: options.policy, mapping: options.mapping, into: &report)
        else { return finish() }
        do {
            try options.mapping.validate(
                SchemaMapping.tableKeys(for: report.checks),
                checkTenantSchemas: report.checks.contains(.tenants), on: connection)
        } catch {
            report.errors.append(String(describing: error))
            return finish()
        }
        let orgs: [OrgIdentity]
        do {
            orgs = try OrgResolver(connection: connection, mapping: options.mapping)
                .select(selection, shard: options.shard, policy: options.policy, verb: "check", into: &report)
        } catch {
            report.errors.append("cannot list orgs: \(error)")
            return finish()
        }
        report.orgs = orgs.map(OrgReport.init(unverified:))

        func live() throws -> Connection {
            if !connection.isOpen { connection = try Connection(spec) }
            return connection
        }
        if report.checks.contains(.chain) {
            var verifyOptions = OrgVerifier.Options(maxFindings: options.maxFindings, jobs: options.jobs)
            verifyOptions.mapping = options.mapping
            verifyOptions.retries = options.retries
            for i in report.orgs.indices {
                if Cancellation.isRequested {
                    report.orgs[i].error = String(describing: CancelledError())
                    report.orgs[i].status = .incomplete
                    continue
                }
                do {
                    report.orgs[i] = try OrgVerifier(connection: live(), options: verifyOptions).verify(orgs[i])
                } catch {
                    report.orgs[i].error = "cannot verify: \(error)"
                    report.orgs[i].status = .incomplete
                }
            }
        }
        if report.checks.contains(.tenants) {
            do {
                let probe: TenantAudit.Probe = options.probeRole.map { .role($0) } ?? .configured
                let outcome = TenantAudit(
                    connection: try live(), mapping: options.mapping,
                    maxFindings: options.maxFindings, probe: probe
                ).run(orgs)
                report.databaseChecks.append(outcome.database)
                for i in report.orgs.indices {
                    if let check = outcome.orgs[orgs[i].id] { report.orgs[i].checks.append(check) }
                }
            } catch {
                report.errors.append("cannot reconnect for the tenants check: \(error)")
            }
        }
        if report.checks.contains(.sessions) {
            for i in report.orgs.indices {
                do {
                    let audit = SessionAudit(
                        connection: try live(), mapping: options.mapping,
                        maxFindings: options.maxFindings, maxSessionAge: options.maxSessionAge,
                        expectActivityWithin: options.expectActivityWithin)
                    report.orgs[i].checks.append(audit.run(orgs[i]))
                } catch {
                    report.orgs[i].checks.append(
                        CheckReport(
                            check: .sessions, log: FindingLog(),
                            error: "cannot reconnect: \(error)"))
                }
            }
        }
        return finish()
    }
}
