import EventModel

/// A `prev_hash` or `hash` value as stored: a digest, NULL, or the wrong length.
public enum HashValue: Sendable, Equatable, CustomStringConvertible {
    /// Exactly 32 bytes.
    case digest(Digest32)
    /// SQL NULL.
    case null
    /// A value that is not 32 bytes long.
    case wrongLength(Int)

    /// Reads a COPY field (`nil` for NULL).
    @inlinable
    public init(field: UnsafeRawBufferPointer?) {
        guard let field else {
            self = .null
            return
        }
        if field.count == 32, let base = field.baseAddress {
            self = .digest(Digest32(copying: base))
        } else {
            self = .wrongLength(field.count)
        }
    }

    /// The digest, when the value is well formed.
    @inlinable
    public var digest: Digest32? {
        if case .digest(let d) = self { return d }
        return nil
    }

    /// `NULL`, `<n> bytes` or the hex digest.
    public var description: String {
        switch self {
        case .digest(let d): return d.hex
        case .null: return "NULL"
        case .wrongLength(let n): return "\(n) bytes"
        }
    }
}
