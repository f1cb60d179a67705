import Foundation

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

    /// Hands the next CopyData message to `body` and frees it; returns `nil` once the server has sent them
    /// all.
    ///
    /// - Throws: `PostgresError` when the connection fails or the server aborts the COPY.
    public func nextChunk<R>(_ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let message = try nextMessage() else { return nil }
        defer { message.release() }
        return try body(message.bytes)
    }

    /// Returns the next CopyData message, which the caller must `release()`, or `nil` at the end.
    ///
    /// With `paced`, a drained socket is left to fill for a moment (a short sleep, adapted to how much
    /// arrived) rather than waited on: a reader that is waiting is woken by every 8 KiB the server sends,
    /// and on a virtual machine those wake-ups cost the server as much as a fifth of its time.
    public func nextMessage() throws -> CopyMessage? {
        guard !ended else { return nil }
        var consumed = false
        while true {
            switch try paced ? connection.nextCopyDataNoWait() : connection.nextCopyData().waited {
            case .data(let buffer, let count):
                return CopyMessage(pointer: buffer, count: count)
            case .done:
                ended = true
                return nil
            case .failed:
                ended = true
                throw connection.copyFailure()
            case .wouldBlock:
                if consumed {
                    pace()
                }
                guard try connection.consumeInput() else {
                    ended = true
                    throw connection.copyFailure()
                }
                consumed = !consumed
            }
        }
    }

    /// Whether reads are paced (see `nextMessage`).
    public var paced = false
    private var pauseMicroseconds: Double = 100
    private var idlePauses = 0

    /// Lets the socket fill: sleeps, then adapts the pause to what arrived; after many empty pauses (a
    /// server that is slow to produce rows) waits on the socket instead.
    private func pace() {
        let fd = connection.socket
        guard fd >= 0 else { return }
        if idlePauses > 40 {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, 250)
            idlePauses = 0
            return
        }
        usleep(useconds_t(pauseMicroseconds))
        var pending: Int32 = 0
        _ = ioctl(fd, UInt(FIONREAD), &pending)
        if pending == 0 {
            idlePauses += 1
            pauseMicroseconds = min(1000, pauseMicroseconds * 1.5)
        } else {
            idlePauses = 0
            if pending > 96 * 1024 {
                pauseMicroseconds = max(20, pauseMicroseconds / 2)
            } else if pending < 32 * 1024 {
                pauseMicroseconds = min(1000, pauseMicroseconds * 1.25)
            }
        }
    }

    /// Collects the end of the COPY and returns the number of rows the server says it sent.
    public func finish() throws -> Int64 {
        try connection.finishCopy()
    }
}
