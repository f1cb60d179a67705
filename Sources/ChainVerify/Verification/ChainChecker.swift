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
public struct ChainChecker: Sendable {
    /// The number of rows checked.
    public private(set) var rowCount: Int64 = 0
    /// The highest seq seen so far (the chain end), or `nil` before the first row.
    public private(set) var lastSeq: Int64?
    /// The stored hash of the first row at `lastSeq`.
    public private(set) var lastHash: HashValue?

    // Rows at `lastSeq` and at `lastSeq - 1`. Usually one each; arrays are reused, never reallocated.
    private var currentPrevs: [HashValue] = []
    private var currentHashes: [HashValue] = []
    private var predecessorHashes: [HashValue] = []
    private var predecessorsKnown = false

    /// Creates a checker for an empty chain.
    public init() {
        currentPrevs.reserveCapacity(4)
        currentHashes.reserveCapacity(4)
        predecessorHashes.reserveCapacity(4)
    }

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
        if seq < 1 {
            log.record(.seqInvalid, seq: seq, "seq \(seq) is below 1; chains start at seq 1")
            checkContent(seq: seq, prevHash: prevHash, hash: hash, computed: computed, into: &log)
            return
        }
        if let last = lastSeq, seq == last {
            checkRepeat(seq: seq, prevHash: prevHash, hash: hash, into: &log)
        } else {
            let expected = (lastSeq ?? 0) + 1
            if seq > expected {
                let missing = seq - expected
                let range = missing == 1 ? "seq \(expected) is" : "seqs \(expected)..\(seq - 1) (\(missing)) are"
                log.record(.seqGap, seq: expected, "\(range) missing before seq \(seq)")
                predecessorsKnown = false
            } else {
                swap(&predecessorHashes, &currentHashes)
                predecessorsKnown = seq > 1
            }
            currentHashes.removeAll(keepingCapacity: true)
            currentPrevs.removeAll(keepingCapacity: true)
            lastSeq = seq
            lastHash = hash
            checkLink(seq: seq, prevHash: prevHash, into: &log)
        }
        currentPrevs.append(prevHash)
        currentHashes.append(hash)
        checkContent(seq: seq, prevHash: prevHash, hash: hash, computed: computed, into: &log)
    }

    /// Checks the chain end against the recorded head (`events.chain_heads`), once every row is in.
    ///
    /// - Parameter recorded: the recorded `last_seq` and `last_hash`, or `nil` when the org has no head row.
    ///   The finding's seq is the recorded `last_seq` (nil when nothing is recorded).
    public func checkHead(recorded: (seq: Int64, hash: HashValue)?, into log: inout FindingLog) {
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

    private func checkLink(seq: Int64, prevHash: HashValue, into log: inout FindingLog) {
        guard let prev = prevHash.digest else { return }
        if seq == 1 {
            if !prev.isZero {
                log.record(.genesisMismatch, seq: 1, "the first event's prev_hash is \(prev), not 32 zero bytes")
            }
            return
        }
        guard predecessorsKnown else { return }
        var anyValid = false
        for candidate in predecessorHashes {
            guard let digest = candidate.digest else { continue }
            if digest == prev { return }
            anyValid = true
        }
        guard anyValid else { return }
        log.record(.linkMismatch, seq: seq,
                   "prev_hash \(prev) is not the hash of seq \(seq - 1) (\(predecessorHashes[0]))")
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
