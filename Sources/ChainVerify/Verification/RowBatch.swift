import EventModel
import Foundation

/// One row of a batch: what the sequential checks need, and where its hash input lies.
struct BatchRow {
    var seq: Int64
    var prevHash: HashValue
    var storedHash: HashValue
    /// `prev_hash || canonical(n)`, in a libpq buffer or the batch's arena; `nil` when `prev_hash` is malformed.
    var input: UnsafeRawPointer?
    var inputCount: Int
    /// SHA-256 of the input, filled in by the hashing stage.
    var computed: Digest32
}

/// A reusable batch of rows whose bytes stay in the libpq buffers they arrived in until the batch is done.
///
/// Owned by one stage at a time (reader, then hasher and checker), handed over through `BlockingQueue`.
final class RowBatch: @unchecked Sendable {
    private(set) var rows: UnsafeMutablePointer<BatchRow>
    private(set) var capacity: Int
    private(set) var count = 0
    /// Bytes of libpq buffers and copies the batch holds.
    private(set) var retainedBytes = 0
    private var messages: [CopyMessage] = []
    private var arena: [UnsafeMutableRawPointer] = []

    /// Creates a batch with room for `capacity` rows (it grows only if one message holds more).
    init(capacity: Int) {
        self.capacity = capacity
        rows = .allocate(capacity: capacity)
        messages.reserveCapacity(capacity + 2)
    }

    deinit {
        reset()
        rows.deallocate()
    }

    /// Appends a row, growing the storage in the rare case it is full.
    @inline(__always)
    func append(_ row: BatchRow) {
        if count == capacity { grow() }
        (rows + count).initialize(to: row)
        count += 1
    }

    /// Keeps a message alive until `reset()`.
    func retain(_ message: CopyMessage) {
        messages.append(message)
        retainedBytes += message.bytes.count
    }

    /// Copies bytes that would not outlive the decoder's call (a tuple split across messages) into storage
    /// owned by the batch.
    func keep(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 16)
        if let base = bytes.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) }
        arena.append(copy)
        retainedBytes += bytes.count
        return UnsafeRawPointer(copy)
    }

    /// Frees the messages and copies, and empties the batch for reuse.
    func reset() {
        for message in messages { message.release() }
        messages.removeAll(keepingCapacity: true)
        for block in arena { block.deallocate() }
        arena.removeAll(keepingCapacity: true)
        rows.deinitialize(count: count)
        count = 0
        retainedBytes = 0
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<BatchRow>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: rows, count: count)
        rows.deallocate()
        rows = bigger
        capacity *= 2
    }
}
