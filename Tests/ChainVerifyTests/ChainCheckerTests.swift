import ChainVerify
import EventModel
import Testing

/// The sequential chain rules, on synthetic rows (no database).
@Suite("Chain checker rules")
struct ChainCheckerTests {
    /// A synthetic chain: hash(n) is a made-up digest; `computed` equals it unless told otherwise.
    static func h(_ n: Int) -> Digest32 {
        var bytes = [UInt8](repeating: 0, count: 32)
        bytes[0] = 0xAB
        bytes[31] = UInt8(n & 0xff)
        bytes[30] = UInt8((n >> 8) & 0xff)
        return Digest32(bytes)!
    }

    struct Row {
        var seq: Int64
        var prev: HashValue
        var hash: HashValue
        var computed: Digest32?
    }

    static func intact(_ count: Int) -> [Row] {
        (1...count).map { n in
            Row(seq: Int64(n), prev: .digest(n == 1 ? .zero : h(n - 1)), hash: .digest(h(n)), computed: h(n))
        }
    }

    func check(_ rows: [Row], head: (seq: Int64, hash: HashValue)?? = nil) -> [(Finding.Kind, Int64?)] {
        var checker = ChainChecker()
        var log = FindingLog()
        for r in rows {
            checker.check(seq: r.seq, prevHash: r.prev, hash: r.hash, computed: r.computed, into: &log)
        }
        if let head {
            checker.checkHead(recorded: head, into: &log)
        } else if let last = rows.last {
            checker.checkHead(recorded: (last.seq, last.hash), into: &log)
        }
        return log.findings.map { ($0.kind, $0.seq) }
    }

    func same(_ a: [(Finding.Kind, Int64?)], _ b: [(Finding.Kind, Int64?)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    @Test func anIntactChainHasNoFindings() {
        #expect(check(Self.intact(20)).isEmpty)
    }

    @Test func anEmptyChainWithNoHeadHasNoFindings() {
        #expect(check([], head: .some(nil)).isEmpty)
    }

    @Test func aContentMismatchIsReportedAtItsSeq() {
        var rows = Self.intact(5)
        rows[2].computed = Self.h(99)
        #expect(same(check(rows), [(.contentMismatch, 3)]))
    }

    @Test func aGapIsReportedOnceAtTheFirstMissingSeqAndTheLinkAcrossItIsNotChecked() {
        var rows = Self.intact(10)
        rows.removeSubrange(3...5)  // seqs 4, 5, 6
        #expect(same(check(rows), [(.seqGap, 4)]))
    }

    @Test func aMalformedPredecessorLeavesTheNextLinkUnchecked() {
        var rows = Self.intact(5)
        rows[1].hash = .wrongLength(31)
        #expect(same(check(rows), [(.malformedHash, 2)]))
    }

    @Test func aMalformedPrevHashSkipsTheContentCheck() {
        var rows = Self.intact(5)
        rows[1].prev = .null
        rows[1].computed = nil
        #expect(same(check(rows), [(.malformedHash, 2)]))
    }

    @Test func forksDuplicatesAndIdenticalCopiesAreToldApart() {
        var rows = Self.intact(5)
        // A fork: same predecessor, other content.
        rows.insert(Row(seq: 3, prev: .digest(Self.h(2)), hash: .digest(Self.h(77)), computed: Self.h(77)), at: 3)
        #expect(same(check(rows), [(.fork, 3)]))

        rows = Self.intact(5)
        rows.insert(rows[2], at: 3)
        #expect(same(check(rows), [(.seqDuplicate, 3)]))

        rows = Self.intact(5)
        rows.insert(Row(seq: 3, prev: .digest(Self.h(50)), hash: .digest(Self.h(51)), computed: Self.h(51)), at: 3)
        #expect(same(check(rows), [(.seqDuplicate, 3), (.linkMismatch, 3)]))
    }

    @Test func theNextRowMayContinueEitherBranchOfAFork() {
        var rows = Self.intact(5)
        rows.insert(Row(seq: 3, prev: .digest(Self.h(2)), hash: .digest(Self.h(77)), computed: Self.h(77)), at: 3)
        rows[4].prev = .digest(Self.h(77))  // seq 4 continues the forked row
        #expect(same(check(rows), [(.fork, 3)]))
    }

    @Test func genesisMustLinkToZero() {
        var rows = Self.intact(3)
        rows[0].prev = .digest(Self.h(1000))
        #expect(same(check(rows), [(.genesisMismatch, 1)]))
    }

    @Test func aSeqBelowOneIsInvalid() {
        let rows = [Row(seq: -3, prev: .digest(.zero), hash: .digest(Self.h(9)), computed: Self.h(9))] + Self.intact(3)
        #expect(same(check(rows), [(.seqInvalid, -3)]))
    }

    @Test func theChainEndIsCheckedAgainstTheRecordedHead() {
        let rows = Self.intact(5)
        #expect(same(check(rows, head: .some((5, .digest(Self.h(5))))), []))
        #expect(same(check(rows, head: .some((7, .digest(Self.h(7))))), [(.headMismatch, 7)]))
        #expect(same(check(rows, head: .some((4, .digest(Self.h(4))))), [(.headMismatch, 4)]))
        #expect(same(check(rows, head: .some((5, .digest(Self.h(6))))), [(.headMismatch, 5)]))
        #expect(same(check(rows, head: .some((5, .wrongLength(3)))), [(.headMismatch, 5)]))
        #expect(same(check(rows, head: .some(nil)), [(.headMismatch, nil)]))
        #expect(same(check([], head: .some((3, .digest(Self.h(3))))), [(.headMismatch, 3)]))
    }

    /// Every chain shape the rules distinguish, for the split-and-merge equivalence test.
    static var shapes: [(String, [Row])] {
        var out: [(String, [Row])] = [("intact", intact(9))]
        var rows = intact(9)
        rows[4].computed = h(99)
        out.append(("content", rows))
        rows = intact(9)
        rows[4].hash = .digest(h(98))
        rows[4].computed = h(98)
        out.append(("rehashed", rows))
        rows = intact(9)
        rows.removeSubrange(3...5)
        out.append(("gap", rows))
        rows = intact(9)
        rows.remove(at: 0)
        out.append(("no genesis", rows))
        rows = intact(9)
        rows[0].prev = .digest(h(500))
        out.append(("genesis", rows))
        rows = intact(9)
        rows.insert(Row(seq: 5, prev: .digest(h(4)), hash: .digest(h(77)), computed: h(77)), at: 5)
        out.append(("fork", rows))
        rows = intact(9)
        rows.insert(Row(seq: 5, prev: .digest(h(60)), hash: .digest(h(61)), computed: h(61)), at: 5)
        rows.insert(rows[3], at: 4)
        out.append(("duplicates", rows))
        rows = intact(9)
        rows[3].hash = .null
        rows[6].prev = .wrongLength(5)
        rows[6].computed = nil
        out.append(("malformed", rows))
        rows = [Row(seq: 0, prev: .digest(.zero), hash: .digest(h(3)), computed: h(4))] + intact(9)
        out.append(("seq below one", rows))
        rows = intact(9)
        rows.swapAt(3, 4)
        (rows[3].seq, rows[4].seq) = (4, 5)
        out.append(("swapped", rows))
        return out
    }

    func sequential(_ rows: [Row]) -> FindingLog {
        var checker = ChainChecker()
        var log = FindingLog()
        for r in rows { checker.check(seq: r.seq, prevHash: r.prev, hash: r.hash, computed: r.computed, into: &log) }
        checker.checkHead(recorded: (9, .digest(Self.h(9))), into: &log)
        return log
    }

    func split(_ rows: [Row], at cuts: [Int64], limit: Int = 0) -> FindingLog {
        var parts: [ChainRangeResult] = []
        var bounds: [Int64?] = [nil] + cuts.map { Optional($0) } + [nil]
        bounds = Array(bounds)
        for i in 0..<(bounds.count - 1) {
            var checker = i == 0 ? ChainChecker() : .laterRange()
            var log = FindingLog(limit: limit)
            for r in rows where (bounds[i].map { r.seq >= $0 } ?? true) && (bounds[i + 1].map { r.seq < $0 } ?? true) {
                checker.check(seq: r.seq, prevHash: r.prev, hash: r.hash, computed: r.computed, into: &log)
            }
            parts.append(ChainRangeResult(checker: checker, log: log))
        }
        let merged = ChainRangeMerge.merge(parts, limit: limit)
        var log = merged.log
        ChainChecker.checkHead(recorded: (9, .digest(Self.h(9))), lastSeq: merged.lastSeq, lastHash: merged.lastHash,
                               into: &log)
        return log
    }

    @Test(arguments: 0..<11)
    func aChainSplitAnywhereReportsExactlyWhatOnePassReports(_ shape: Int) {
        let (name, rows) = Self.shapes[shape]
        let expected = sequential(rows)
        for cut in 1...10 {
            let got = split(rows, at: [Int64(cut)])
            #expect(got.findings == expected.findings, "\(name) split at \(cut)")
            #expect(got.counts == expected.counts)
        }
        for a in 1...9 {
            for b in (a + 1)...10 {
                #expect(split(rows, at: [Int64(a), Int64(b)]).findings == expected.findings, "\(name) split at \(a), \(b)")
            }
        }
        #expect(split(rows, at: Array(1...10)).findings == expected.findings, "\(name) split at every seq")
    }

    @Test func aSplitChainKeepsExactCountsUnderAFindingsLimit() {
        var rows = Self.intact(9)
        for i in 0..<9 { rows[i].computed = Self.h(200 + i) }
        let expected = sequential(rows)
        let got = split(rows, at: [3, 6], limit: 4)
        #expect(Array(got.findings) == Array(expected.findings.prefix(4)))
        #expect(got.counts == expected.counts)
        #expect(got.omitted == expected.total - 4)
    }

    @Test func theFindingLogKeepsExactCountsBeyondItsLimit() {
        var log = FindingLog(limit: 2)
        for i in 0..<5 { log.record(.contentMismatch, seq: Int64(i), "x") }
        log.record(Finding(kind: .seqGap, severity: .warning, seq: 9, detail: "y"))
        #expect(log.findings.count == 2)
        #expect(log.counts[.contentMismatch] == 5)
        #expect(log.counts[.seqGap] == 1)
        #expect(log.omitted == 4)
        #expect(log.errorCount == 5)
        #expect(log.warningCount == 1)
    }
}
