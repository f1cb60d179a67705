import EventModel
import Foundation
import Synchronization

/// Streams one seq range of one org on one connection, and hashes and checks it.
///
/// The connection's thread reads CopyData messages and decodes them in place into batches of rows that
/// stay in libpq's buffers. With `hashThreads` ≥ 1 a second thread takes each full batch, hashes it (split
/// over `hashThreads` workers with `DispatchQueue.concurrentPerform`, one reused OpenSSL context each),
/// runs the sequential checks, frees the buffers and hands the batch back. A batch is full at `batchRows`
/// rows or `batchBytes` bytes, and at most `batchesInFlight` batches exist, so memory stays flat however
/// long the chain and however large its rows. With `hashThreads` 0 the reading thread
/// hashes and checks each batch itself.
final class RangeVerifier {
    /// How the work is split and bounded.
    struct Settings: Sendable {
        var batchRows = 1024
        var batchBytes = 1 << 20
        var batchesInFlight = 4
        var hashThreads = 1
        var maxFindings = 10_000
        var stopAtFirstError = false
        var progress: ProgressCounter?
        var mapping = SchemaMapping.reference
        var pacedReads = true
    }

    /// What a range run produced.
    struct Outcome {
        var result: ChainRangeResult
        /// Why reading stopped early, if it failed.
        var error: Error?
        /// Whether it stopped on request at the first error.
        var stoppedEarly: Bool
    }

    private let connection: Connection
    private let org: OrgIdentity
    private let range: SeqRange
    private let checker: ChainChecker
    private let log: FindingLog?
    private let settings: Settings
    private let resumed: RereadRows?

    /// Creates a verifier for `range` of `org`, checked by `checker` (from genesis for the first range of a
    /// whole chain, `startingAt` for the first range after a checkpoint, `laterRange` for the others).
    init(connection: Connection, org: OrgIdentity, range: SeqRange, checker: ChainChecker, settings: Settings) {
        self.connection = connection
        self.org = org
        self.range = range
        self.checker = checker
        self.log = nil
        self.settings = settings
        self.resumed = nil
    }

    /// Creates a verifier that resumes a failed run of the same org: with the checker and log it ended with,
    /// it reads again from the last seq that run checked, skipping the rows at that seq it already checked,
    /// so a repeated seq the failed run had not reached yet is still found.
    init(resuming previous: ChainRangeResult, connection: Connection, org: OrgIdentity, lastSeq: Int64,
         settings: Settings) {
        self.connection = connection
        self.org = org
        self.range = SeqRange(lower: lastSeq, upper: nil)
        self.checker = previous.checker
        self.log = previous.log
        self.settings = settings
        self.resumed = RereadRows(seq: lastSeq, hashes: previous.checker.lastHashes)
    }

    /// Runs the COPY inside the transaction the caller opened (with `VerifyQuery.planSettings` applied). A
    /// connection left mid-COPY is closed.
    func run() -> Outcome {
        let checker = self.checker
        let processor: BatchProcessor
        do {
            processor = try BatchProcessor(checker: checker, log: log, settings: settings, rereading: resumed)
        } catch {
            return Outcome(result: ChainRangeResult(checker: checker, log: FindingLog(limit: settings.maxFindings)),
                           error: error, stoppedEarly: false)
        }
        let free = BlockingQueue<RowBatch>()
        let full = BlockingQueue<RowBatch?>()
        for _ in 0..<max(1, settings.batchesInFlight) { free.put(RowBatch(capacity: settings.batchRows)) }
        let pipelined = settings.hashThreads > 0
        let done = DispatchSemaphore(value: 0)
        if pipelined {
            let thread = Thread {
                while let batch = full.take() {
                    processor.process(batch)
                    free.put(batch)
                }
                done.signal()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        var failure: Error?
        do {
            let copy = try connection.copyOut(VerifyQuery.copyEvents(org: org.id, range: range, mapping: settings.mapping))
            copy.paced = settings.pacedReads
            let decoder = CopyBinaryDecoder(fieldCount: VerifyQuery.Column.count)
            var collector = BatchCollector(batch: free.take(), org: UUIDWords(org.id))
            do {
                while let message = try copy.nextMessage() {
                    if Cancellation.isRequested {
                        message.release()
                        throw CancelledError()
                    }
                    do {
                        try decoder.feed(message.bytes, into: &collector)
                    } catch {
                        message.release()
                        throw error
                    }
                    collector.batch.retain(message)
                    if collector.batch.count >= settings.batchRows || collector.batch.retainedBytes >= settings.batchBytes {
                        hand(collector.batch, pipelined: pipelined, processor: processor, full: full, free: free)
                        if processor.stopRequested { throw ChainStop() }
                        collector.batch = free.take()
                    }
                }
                let sent = try copy.finish()
                try decoder.finish()
                hand(collector.batch, pipelined: pipelined, processor: processor, full: full, free: free)
                guard sent == decoder.tupleCount else {
                    throw VerificationError(
                        "the server reported COPY \(sent) but the stream held \(decoder.tupleCount) rows")
                }
            } catch {
                // Rows read before the failure are still checked; the batch is handed on, then the connection,
                // possibly mid-COPY, is closed.
                hand(collector.batch, pipelined: pipelined, processor: processor, full: full, free: free)
                connection.close()
                throw error
            }
        } catch is ChainStop {
            failure = nil
        } catch {
            // A COPY the stop request cancelled on the server fails with the server's message; say why.
            failure = Cancellation.isRequested ? CancelledError() : error
        }
        if pipelined {
            full.put(nil)
            done.wait()
        }
        return Outcome(result: ChainRangeResult(checker: processor.checker, log: processor.log), error: failure,
                       stoppedEarly: processor.stopRequested)
    }

    private func hand(_ batch: RowBatch, pipelined: Bool, processor: BatchProcessor, full: BlockingQueue<RowBatch?>,
                      free: BlockingQueue<RowBatch>) {
        if pipelined {
            full.put(batch)
        } else {
            processor.process(batch)
            free.put(batch)
        }
    }
}

/// Thrown inside the range reader to stop at the first error on request.
struct ChainStop: Error {}

/// The rows at `seq` a failed read checked already (by their stored hashes, repeats kept), which the read
/// that resumes it sees again first and skips, each once.
struct RereadRows {
    var seq: Int64
    var hashes: [HashValue]

    /// Whether the row at `rowSeq` with stored `hash` is one of them; consumes it if so.
    mutating func consume(seq rowSeq: Int64, hash: HashValue) -> Bool {
        guard rowSeq == seq, let index = hashes.firstIndex(of: hash) else { return false }
        hashes.remove(at: index)
        return true
    }
}

/// Hashes and checks batches, in order; owned by one thread at a time.
final class BatchProcessor: @unchecked Sendable {
    // Used by the processing thread only while the range runs; read by the reader after it has joined.
    private(set) var checker: ChainChecker
    private(set) var log: FindingLog
    private let hashers: [SHA256Hasher]
    private let settings: RangeVerifier.Settings
    private let stop = Atomic<Bool>(false)

    /// Rows a resumed read skips, until the first row past them.
    private var rereading: RereadRows?

    init(checker: ChainChecker, log: FindingLog?, settings: RangeVerifier.Settings, rereading: RereadRows? = nil)
        throws
    {
        self.checker = checker
        self.rereading = rereading
        self.settings = settings
        self.log = log ?? FindingLog(limit: settings.maxFindings)
        self.hashers = try (0..<max(1, settings.hashThreads)).map { _ in try SHA256Hasher() }
    }

    /// Whether the checks asked to stop (an error with `stopAtFirstError`).
    var stopRequested: Bool { stop.load(ordering: .acquiring) }

    /// Hashes, checks and empties one batch. After a stop it only empties it.
    func process(_ batch: RowBatch) {
        defer { batch.reset() }
        guard !stopRequested, batch.count > 0 else { return }
        hash(batch)
        let rows = batch.rows
        var skipped = 0
        for i in 0..<batch.count {
            let row = rows[i]
            if rereading != nil {
                if rereading!.consume(seq: row.seq, hash: row.storedHash) {
                    skipped += 1
                    continue
                }
                if row.seq != rereading!.seq || rereading!.hashes.isEmpty { rereading = nil }
            }
            checker.check(seq: row.seq, prevHash: row.prevHash, hash: row.storedHash,
                          computed: row.input == nil ? nil : row.computed, into: &log)
            if settings.stopAtFirstError && log.errorCount > 0 {
                stop.store(true, ordering: .releasing)
                settings.progress?.add(Int64(i + 1 - skipped))
                return
            }
        }
        settings.progress?.add(Int64(batch.count - skipped))
    }

    private func hash(_ batch: RowBatch) {
        let count = batch.count
        let workers = min(hashers.count, max(1, count / 64))
        if workers <= 1 {
            Self.hash(batch.rows, 0..<count, with: hashers[0])
            return
        }
        // Worker w alone uses hashers[w] and rows in its own slice of the batch.
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lower = count * w / workers
            let upper = count * (w + 1) / workers
            Self.hash(batch.rows, lower..<upper, with: self.hashers[w])
        }
    }

    @inline(__always)
    private static func hash(_ rows: UnsafeMutablePointer<BatchRow>, _ range: Range<Int>, with hasher: SHA256Hasher) {
        for i in range {
            guard let input = rows[i].input else { continue }
            hasher.hash(UnsafeRawBufferPointer(start: input, count: rows[i].inputCount), into: &rows[i].computed)
        }
    }
}
