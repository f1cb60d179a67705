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
        /// Where verified events are counted, for a progress display.
        public var progress: ProgressCounter?

        /// Creates options.
        public init(maxFindings: Int = 10_000, stopAtFirstError: Bool = false, jobs: Int = 1,
                    hashThreads: Int = OrgVerifier.defaultHashThreads, splitThreshold: Int64 = 50_000,
                    batchRows: Int = 1024, progress: ProgressCounter? = nil) {
            self.maxFindings = maxFindings
            self.stopAtFirstError = stopAtFirstError
            self.jobs = jobs
            self.hashThreads = hashThreads
            self.splitThreshold = splitThreshold
            self.batchRows = batchRows
            self.progress = progress
        }
    }

    /// The COPY statement chain-audit streams an org with, for benchmarks and operators to compare against.
    public static func copyStatement(for org: UUID) -> String {
        VerifyQuery.copyEvents(org: org)
    }

    /// The default hashing threads per connection (see docs/performance.md for the measurements).
    public static let defaultHashThreads = 1

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
        do {
            try connection.execute(ReadOnlySession.begin)
            do {
                head = try recordedHead(of: org)
                outcomes = try read(org)
                if connection.isOpen { try connection.execute("COMMIT") }
            } catch {
                if connection.isOpen { _ = try? connection.execute("ROLLBACK") }
                throw error
            }
        } catch {
            failure = error
        }
        failure = failure ?? outcomes.lazy.compactMap(\.error).first
        let stoppedEarly = outcomes.contains { $0.stoppedEarly }
        let merged = ChainRangeMerge.merge(outcomes.map(\.result), limit: options.maxFindings)
        var log = merged.log
        if failure == nil && !stoppedEarly {
            ChainChecker.checkHead(recorded: head, lastSeq: merged.lastSeq, lastHash: merged.lastHash, into: &log)
        }
        if stoppedEarly { log = Self.upToFirstError(log) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let status: OrgReport.Status = failure != nil ? .incomplete : (log.errorCount > 0 ? .findings : .ok)
        return OrgReport(
            org: org, status: status, eventsVerified: merged.rowCount, headSeq: merged.lastSeq ?? 0,
            headHash: merged.lastHash?.digest, log: log, stoppedEarly: stoppedEarly,
            error: failure.map { String(describing: $0) }, durationSeconds: elapsed)
    }

    private var rangeSettings: RangeVerifier.Settings {
        RangeVerifier.Settings(batchRows: options.batchRows, batchesInFlight: 4, hashThreads: options.hashThreads,
                               maxFindings: options.maxFindings, stopAtFirstError: options.stopAtFirstError,
                               progress: options.progress)
    }

    /// Reads the org on one connection, or split across `jobs` connections on one snapshot.
    private func read(_ org: OrgIdentity) throws -> [RangeVerifier.Outcome] {
        let settings = rangeSettings
        var ranges = [SeqRange.all]
        if options.jobs > 1 {
            let bounds = try connection.query(VerifyQuery.seqBounds, [org.id.lowercased])
            if let first = bounds.value(0, 0).flatMap({ Int64($0) }), let last = bounds.value(0, 1).flatMap({ Int64($0) }),
               last - first + 1 >= options.splitThreshold
            {
                ranges = SeqRange.split(first: first, last: last, parts: options.jobs)
            }
        }
        guard ranges.count > 1 else {
            return [RangeVerifier(connection: connection, org: org, range: .all, fromGenesis: true, settings: settings)
                .run()]
        }
        let snapshot = try connection.query(VerifyQuery.exportSnapshot, []).value(0, 0) ?? ""
        guard ReadOnlySession.isSnapshotID(snapshot) else {
            throw VerificationError("the server exported a snapshot id of an unexpected form")
        }
        var helpers: [Connection] = []
        defer { helpers.forEach { $0.close() } }
        for _ in 1..<ranges.count {
            let helper = try Connection(connection.spec)
            try helper.execute(ReadOnlySession.begin(importing: snapshot))
            helpers.append(helper)
        }
        let slots = (0..<ranges.count).map { _ in Slot() }
        let group = DispatchGroup()
        for (i, helper) in helpers.enumerated() {
            let verifier = Slot.Verifier(RangeVerifier(connection: helper, org: org, range: ranges[i + 1],
                                                       fromGenesis: false, settings: settings))
            let slot = slots[i + 1]
            group.enter()
            let thread = Thread {
                slot.outcome = verifier.value.run()
                group.leave()
            }
            thread.start()
        }
        slots[0].outcome = RangeVerifier(connection: connection, org: org, range: ranges[0], fromGenesis: true,
                                         settings: settings).run()
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

    private func recordedHead(of org: OrgIdentity) throws -> (seq: Int64, hash: HashValue)? {
        let result = try connection.query(VerifyQuery.chainHead, [org.id.lowercased])
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
