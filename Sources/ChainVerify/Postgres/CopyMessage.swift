/// One CopyData message whose buffer the caller owns until it calls `release()`.
///
/// Lets the verifier keep rows in libpq's own buffers while a batch of them is hashed on other threads,
/// instead of copying them out.
public struct CopyMessage: @unchecked Sendable {
    // A malloc'd libpq buffer owned by exactly one holder at a time, freed once by release().
    /// The message bytes.
    public let bytes: UnsafeRawBufferPointer

    init(pointer: UnsafeMutableRawPointer, count: Int) {
        bytes = UnsafeRawBufferPointer(start: pointer, count: count)
    }

    /// Frees the buffer; the bytes are invalid afterwards.
    public func release() {
        if let base = bytes.baseAddress { LibPQ.freeCopyBuffer(UnsafeMutableRawPointer(mutating: base)) }
    }
}
