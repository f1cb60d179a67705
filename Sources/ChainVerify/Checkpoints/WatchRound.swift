import EventModel
import Foundation

/// One round of `chain-audit watch`: checkpoint every org incrementally, then re-verify a rolling slice of
/// each org's old history, so that over the rounds every event is re-read in full.
///
/// The slice is `rescanFraction` of the org's chain (at least one event), starting where the last round's
/// ended (kept in `<org uuid>.rescan` beside the checkpoint) and wrapping to seq 1 at the head, so every
/// event is re-read within ⌈1 / fraction⌉ rounds (one more while the chain grows). Each slice starts one
/// event early, so the link into it is checked too.
public struct WatchRound {
    private let spec: ConnectionSpec
    private let store: CheckpointStore
    private let key: Ed25519Key
    private let settings: CheckpointRun.Settings
    private let rescanFraction: Double?

    /// Creates a round.
    public init(spec: ConnectionSpec, store: CheckpointStore, key: Ed25519Key, settings: CheckpointRun.Settings,
                rescanFraction: Double?) {
        self.spec = spec
        self.store = store
        self.key = key
        self.settings = settings
        self.rescanFraction = rescanFraction
    }

    /// What a round did: the checkpoint outcome (with rescan findings merged into each org's report) and
    /// the slice each org had re-read.
    public struct Outcome: Sendable {
        /// The checkpointing run, its reports including the rescans.
        public var checkpoints: CheckpointRun.Outcome
        /// The seqs re-read per org, `lower ..< upper`.
        public var rescanned: [UUID: SeqRange]
    }

    /// Runs the round.
    public func run(_ selection: VerificationRun.Selection, shard: Shard? = nil) -> Outcome {
        var outcome: CheckpointRun.Outcome
        do {
            outcome = try CheckpointRun(spec: spec, store: store, key: key, settings: settings).run(selection, shard: shard)
        } catch {
            return Outcome(checkpoints: .init(report: RunReport(startedAt: Date(), errors: ["\(error)"]), actions: [:]),
                           rescanned: [:])
        }
        var rescanned: [UUID: SeqRange] = [:]
        guard let fraction = rescanFraction, !Cancellation.isRequested else {
            return Outcome(checkpoints: outcome, rescanned: rescanned)
        }
        var connection: Connection?
        for index in outcome.report.orgs.indices where outcome.report.orgs[index].status != .incomplete {
            if Cancellation.isRequested { break }
            let org = outcome.report.orgs[index]
            guard org.headSeq > 0 else { continue }
            do {
                if connection?.isOpen != true { connection = try Connection(spec) }
                let (slice, next) = plan(org: org.org.id, head: org.headSeq, fraction: fraction)
                var options = settings.verify
                options.slice = slice
                let result = try OrgVerifier(connection: connection!, options: options).verify(org.org)
                if let error = result.error {
                    outcome.report.errors.append("org \(org.org.slug): rescan of seqs \(slice): \(error)")
                    continue
                }
                var merged = outcome.report.orgs[index]
                merged.log.append(result.log)
                merged.eventsVerified += result.eventsVerified
                if merged.log.errorCount > 0 && merged.status == .ok { merged.status = .findings }
                outcome.report.orgs[index] = merged
                rescanned[org.org.id] = slice
                try saveCursor(next, for: org.org.id)
            } catch {
                outcome.report.errors.append("org \(org.org.slug): rescan: \(error)")
            }
        }
        connection?.close()
        return Outcome(checkpoints: outcome, rescanned: rescanned)
    }

    /// The slice to re-read this round and where the next starts.
    private func plan(org: UUID, head: Int64, fraction: Double) -> (SeqRange, Int64) {
        var start = (try? loadCursor(for: org)) ?? 1
        if start < 1 || start > head { start = 1 }
        let size = max(1, Int64((Double(head) * fraction).rounded(.up)))
        let end = min(head + 1, start + size)
        let slice = SeqRange(lower: start > 1 ? start - 1 : nil, upper: end)
        return (slice, end > head ? 1 : end)
    }

    private func cursorPath(_ org: UUID) -> String { "\(store.directory)/\(org.lowercased).rescan" }

    private func loadCursor(for org: UUID) throws -> Int64? {
        guard let text = try? String(contentsOfFile: cursorPath(org), encoding: .utf8) else { return nil }
        return Int64(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private func saveCursor(_ next: Int64, for org: UUID) throws {
        try AtomicFile.write(Data("\(next)\n".utf8), to: cursorPath(org))
    }
}
