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

    /// Appends another log's findings, with `inserted` findings placed among them, each at the position
    /// (the number of `other`'s findings made before it) where a sequential check would have made it.
    ///
    /// Counts stay exact; findings beyond this log's limit, or beyond what `other` kept, are counted as
    /// omitted.
    public mutating func append(_ other: FindingLog, inserting inserted: [(position: Int, finding: Finding)] = []) {
        let kept = other.findings
        var pending = inserted.sorted { $0.position < $1.position }[...]
        var index = 0
        func flush(upTo position: Int) {
            while let next = pending.first, next.position <= position {
                record(next.finding)
                pending = pending.dropFirst()
            }
        }
        for finding in kept {
            flush(upTo: index)
            record(finding)
            index += 1
        }
        // Findings `other` made but did not keep: counted here, not listed.
        for (kind, count) in other.counts {
            let listed = kept.lazy.filter { $0.kind == kind }.count
            let unlisted = count - listed
            guard unlisted > 0 else { continue }
            counts[kind, default: 0] += unlisted
            omitted += unlisted
        }
        errorCount += other.errorCount - kept.lazy.filter { $0.severity == .error }.count
        warningCount += other.warningCount - kept.lazy.filter { $0.severity == .warning }.count
        // Inserted findings that fall after everything `other` kept.
        if other.omitted == 0 {
            flush(upTo: Int.max)
        } else {
            for item in pending {
                counts[item.finding.kind, default: 0] += 1
                omitted += 1
                switch item.finding.severity {
                case .error: errorCount += 1
                case .warning: warningCount += 1
                }
            }
        }
    }

    /// Records a finding made of its parts.
    public mutating func record(_ kind: Finding.Kind, seq: Int64?, _ detail: String) {
        record(Finding(kind: kind, seq: seq, detail: detail))
    }
}
