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
    /// How many error-level findings were accepted (`--accept`), kept or not.
    public private(set) var acceptedErrorCount = 0
    /// How many warning-level findings were accepted, kept or not.
    public private(set) var acceptedWarningCount = 0

    /// Creates an empty log that keeps at most `limit` findings (0 for all).
    public init(limit: Int = 0) {
        self.limit = limit
    }

    /// The total number of findings made.
    public var total: Int { errorCount + warningCount }

    /// Error-level findings that were not accepted: each fails the run.
    public var openErrorCount: Int { errorCount - acceptedErrorCount }

    /// Warning-level findings that were not accepted: they fail the run only under `--strict`.
    public var openWarningCount: Int { warningCount - acceptedWarningCount }

    /// Findings accepted, of either severity.
    public var acceptedCount: Int { acceptedErrorCount + acceptedWarningCount }

    /// Whether these findings fail a run: an open error, or an open warning when `strict`.
    public func fails(strict: Bool) -> Bool {
        openErrorCount > 0 || (strict && openWarningCount > 0)
    }

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
        acceptedErrorCount += other.acceptedErrorCount
        acceptedWarningCount += other.acceptedWarningCount
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

    /// Records a finding of `kind` with its catalogued severity, at a target and optionally a seq.
    public mutating func record(_ kind: Finding.Kind, target: String?, seq: Int64? = nil, _ detail: String) {
        record(Finding(kind: kind, severity: kind.severity, seq: seq, target: target, detail: detail))
    }

    /// Counts `count` more findings of `kind` that an audit query found but did not list.
    public mutating func recordUnlisted(_ kind: Finding.Kind, count: Int) {
        guard count > 0 else { return }
        counts[kind, default: 0] += count
        switch kind.severity {
        case .error: errorCount += count
        case .warning: warningCount += count
        }
        omitted += count
    }

    /// Marks every finding `acceptance` accepts, and returns the rules that matched at least one.
    ///
    /// Listed findings are matched by code and place. Findings that were counted but not listed (beyond
    /// `limit`) can only be matched by a rule without a target, which accepts every finding of its code.
    public mutating func accept(_ acceptance: AcceptanceList) -> Set<AcceptanceList.Rule> {
        var matched = Set<AcceptanceList.Rule>()
        var listed: [Finding.Kind: Int] = [:]
        for i in findings.indices {
            listed[findings[i].kind, default: 0] += 1
            guard !findings[i].accepted, let rule = acceptance.rule(accepting: findings[i]) else { continue }
            findings[i].accepted = true
            matched.insert(rule)
            switch findings[i].severity {
            case .error: acceptedErrorCount += 1
            case .warning: acceptedWarningCount += 1
            }
        }
        for (kind, count) in counts {
            let unlisted = count - (listed[kind] ?? 0)
            guard unlisted > 0, let rule = acceptance.rule(acceptingAll: kind) else { continue }
            matched.insert(rule)
            switch kind.severity {
            case .error: acceptedErrorCount += unlisted
            case .warning: acceptedWarningCount += unlisted
            }
        }
        return matched
    }
}
