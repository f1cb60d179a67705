// libFuzzer target: the binary COPY decoder and the per-row checks behind it (built by Fuzz/run).
//
// The first input byte chooses how the rest is cut into CopyData messages; the rest is the stream. The
// target checks, besides "no crash, no hang, no leak":
//   - the outcome (the tuples, or that it failed) is the same whatever the cutting;
//   - a stream accepted as complete ends exactly at its trailer.
import EventModel
import Foundation

/// Decodes `stream` cut into pieces of `step` bytes (0: one piece); returns the rows' (seq, prev, hash) or
/// nil when decoding failed.
func decode(_ stream: UnsafeRawBufferPointer, step: Int) -> [String]? {
    let decoder = CopyBinaryDecoder(fieldCount: VerifyQuery.Column.count)
    let batch = RowBatch(capacity: 4)
    var collector = BatchCollector(batch: batch, org: UUIDWords(UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))))
    var checker = ChainChecker()
    var log = FindingLog(limit: 100)
    var rows: [String] = []
    func drain() {
        for i in 0..<batch.count {
            let row = batch.rows[i]
            checker.check(seq: row.seq, prevHash: row.prevHash, hash: row.storedHash, computed: nil, into: &log)
            rows.append("\(row.seq)/\(row.prevHash)/\(row.storedHash)/\(row.inputCount)")
        }
        batch.reset()
    }
    var offset = 0
    let size = step == 0 ? max(1, stream.count) : step
    do {
        while offset < stream.count {
            let count = min(size, stream.count - offset)
            // Each piece is a malloc'd copy, as libpq hands them over; the batch frees it.
            let piece = malloc(count)!
            piece.copyMemory(from: stream.baseAddress! + offset, byteCount: count)
            let message = CopyMessage(pointer: piece, count: count)
            do {
                try decoder.feed(message.bytes, into: &collector)
            } catch {
                message.release()
                throw error
            }
            batch.retain(message)
            drain()
            offset += count
        }
        try decoder.finish()
    } catch {
        batch.reset()
        return nil
    }
    checker.checkHead(recorded: nil, into: &log)
    return rows
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCopyDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let step = Int(data[0] % 17)
    let stream = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let whole = decode(stream, step: 0)
    let cut = decode(stream, step: step)
    if whole != cut {
        fatalError("the outcome depends on how the stream is cut (step \(step))")
    }
    if whole != nil, !(stream.count >= 2 && stream[stream.count - 2] == 0xff && stream[stream.count - 1] == 0xff) {
        fatalError("a stream accepted as complete does not end with the trailer")
    }
    return 0
}
