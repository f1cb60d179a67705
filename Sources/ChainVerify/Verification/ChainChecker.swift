import EventModel

/// The sequential checks of one org's chain: seq order, links, genesis, content and the chain end.
///
/// Feed it every row in `seq` order (the order the verifier's COPY query gives), each with the hash
/// recomputed from the row's own `prev_hash` and canonical bytes. It keeps O(1) state: the rows at the
/// current and the previous seq (more than one only where seqs repeat). Rules, as docs/chain-format.md
/// gives them:
///
/// - `content_mismatch`: stored `hash` ≠ SHA-256(stored `prev_hash` || canonical bytes).
/// - `link_mismatch`: `prev_hash` ≠ the hash of the row at seq − 1 (unchecked after a gap, or when the
///   predecessor's hash is malformed: there is nothing valid to compare with).
/// - `genesis_mismatch`: the row at seq 1 has a `prev_hash` other than 32 zero bytes.
/// - `seq_gap`: seqs are missing before this row (reported at the first missing seq).
/// - `seq_duplicate` / `fork`: a repeated seq; a fork when the repeat claims the same predecessor as an
///   earlier row at that seq with different content, a duplicate otherwise.
/// - `seq_invalid`: a seq below 1.
/// - `malformed_hash`: `prev_hash` or `hash` NULL or not 32 bytes.
/// - `head_mismatch`: the chain end differs from the recorded chain head (see `checkHead`).
///
/// A checker for a later part of the chain (`laterRange()`, used when one org's seq range is split
/// across connections) checks everything it can on its own and leaves the links and the gap at its first
/// seq as `pendingLinks` for `ChainRangeMerge`, which resolves them against the previous part, so that a
/// split run reports exactly what a sequential one does.
public struct ChainChecker: Sendable {
    /// A link check at the first seq of a range that needs the previous range's last hashes.
    public struct PendingLink: Sendable {
        /// The row's seq (the range's first seq).
        public var seq: Int64
        /// The row's `prev_hash`.
        public var prevHash: HashValue
        /// Where the finding goes among this checker's findings (the number made before it).
        public var position: Int
    }

    /// A commitment the chain must still hold: the event at `seq` has `hash` (a signed checkpoint).
    public struct Anchor: Sendable, Equatable {
        /// The committed seq.
        public var seq: Int64
        /// The committed hash.
        public var hash: Digest32

        /// Creates an anchor.
        public init(seq: Int64, hash: Digest32) {
            self.seq = seq
            self.hash = hash
        }
    }

    /// The checkpoint to hold the chain against, if any: the first row at its seq must have its hash, else
    /// `checkpoint_mismatch`. Whether the row was there at all is `sawAnchor`, for the caller to judge.
    public var anchor: Anchor?
    /// Whether a row at the anchor's seq was seen.
    public private(set) var sawAnchor = false

    /// The number of rows checked.
    public private(set) var rowCount: Int64 = 0
    /// The seq of the first row seen, or `nil` before it.
    public private(set) var firstSeq: Int64?
    /// The highest seq seen so far (the chain end), or `nil` before the first row.
    public private(set) var lastSeq: Int64?
    /// The stored hash of the first row at `lastSeq`.
    public private(set) var lastHash: HashValue?
    /// Link checks at the first seq left for the merge (ranges after the first only).
    public private(set) var pendingLinks: [PendingLink] = []

    // Rows at `lastSeq` and at `lastSeq - 1`. Usually one each; arrays are reused, never reallocated.
    private var currentPrevs: [HashValue] = []
    private var currentHashes: [HashValue] = []
    private var predecessorHashes: [HashValue] = []
    private var predecessorsKnown = false
    /// Whether the rows at the first seq link to a predecessor this checker cannot see.
    private var predecessorsDeferred: Bool
    /// The seq expected next, or `nil` when the first row may have any seq (a deferred range start).
    private var nextExpected: Int64?

    /// Creates a checker for a whole chain, from seq 1.
    public init() {
        self.init(deferringFirstLinks: false)
    }

    /// A checker for the part of a chain after some seq, whose first links and gap `ChainRangeMerge`
    /// checks against the previous part.
    public static func laterRange() -> ChainChecker {
        ChainChecker(deferringFirstLinks: true)
    }

    /// A checker for the chain from `seq` on (incremental verification from a checkpoint): a row at `seq` is
    /// expected first, and its own link to `seq - 1`, verified when the checkpoint was made, is not checked.
    public static func startingAt(_ seq: Int64) -> ChainChecker {
        var checker = ChainChecker(deferringFirstLinks: false)
        checker.nextExpected = seq
        return checker
    }

    private init(deferringFirstLinks: Bool) {
        predecessorsDeferred = deferringFirstLinks
        nextExpected = deferringFirstLinks ? nil : 1
        currentPrevs.reserveCapacity(4)
        currentHashes.reserveCapacity(4)
        predecessorHashes.reserveCapacity(4)
    }

    /// The stored hashes of the rows at `lastSeq`.
    public var lastHashes: [HashValue] { currentHashes }

    /// Checks one row.
    ///
    /// - Parameters:
    ///   - seq: the row's seq.
    ///   - prevHash: the stored `prev_hash`.
    ///   - hash: the stored `hash`.
    ///   - computed: SHA-256(`prev_hash` || canonical bytes), or `nil` when `prev_hash` is malformed.
    public mutating func check(seq: Int64, prevHash: HashValue, hash: HashValue, computed: Digest32?,
                               into log: inout FindingLog) {
        rowCount += 1
        if firstSeq == nil { firstSeq = seq }
        if seq < 1 {
            log.record(.seqInvalid, seq: seq, "seq \(seq) is below 1; chains start at seq 1")
            checkContent(seq: seq, prevHash: prevHash, hash: hash, computed: computed, into: &log)
            return
        }
        if let last = lastSeq, seq == last {
            checkRepeat(seq: seq, prevHash: prevHash, hash: hash, into: &log)
        } else {
            if let expected = nextExpected, seq > expected {
                log.record(.seqGap, seq: expected, Self.gapDetail(from: expected, before: seq))
                predecessorsKnown = false
                predecessorsDeferred = false
            } else if lastSeq == nil {
                predecessorsKnown = false
            } else {
                swap(&predecessorHashes, &currentHashes)
                predecessorsKnown = seq > 1
                predecessorsDeferred = false
            }
            currentHashes.removeAll(keepingCapacity: true)
            currentPrevs.removeAll(keepingCapacity: true)
            lastSeq = seq
            nextExpected = seq + 1
            lastHash = hash
            checkLink(seq: seq, prevHash: prevHash, into: &log)
            if let anchor, seq == anchor.seq {
                sawAnchor = true
                if hash.digest != anchor.hash {
                    log.record(.checkpointMismatch, seq: seq,
                               "the event at seq \(seq) has hash \(hash), the signed checkpoint commits to \(anchor.hash): "
                                   + "history was rewritten or forked")
                }
            }
        }
        currentPrevs.append(prevHash)
        currentHashes.append(hash)
        checkContent(seq: seq, prevHash: prevHash, hash: hash, computed: computed, into: &log)
    }

    /// Checks the chain end against the recorded head (`events.chain_heads`), once every row is in.
    public func checkHead(recorded: (seq: Int64, hash: HashValue)?, into log: inout FindingLog) {
        Self.checkHead(recorded: recorded, lastSeq: lastSeq, lastHash: lastHash, into: &log)
    }

    /// Checks a chain end (`lastSeq`, `lastHash`; `nil` for an empty chain) against the recorded head.
    ///
    /// - Parameter recorded: the recorded `last_seq` and `last_hash`, or `nil` when the org has no head row.
    ///   The finding's seq is the recorded `last_seq` (nil when nothing is recorded).
    public static func checkHead(recorded: (seq: Int64, hash: HashValue)?, lastSeq: Int64?, lastHash: HashValue?,
                                 into log: inout FindingLog) {
        switch (recorded, lastSeq) {
        case (nil, nil):
            return
        case (nil, let end?):
            log.record(.headMismatch, seq: nil,
                       "events.chain_heads has no row for this org, but its chain ends at seq \(end)")
        case (let head?, nil):
            log.record(.headMismatch, seq: head.seq,
                       "events.chain_heads records seq \(head.seq), but the org has no events")
        case (let head?, let end?):
            guard head.hash.digest != nil else {
                log.record(.headMismatch, seq: head.seq, "events.chain_heads.last_hash is \(head.hash), not 32 bytes")
                return
            }
            if head.seq != end {
                let what = head.seq > end ? "the chain ends early (truncated tail?)" : "the head is stale"
                log.record(.headMismatch, seq: head.seq,
                           "events.chain_heads records seq \(head.seq) but the chain ends at seq \(end): \(what)")
            } else if head.hash != lastHash {
                log.record(.headMismatch, seq: head.seq,
                           "events.chain_heads records hash \(head.hash) for seq \(end), the chain has "
                               + "\(lastHash?.description ?? "none")")
            }
        }
    }

    /// The finding a link check makes, or `nil` when the link holds or cannot be checked.
    ///
    /// - Parameter predecessors: the stored hashes of the rows at seq − 1.
    public static func linkFinding(seq: Int64, prevHash: HashValue, predecessors: [HashValue]) -> Finding? {
        guard let prev = prevHash.digest else { return nil }
        var anyValid = false
        for candidate in predecessors {
            guard let digest = candidate.digest else { continue }
            if digest == prev { return nil }
            anyValid = true
        }
        guard anyValid else { return nil }
        return Finding(kind: .linkMismatch, seq: seq,
                       detail: "prev_hash \(prev) is not the hash of seq \(seq - 1) (\(predecessors[0]))")
    }

    /// The finding for a row at seq 1, or `nil` when it links to the genesis value.
    public static func genesisFinding(prevHash: HashValue) -> Finding? {
        guard let prev = prevHash.digest, !prev.isZero else { return nil }
        return Finding(kind: .genesisMismatch, seq: 1, detail: "the first event's prev_hash is \(prev), not 32 zero bytes")
    }

    /// The detail of a gap finding.
    public static func gapDetail(from expected: Int64, before seq: Int64) -> String {
        let missing = seq - expected
        let range = missing == 1 ? "seq \(expected) is" : "seqs \(expected)..\(seq - 1) (\(missing)) are"
        return "\(range) missing before seq \(seq)"
    }

    private mutating func checkRepeat(seq: Int64, prevHash: HashValue, hash: HashValue, into log: inout FindingLog) {
        var identical = false
        var samePredecessor = false
        for i in currentPrevs.indices {
            if currentPrevs[i] == prevHash, prevHash.digest != nil {
                samePredecessor = true
                if currentHashes[i] == hash { identical = true }
            }
        }
        if identical {
            log.record(.seqDuplicate, seq: seq, "seq \(seq) appears again as an identical copy (hash \(hash))")
        } else if samePredecessor {
            log.record(.fork, seq: seq,
                       "two rows at seq \(seq) extend the same predecessor \(prevHash) (hashes \(currentHashes[0]) "
                           + "and \(hash))")
        } else {
            log.record(.seqDuplicate, seq: seq, "seq \(seq) appears more than once (another row has hash \(hash))")
            checkLink(seq: seq, prevHash: prevHash, into: &log)
        }
    }

    private mutating func checkLink(seq: Int64, prevHash: HashValue, into log: inout FindingLog) {
        if seq == 1 {
            if let finding = Self.genesisFinding(prevHash: prevHash) { log.record(finding) }
            return
        }
        if predecessorsDeferred {
            pendingLinks.append(PendingLink(seq: seq, prevHash: prevHash, position: log.total))
            return
        }
        guard predecessorsKnown else { return }
        if let finding = Self.linkFinding(seq: seq, prevHash: prevHash, predecessors: predecessorHashes) {
            log.record(finding)
        }
    }

    private func checkContent(seq: Int64, prevHash: HashValue, hash: HashValue, computed: Digest32?,
                              into log: inout FindingLog) {
        if prevHash.digest == nil {
            log.record(.malformedHash, seq: seq, "prev_hash is \(prevHash), not 32 bytes")
        }
        guard let stored = hash.digest else {
            log.record(.malformedHash, seq: seq, "hash is \(hash), not 32 bytes")
            return
        }
        if let computed, computed != stored {
            log.record(.contentMismatch, seq: seq,
                       "stored hash \(stored) does not match the recomputed SHA-256(prev_hash || canonical) \(computed)")
        }
    }
}
