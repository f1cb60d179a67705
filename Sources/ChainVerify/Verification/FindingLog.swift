/// The findings of one org, with exact counts per kind even when only the first `limit` are kept.
public struct FindingLog: Sendable {
    /// The findings kept, in the order they were made.
    public private(set) var findings: [Finding] = []
    /// How many findings of each kind were made, kept or not.
    public private(set) var counts: [Finding.Kind: Int] = [:]
    /// How many error-level findings were made.
    public private(set) var errorCount = 0
    /// How many warning-level findings were made.
    public private(set) var warningCount = 0
    /// How many findings were made but not kept because of `limit`.
    public private(set) var omitted = 0
    /// The most findings kept; 0 keeps every one.
    public let limit: Int

    /// Creates an empty log that keeps at most `limit` findings (0 for all).
    public init(limit: Int = 0) {
        self.limit = limit
    }

    /// The total number of findings made.
    public var total: Int { errorCount + warningCount }

    /// Records a finding.
    public mutating func record(_ finding: Finding) {
        counts[finding.kind, default: 0] += 1
        switch finding.severity {
        case .error: errorCount += 1
        case .warning: warningCount += 1
        }
        if limit == 0 || findings.count < limit {
            findings.append(finding)
        } else {
            omitted += 1
        }
    }

    /// Records a finding made of its parts.
    public mutating func record(_ kind: Finding.Kind, seq: Int64?, _ detail: String) {
        record(Finding(kind: kind, seq: seq, detail: detail))
    }
}
