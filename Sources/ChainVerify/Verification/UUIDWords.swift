import Foundation

/// A uuid's 16 bytes as two words, for comparing against a COPY field without building a `UUID`.
struct UUIDWords: Sendable {
    private let high: UInt64
    private let low: UInt64

    init(_ uuid: UUID) {
        (high, low) = uuid.withUnsafeBytes {
            ($0.loadUnaligned(fromByteOffset: 0, as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }

    /// Whether the 16 bytes at `pointer` are this uuid.
    @inline(__always)
    func equals(bytesAt pointer: UnsafeRawPointer) -> Bool {
        pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self) == high
            && pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == low
    }
}
