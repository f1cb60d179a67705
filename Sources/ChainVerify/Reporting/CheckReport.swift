/// The outcome of one check (tenants or sessions) for one org, or for the database as a whole.
public struct CheckReport: Sendable {
    /// A named count the check reports beside its findings, e.g. `sessions_closed`.
    public struct Stat: Sendable, Equatable {
        /// The stable name (snake_case).
        public var name: String
        /// The count.
        public var value: Int64

        /// Creates a stat.
        public init(_ name: String, _ value: Int64) {
            self.name = name
            self.value = value
        }
    }

    /// Which check.
    public var check: AuditCheck
    /// Its result: `ok`, `findings` (a failing finding), or `incomplete` (`error` says why).
    public var status: OrgReport.Status
    /// Its findings.
    public var log: FindingLog
    /// Why it could not complete.
    public var error: String?
    /// Wall time.
    public var durationSeconds: Double
    /// What it looked at, for reports (rows read, tables checked …).
    public var stats: [Stat]

    /// Creates a report; its status follows from `error` and `log` (`judge(strict:)` recomputes it).
    public init(
        check: AuditCheck, log: FindingLog, error: String? = nil, durationSeconds: Double = 0,
        stats: [Stat] = []
    ) {
        self.check = check
        self.log = log
        self.error = error
        self.durationSeconds = durationSeconds
        self.stats = stats
        self.status = .ok
        judge(strict: false)
    }

    /// Sets `status` from the error and the findings that are still open.
    public mutating func judge(strict: Bool) {
        if error != nil {
            status = .incomplete
        } else {
            status = log.fails(strict: strict) ? .findings : .ok
        }
    }

    /// The value of a stat, if reported.
    public func stat(_ name: String) -> Int64? {
        stats.first { $0.name == name }?.value
    }
}
