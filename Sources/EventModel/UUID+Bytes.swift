import Foundation

extension UUID {
    /// Creates a UUID from exactly 16 bytes in network order (what PostgreSQL's `uuid_send` gives).
    public init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.count == 16 else { return nil }
        var raw: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &raw) { $0.copyMemory(from: bytes) }
        self.init(uuid: raw)
    }

    /// Calls `body` with the 16 bytes in network order.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try Swift.withUnsafeBytes(of: uuid, body)
    }

    /// The lowercase text form PostgreSQL prints, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    public var lowercased: String {
        uuidString.lowercased()
    }
}
