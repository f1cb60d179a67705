/// The data of one `COPY … TO STDOUT`, read chunk by chunk straight out of libpq's buffers.
///
/// Each chunk is one CopyData message; the bytes are valid only inside the closure that receives them.
/// Read until `nextChunk` returns `nil`, then call `finish()` for the row count of the `COPY n` tag.
public final class CopyOutStream {
    private let connection: Connection
    private var ended = false

    init(connection: Connection) {
        self.connection = connection
    }

    /// Hands the next CopyData message to `body`; returns `nil` once the server has sent them all.
    ///
    /// - Throws: `PostgresError` when the connection fails or the server aborts the COPY.
    public func nextChunk<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard !ended else { return nil }
        switch try connection.nextCopyData() {
        case .data(let buffer, let count):
            defer { LibPQ.freeCopyBuffer(buffer) }
            return try body(UnsafeRawBufferPointer(start: buffer, count: count))
        case .done:
            ended = true
            return nil
        case .failed:
            ended = true
            throw connection.copyFailure()
        }
    }

    /// Returns the next CopyData message, which the caller must `release()`, or `nil` at the end.
    public func nextMessage() throws -> CopyMessage? {
        guard !ended else { return nil }
        switch try connection.nextCopyData() {
        case .data(let buffer, let count):
            return CopyMessage(pointer: buffer, count: count)
        case .done:
            ended = true
            return nil
        case .failed:
            ended = true
            throw connection.copyFailure()
        }
    }

    /// Collects the end of the COPY and returns the number of rows the server says it sent.
    public func finish() throws -> Int64 {
        try connection.finishCopy()
    }
}
