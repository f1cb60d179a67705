import EventModel

/// The per-row work of verification: checks a tuple's shape, hashes it in place and feeds the checker.
struct ChainSink: CopyTupleSink {
    /// Thrown to stop streaming once an error-level finding is made and the caller asked to stop.
    struct StopRequested: Error {}

    let hasher: SHA256Hasher
    let org: UUIDWords
    let stopAtFirstError: Bool
    var checker = ChainChecker()
    var log: FindingLog

    init(hasher: SHA256Hasher, org: UUIDWords, maxFindings: Int, stopAtFirstError: Bool) {
        self.hasher = hasher
        self.org = org
        self.stopAtFirstError = stopAtFirstError
        self.log = FindingLog(limit: maxFindings)
    }

    mutating func consume(_ t: CopyTuple) throws {
        typealias C = VerifyQuery.Column
        let row = checker.rowCount + 1
        guard t.length(C.orgID) == 16, org.equals(bytesAt: t.pointer(C.orgID)) else {
            throw VerificationError("row \(row) of the COPY stream belongs to another org (org_id mismatch)")
        }
        guard t.length(C.seq) == 8 else {
            throw VerificationError(t.isNull(C.seq) ? "row \(row) has a NULL seq" : "row \(row) has a malformed seq")
        }
        try expect(t, C.aggregateID, 16, "aggregate_id", row)
        try expect(t, C.actorID, 16, "actor_id", row)
        try expect(t, C.occurredAt, 8, "occurred_at", row)
        if let payload = t.field(C.payload) {
            guard payload.count >= 1, payload[0] == ChainFormatV1.jsonbVersion else {
                throw VerificationError("row \(row) has a payload that is not jsonb binary version 1")
            }
        }
        let seq = Int64(bigEndian: t.pointer(C.seq).loadUnaligned(as: Int64.self))
        let prev = HashValue(field: t.field(C.prevHash))
        let stored = HashValue(field: t.field(C.hash))
        var computed: Digest32? = nil
        if prev.digest != nil {
            // prev_hash's 32 bytes and the eight canonical fields are contiguous in the tuple.
            computed = hasher.hash(t.span(fromDataOf: C.prevHash, throughEndOf: C.payload))
        }
        checker.check(seq: seq, prevHash: prev, hash: stored, computed: computed, into: &log)
        if stopAtFirstError && log.errorCount > 0 { throw StopRequested() }
    }

    private func expect(_ t: CopyTuple, _ column: Int, _ size: Int, _ name: String, _ row: Int64) throws {
        let length = t.length(column)
        guard length == -1 || length == size else {
            throw VerificationError("row \(row) has a \(name) of \(length) bytes, expected \(size)")
        }
    }
}
