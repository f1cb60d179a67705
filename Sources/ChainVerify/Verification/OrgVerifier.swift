import EventModel
import Foundation

/// Verifies one org's chain: one snapshot, one streaming COPY per connection, every check.
///
/// With `jobs` > 1 and an org of at least `splitThreshold` events, the org's seq range is split into
/// `jobs` parts read at once on `jobs` connections that all import the first connection's exported
/// snapshot (`pg_export_snapshot`, `SET TRANSACTION SNAPSHOT`), and `ChainRangeMerge` checks the links at
/// the boundaries: the report is the one a single connection would give, and the server's cores share the
/// work of producing the rows.
public struct OrgVerifier {
    /// What to do, besides checking everything.
    public struct Options: Sendable {
        /// The most findings kept per org (0 keeps all); counts stay exact either way.
        public var maxFindings: Int
        /// Stop streaming at the first error-level finding.
        public var stopAtFirstError: Bool
        /// Connections per org (its seq range is split across them).
        public var jobs: Int
        /// Hashing threads per connection: 0 hashes on the reading thread, 1 or more on a second stage.
        public var hashThreads: Int
        /// Orgs with fewer events than this are read on one connection whatever `jobs` says.
        public var splitThreshold: Int64
        /// Rows per batch handed from the reader to the hashers.
        public var batchRows: Int
        /// Let a drained socket fill for a moment instead of waiting on it (see `CopyOutStream.nextMessage`).
        public var pacedReads = true
        /// How many times to retry after a transient failure (a lost connection, a restarted server, a
        /// terminated backend, a statement timeout, a recovery conflict on a standby), resuming after the last
        /// verified row; 0 never retries.
        public var retries = 3
        /// The first pause before a retry, doubled each time (at most 8 s).
        public var retryDelay = 0.5
        /// Where verified events are counted, for a progress display.
        public var progress: ProgressCounter?
        /// A signed checkpoint the chain must still hold (`checkpoint_mismatch`, `chain_truncated`).
        public var anchor: ChainChecker.Anchor?
        /// With an anchor: read only the events from the anchor's seq on (O(new events)), instead of all.
        public var incremental: Bool
        /// Read only this slice of old history (a rolling rescan): its rows' content and links are checked,
        /// from the slice's first row on; the chain head and any anchor are not.
        public var slice: SeqRange?
        /// The events and chain_heads tables to read (samples/schema.sql's unless a config maps others).
        public var mapping: SchemaMapping = .reference

        /// Creates options.
        public init(maxFindings: Int = 10_000, stopAtFirstError: Bool = false, jobs: Int = 1,
                    hashThreads: Int = OrgVerifier.defaultHashThreads, splitThreshold: Int64 = 50_000,
                    batchRows: Int = 1024, progress: ProgressCounter? = nil, anchor: ChainChecker.Anchor? = nil,
                    incremental: Bool = false) {
            self.maxFindings = maxFindings
            self.stopAtFirstError = stopAtFirstError
            self.jobs = jobs
            self.hashThreads = hashThreads
            self.splitThreshold = splitThreshold
            self.batchRows = batchRows
            self.progress = progress
            self.anchor = anchor
            self.incremental = incremental
        }
    }

    /// The COPY statement chain-audit streams an org with, for benchmarks and operators to compare against.
    public static func copyStatement(for org: UUID) -> String {
        VerifyQuery.copyEvents(org: org, range: .all)
    }

    /// The default hashing threads per connection: 0, hashing on the reading thread, which measured
    /// fastest (docs/performance.md); a connection reads at most one server backend's output, which one
    /// thread hashes with room to spare, and `jobs` adds readers.
    public static let defaultHashThreads = 0

    private let connection: Connection
    private let options: Options

    /// Creates a verifier that reads through `connection` (and, for split orgs, more connections to the
    /// same database).
    public init(connection: Connection, options: Options = Options()) throws {
        _ = try SHA256Hasher()
        self.connection = connection
        self.options = options
    }

    /// Verifies `org`. Never throws: a failure part-way is an `incomplete` report with what was verified.
    ///
    /// A connection left mid-COPY (by a failure or an early stop) is closed; the caller reconnects.
    public func verify(_ org: OrgIdentity) -> OrgReport {
        let started = DispatchTime.now()
        var outcomes: [RangeVerifier.Outcome] = []
        var head: (seq: Int64, hash: HashValue)?
        var failure: Error?
        var resumes = 0
        var connection = self.connection
        var resumeFrom: RangeVerifier.Outcome?
        while true {
            failure = nil
            do {
                if !connection.isOpen { connection = try Connection(self.connection.spec) }
                try connection.execute(ReadOnlySession.begin + ";\n" + VerifyQuery.planSettings)
                do {
                    head = try recordedHead(of: org, on: connection)
                    outcomes = try read(org, on: connection, resuming: resumeFrom)
                    if connection.isOpen { try connection.execute("COMMIT") }
                } catch {
                    if connection.isOpen { _ = try? connection.execute("ROLLBACK") }
                    throw error
                }
            } catch {
                failure = error
            }
            failure = failure ?? outcomes.lazy.compactMap(\.error).first
            guard let error = failure, resumes < options.retries, Self.isTransient(error), !Cancellation.isRequested
            else { break }
            // Resume after the last row checked, in a new snapshot, with the checks' state carried over; a
            // split org starts again (its parts cannot be joined part-way).
            resumes += 1
            resumeFrom = outcomes.count == 1 && options.slice == nil ? outcomes[0] : nil
            connection.close()
            pause(before: resumes)
        }
        let stoppedEarly = outcomes.contains { $0.stoppedEarly }
        let merged = ChainRangeMerge.merge(outcomes.map(\.result), limit: options.maxFindings)
        var log = merged.log
        if failure == nil && !stoppedEarly && options.slice == nil {
            if let anchor = options.anchor {
                Self.checkAnchor(anchor, sawAnchor: outcomes.contains { $0.result.checker.sawAnchor },
                                 lastSeq: merged.lastSeq, into: &log)
            }
            // An incremental read that found nothing from the checkpoint on knows only that the chain is shorter
            // (chain_truncated), not where it ends, so it does not compare the end with the recorded head.
            if !(options.incremental && options.anchor != nil && merged.lastSeq == nil) {
                ChainChecker.checkHead(recorded: head, lastSeq: merged.lastSeq, lastHash: merged.lastHash, into: &log)
            }
        }
        if stoppedEarly { log = Self.upToFirstError(log) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let status: OrgReport.Status = failure != nil ? .incomplete : (log.errorCount > 0 ? .findings : .ok)
        var message = failure.map { String(describing: $0) }
        if let m = message, resumes > 0 { message = "\(m) (gave up after \(resumes) retr\(resumes == 1 ? "y" : "ies"))" }
        var report = OrgReport(
            org: org, status: status, eventsVerified: merged.rowCount, headSeq: merged.lastSeq ?? 0,
            headHash: merged.lastHash?.digest, log: log, stoppedEarly: stoppedEarly, error: message,
            durationSeconds: elapsed)
        report.anchor = options.anchor
        report.verifiedFromSeq = firstSeq
        report.resumes = resumes
        return report
    }

    /// Whether a failure may pass if tried again: the connection or the server went away, or the server
    /// cancelled the statement for a reason of its own (a timeout, a recovery conflict), not for this run.
    static func isTransient(_ error: Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        switch error.kind {
        case .connection, .protocolViolation:
            return true
        case .server:
            guard let state = error.sqlState else { return true }
            return state.hasPrefix("08") || state.hasPrefix("57P") || ["40001", "40P01", "57014", "53300", "55P03"]
                .contains(state)
        }
    }

    /// Waits before retry `n`: `retryDelay` doubled each time, at most 8 s, cut short by a stop request.
    private func pause(before n: Int) {
        let seconds = min(8, options.retryDelay * pow(2, Double(n - 1)))
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        while !Cancellation.isRequested, DispatchTime.now().uptimeNanoseconds < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// The first seq read: the slice's, the anchor's in an incremental run, else the whole chain (1).
    private var firstSeq: Int64 {
        if let slice = options.slice { return slice.lower ?? 1 }
        if options.incremental, let anchor = options.anchor { return anchor.seq }
        return 1
    }

    /// Holds the chain against a checkpoint once every row is in: shorter is a truncation, and an anchor
    /// row that is gone is a mismatch (a row there with another hash was reported as it passed).
    private static func checkAnchor(_ anchor: ChainChecker.Anchor, sawAnchor: Bool, lastSeq: Int64?,
                                    into log: inout FindingLog) {
        guard let end = lastSeq, end >= anchor.seq else {
            let ends = lastSeq.map { "ends at seq \($0)" } ?? "has no events"
            log.record(.chainTruncated, seq: anchor.seq,
                       "the chain \(ends), before the signed checkpoint's seq \(anchor.seq): its tail was removed")
            return
        }
        if !sawAnchor {
            log.record(.checkpointMismatch, seq: anchor.seq,
                       "the event at seq \(anchor.seq), which the signed checkpoint commits to, is gone")
        }
    }

    private var rangeSettings: RangeVerifier.Settings {
        RangeVerifier.Settings(batchRows: options.batchRows, batchesInFlight: 4, hashThreads: options.hashThreads,
                               maxFindings: options.maxFindings, stopAtFirstError: options.stopAtFirstError,
                               progress: options.progress, mapping: options.mapping, pacedReads: options.pacedReads)
    }

    /// The checker for the `index`th range.
    private func checker(forRange index: Int) -> ChainChecker {
        var checker: ChainChecker
        if index > 0 {
            checker = .laterRange()
        } else if let slice = options.slice {
            checker = slice.lower.map { ChainChecker.startingAt($0) } ?? ChainChecker()
            return checker
        } else if options.incremental, let anchor = options.anchor {
            checker = .startingAt(anchor.seq)
        } else {
            checker = ChainChecker()
        }
        checker.anchor = options.anchor
        return checker
    }

    /// Reads the org on one connection, or split across `jobs` connections on one snapshot; with `resuming`,
    /// only the rest of a single-connection read that failed.
    private func read(_ org: OrgIdentity, on connection: Connection, resuming: RangeVerifier.Outcome?) throws
        -> [RangeVerifier.Outcome]
    {
        let settings = rangeSettings
        if let previous = resuming, let last = previous.result.checker.lastSeq {
            return [RangeVerifier(resuming: previous.result, connection: connection, org: org, lastSeq: last,
                                  settings: settings).run()]
        }
        if let slice = options.slice {
            return [RangeVerifier(connection: connection, org: org, range: slice, checker: checker(forRange: 0),
                                  settings: settings).run()]
        }
        let lowest: Int64? = options.incremental ? options.anchor?.seq : nil
        var ranges = [SeqRange(lower: lowest, upper: nil)]
        if options.jobs > 1 {
            let bounds = try connection.query(VerifyQuery.seqBounds(mapping: options.mapping), [org.id.lowercased])
            if let first = bounds.value(0, 0).flatMap({ Int64($0) }), let last = bounds.value(0, 1).flatMap({ Int64($0) }) {
                let start = max(first, lowest ?? first)
                if last - start + 1 >= options.splitThreshold {
                    ranges = SeqRange.split(first: start, last: last, parts: options.jobs)
                    ranges[0].lower = lowest
                }
            }
        }
        guard ranges.count > 1 else {
            return [RangeVerifier(connection: connection, org: org, range: ranges[0], checker: checker(forRange: 0),
                                  settings: settings).run()]
        }
        let snapshot = try connection.query(VerifyQuery.exportSnapshot, []).value(0, 0) ?? ""
        guard ReadOnlySession.isSnapshotID(snapshot) else {
            throw VerificationError("the server exported a snapshot id of an unexpected form")
        }
        var helpers: [Connection] = []
        defer { helpers.forEach { $0.close() } }
        for _ in 1..<ranges.count {
            let helper = try Connection(connection.spec)
            try helper.execute(ReadOnlySession.begin(importing: snapshot) + ";\n" + VerifyQuery.planSettings)
            helpers.append(helper)
        }
        let slots = (0..<ranges.count).map { _ in Slot() }
        let group = DispatchGroup()
        for (i, helper) in helpers.enumerated() {
            let verifier = Slot.Verifier(RangeVerifier(connection: helper, org: org, range: ranges[i + 1],
                                                       checker: checker(forRange: i + 1), settings: settings))
            let slot = slots[i + 1]
            group.enter()
            let thread = Thread {
                slot.outcome = verifier.value.run()
                group.leave()
            }
            thread.start()
        }
        slots[0].outcome = RangeVerifier(connection: connection, org: org, range: ranges[0],
                                         checker: checker(forRange: 0), settings: settings).run()
        group.wait()
        for helper in helpers where helper.isOpen { _ = try? helper.execute("COMMIT") }
        return slots.map { $0.outcome! }
    }

    /// The findings up to and including the first error, for a run stopped at the first error.
    private static func upToFirstError(_ log: FindingLog) -> FindingLog {
        var kept = FindingLog(limit: log.limit)
        for finding in log.findings {
            kept.record(finding)
            if finding.severity == .error { break }
        }
        return kept
    }

    private func recordedHead(of org: OrgIdentity, on connection: Connection) throws -> (seq: Int64, hash: HashValue)? {
        let result = try connection.query(VerifyQuery.chainHead(mapping: options.mapping), [org.id.lowercased])
        guard result.rowCount > 0 else { return nil }
        guard let seqText = result.value(0, 0), let seq = Int64(seqText) else {
            throw VerificationError("events.chain_heads.last_seq is NULL or not a number for this org")
        }
        guard let hex = result.value(0, 1) else { return (seq, .null) }
        guard let bytes = Hex.decode(hex) else { throw VerificationError("events.chain_heads.last_hash is unreadable") }
        let hash = bytes.withUnsafeBytes { HashValue(field: $0) }
        return (seq, hash)
    }
}

/// One range's outcome, written by its thread and read after the group is joined.
private final class Slot: @unchecked Sendable {
    var outcome: RangeVerifier.Outcome?

    /// Hands a range verifier (and the connection it owns) to the thread that runs it.
    final class Verifier: @unchecked Sendable {
        let value: RangeVerifier

        init(_ value: RangeVerifier) {
            self.value = value
        }
    }
}
