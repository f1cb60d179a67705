import EventModel

/// Decoder sink that checks each tuple's shape and records it in the current batch, in place.
struct BatchCollector: CopyTupleSink {
    typealias Column = VerifyQuery.Column

    /// The batch being filled.
    var batch: RowBatch
    /// The org every row must belong to.
    let org: UUIDWords
    /// Rows collected so far, for error messages.
    var rowsSeen: Int64 = 0

    mutating func consume(_ t: CopyTuple) throws {
        rowsSeen += 1
        let row = rowsSeen
        guard t.length(Column.orgID) == 16, org.equals(bytesAt: t.pointer(Column.orgID)) else {
            throw VerificationError("row \(row) of the COPY stream belongs to another org (org_id mismatch)")
        }
        guard t.length(Column.seq) == 8 else {
            throw VerificationError(t.isNull(Column.seq) ? "row \(row) has a NULL seq" : "row \(row) has a malformed seq")
        }
        try expect(t, Column.aggregateID, 16, "aggregate_id", row)
        try expect(t, Column.actorID, 16, "actor_id", row)
        try expect(t, Column.occurredAt, 8, "occurred_at", row)
        if t.length(Column.payload) >= 0 {
            guard t.length(Column.payload) >= 1,
                  t.pointer(Column.payload).load(as: UInt8.self) == ChainFormatV1.jsonbVersion
            else {
                throw VerificationError("row \(row) has a payload that is not jsonb binary version 1")
            }
        }
        let prev = HashValue(field: t.field(Column.prevHash))
        var input: UnsafeRawPointer? = nil
        var inputCount = 0
        if prev.digest != nil {
            // prev_hash's 32 bytes and the eight canonical fields are contiguous in the tuple.
            let span = t.span(fromDataOf: Column.prevHash, throughEndOf: Column.payload)
            input = t.inPlace ? span.baseAddress : batch.keep(span)
            inputCount = span.count
        }
        batch.append(BatchRow(
            seq: Int64(bigEndian: t.pointer(Column.seq).loadUnaligned(as: Int64.self)),
            prevHash: prev, storedHash: HashValue(field: t.field(Column.hash)), input: input,
            inputCount: inputCount, computed: .zero))
    }

    private func expect(_ t: CopyTuple, _ column: Int, _ size: Int, _ name: String, _ row: Int64) throws {
        let length = t.length(column)
        guard length == -1 || length == size else {
            throw VerificationError("row \(row) has a \(name) of \(length) bytes, expected \(size)")
        }
    }
}
