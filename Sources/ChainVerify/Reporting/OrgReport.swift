import EventModel

/// The outcome of verifying one org.
public struct OrgReport: Sendable {
    /// The org's overall result.
    public enum Status: String, Sendable, Codable {
        /// Fully verified, no error-level finding.
        case ok
        /// Verified (or stopped early on request) with error-level findings.
        case findings
        /// Verification could not complete; `error` says why.
        case incomplete
    }

    /// The org.
    public var org: OrgIdentity
    /// The result.
    public var status: Status
    /// The number of events read and checked.
    public var eventsVerified: Int64
    /// The highest seq read (the chain end), 0 for an empty org.
    public var headSeq: Int64
    /// The stored hash at `headSeq`, when there is one and it is well formed.
    public var headHash: Digest32?
    /// The findings, exact counts per kind, and how many were not kept.
    public var log: FindingLog
    /// Whether streaming stopped at the first error on request (`--exit-on-error`).
    public var stoppedEarly: Bool
    /// Why verification could not complete, when `status` is `incomplete`.
    public var error: String?
    /// Wall time spent on this org.
    public var durationSeconds: Double
    /// The signed checkpoint the chain was held against, if any.
    public var anchor: ChainChecker.Anchor?
    /// The first seq read: 1 for a full verification, the checkpoint's seq for an incremental one.
    public var verifiedFromSeq: Int64 = 1
    /// How many times verification resumed after a transient failure (`--retries`).
    public var resumes = 0
    /// Whether the chain was verified for this org; false in `tenants` and `sessions` runs, whose chain
    /// fields are then empty.
    public var chainVerified = true
    /// The other checks run for this org (tenants, sessions), in the order run.
    public var checks: [CheckReport] = []

    /// Creates a report.
    public init(org: OrgIdentity, status: Status, eventsVerified: Int64, headSeq: Int64, headHash: Digest32?,
                log: FindingLog, stoppedEarly: Bool, error: String?, durationSeconds: Double) {
        self.org = org
        self.status = status
        self.eventsVerified = eventsVerified
        self.headSeq = headSeq
        self.headHash = headHash
        self.log = log
        self.stoppedEarly = stoppedEarly
        self.error = error
        self.durationSeconds = durationSeconds
    }

    /// The findings kept.
    public var findings: [Finding] { log.findings }

    /// A report for an org whose chain is not verified in this run, to carry its other checks.
    public init(unverified org: OrgIdentity) {
        self.init(org: org, status: .ok, eventsVerified: 0, headSeq: 0, headHash: nil, log: FindingLog(),
                  stoppedEarly: false, error: nil, durationSeconds: 0)
        chainVerified = false
    }

    /// The chain check as a check report, when the chain was verified.
    public func chainCheck(strict: Bool) -> CheckReport? {
        guard chainVerified else { return nil }
        var check = CheckReport(check: .chain, log: log, error: error, durationSeconds: durationSeconds,
                                stats: [.init("events_verified", eventsVerified), .init("head_seq", headSeq)])
        check.judge(strict: strict)
        return check
    }

    /// Every check run for this org, the chain first.
    public func allChecks(strict: Bool) -> [CheckReport] {
        (chainCheck(strict: strict).map { [$0] } ?? []) + checks
    }
}
