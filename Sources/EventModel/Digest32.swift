/// A 32-byte digest (a SHA-256 output), stored inline as a tuple so it never allocates.
///
/// Chain format v1 uses it for `prev_hash`, `hash` and `events.chain_heads.last_hash`.
public struct Digest32: Sendable, Hashable, CustomStringConvertible {
    /// The 32 bytes, in order.
    public typealias Storage = (
        UInt64, UInt64, UInt64, UInt64
    )

    /// The raw storage: four 64-bit words holding the bytes in memory order.
    @usableFromInline
    internal var storage: Storage

    /// The digest of 32 zero bytes: the `prev_hash` of every chain's first event.
    public static let zero = Digest32(storage: (0, 0, 0, 0))

    /// The number of bytes in a digest.
    public static let byteCount = 32

    @inlinable
    internal init(storage: Storage) {
        self.storage = storage
    }

    /// Copies a digest from exactly 32 bytes at `pointer`.
    @inlinable
    public init(copying pointer: UnsafeRawPointer) {
        var s: Storage = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &s) { $0.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: 32)) }
        self.storage = s
    }

    /// Creates a digest from a buffer, or `nil` when it does not hold exactly 32 bytes.
    @inlinable
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 32, let base = bytes.baseAddress else { return nil }
        self.init(copying: base)
    }

    /// Creates a digest from a byte sequence, or `nil` when it does not hold exactly 32 bytes.
    public init?<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let array = Array(bytes)
        guard array.count == 32 else { return nil }
        self = array.withUnsafeBytes { Digest32(copying: $0.baseAddress!) }
    }

    /// Parses 64 hexadecimal digits (either case), or returns `nil`.
    public init?(hex: String) {
        guard let bytes = Hex.decode(hex), bytes.count == 32 else { return nil }
        self.init(bytes)
    }

    /// Calls `body` with the 32 bytes.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: storage, body)
    }

    /// The bytes as an array.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Lowercase hexadecimal, 64 digits.
    public var hex: String {
        withUnsafeBytes { Hex.encode($0) }
    }

    /// Whether all 32 bytes are zero.
    @inlinable
    public var isZero: Bool {
        storage.0 == 0 && storage.1 == 0 && storage.2 == 0 && storage.3 == 0
    }

    /// Whether the 32 bytes at `pointer` equal this digest, without copying them.
    @inlinable
    public func equals(bytesAt pointer: UnsafeRawPointer) -> Bool {
        pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self) == storage.0
            && pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == storage.1
            && pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self) == storage.2
            && pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self) == storage.3
    }

    @inlinable
    public static func == (lhs: Digest32, rhs: Digest32) -> Bool {
        lhs.storage.0 == rhs.storage.0 && lhs.storage.1 == rhs.storage.1
            && lhs.storage.2 == rhs.storage.2 && lhs.storage.3 == rhs.storage.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.0)
        hasher.combine(storage.1)
        hasher.combine(storage.2)
        hasher.combine(storage.3)
    }

    public var description: String { hex }
}
