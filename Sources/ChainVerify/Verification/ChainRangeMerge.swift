import EventModel

/// What one part of an org's chain (a seq range read on its own connection) found.
public struct ChainRangeResult: Sendable {
    /// The checker after the range's last row.
    public var checker: ChainChecker
    /// The range's findings.
    public var log: FindingLog

    /// Creates a result.
    public init(checker: ChainChecker, log: FindingLog) {
        self.checker = checker
        self.log = log
    }
}

/// Joins the parts of a chain verified separately into what one sequential pass would have reported.
///
/// At each boundary it makes the checks no part could make alone: the gap between one part's last seq and
/// the next part's first, and the links of the next part's first rows to the previous part's last hashes.
public enum ChainRangeMerge {
    /// The merged outcome.
    public struct Outcome: Sendable {
        /// Every finding, in seq order as a sequential pass makes them.
        public var log: FindingLog
        /// Rows checked in all parts.
        public var rowCount: Int64
        /// The chain's last seq, or `nil` when no part had rows.
        public var lastSeq: Int64?
        /// The stored hash of the first row at `lastSeq`.
        public var lastHash: HashValue?
    }

    /// Merges parts given in seq order; the first part must have been checked from genesis (`init()`), the
    /// others with `ChainChecker.laterRange()`.
    public static func merge(_ parts: [ChainRangeResult], limit: Int) -> Outcome {
        var log = FindingLog(limit: limit)
        var rows: Int64 = 0
        var lastSeq: Int64?
        var lastHash: HashValue?
        var lastHashes: [HashValue] = []
        for part in parts {
            rows += part.checker.rowCount
            guard let first = part.checker.firstSeq, let partLast = part.checker.lastSeq else {
                log.append(part.log)
                continue
            }
            var inserted: [(position: Int, finding: Finding)] = []
            if !part.checker.pendingLinks.isEmpty {
                let expected = (lastSeq ?? 0) + 1
                if first > expected {
                    inserted.append((0, Finding(kind: .seqGap, seq: expected,
                                                detail: ChainChecker.gapDetail(from: expected, before: first))))
                } else if first == expected {
                    for pending in part.checker.pendingLinks {
                        let finding = ChainChecker.linkFinding(seq: pending.seq, prevHash: pending.prevHash,
                                                               predecessors: lastHashes)
                        if let finding { inserted.append((pending.position, finding)) }
                    }
                }
            }
            log.append(part.log, inserting: inserted)
            lastSeq = partLast
            lastHash = part.checker.lastHash
            lastHashes = part.checker.lastHashes
        }
        return Outcome(log: log, rowCount: rows, lastSeq: lastSeq, lastHash: lastHash)
    }
}
