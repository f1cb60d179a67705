import Foundation

/// One tuple of a binary COPY stream, seen in place: no bytes are copied to make it.
///
/// Valid only inside the `CopyTupleSink.consume` call that receives it.
public struct CopyTuple {
    /// The tuple's first byte (its 16-bit field count).
    public let base: UnsafeRawPointer
    /// The tuple's size in bytes, field count included.
    public let byteCount: Int
    /// For field `i`, `fields[2*i]` is the offset of its data within the tuple and `fields[2*i+1]` its
    /// length, or -1 for NULL.
    @usableFromInline let fields: UnsafePointer<Int32>
    /// The number of fields.
    public let fieldCount: Int
    /// Whether the bytes lie in the chunk passed to `feed` (and live as long as it does), rather than in the
    /// decoder's carry buffer (valid only during the `consume` call).
    public let inPlace: Bool

    /// The length of field `i` in bytes, or -1 for NULL.
    @inlinable
    public func length(_ i: Int) -> Int { Int(fields[2 * i + 1]) }

    /// Whether field `i` is NULL.
    @inlinable
    public func isNull(_ i: Int) -> Bool { fields[2 * i + 1] < 0 }

    /// The data of field `i`, or `nil` for NULL.
    @inlinable
    public func field(_ i: Int) -> UnsafeRawBufferPointer? {
        let length = fields[2 * i + 1]
        guard length >= 0 else { return nil }
        return UnsafeRawBufferPointer(start: base + Int(fields[2 * i]), count: Int(length))
    }

    /// The pointer to the data of field `i` (or to where it would start, for NULL).
    @inlinable
    public func pointer(_ i: Int) -> UnsafeRawPointer { base + Int(fields[2 * i]) }

    /// The contiguous bytes from the start of field `first`'s data through the end of field `last`'s data,
    /// including the length words of the fields after `first`.
    @inlinable
    public func span(fromDataOf first: Int, throughEndOf last: Int) -> UnsafeRawBufferPointer {
        let start = Int(fields[2 * first])
        let end = Int(fields[2 * last]) + max(0, Int(fields[2 * last + 1]))
        return UnsafeRawBufferPointer(start: base + start, count: end - start)
    }
}

/// Receives decoded tuples.
public protocol CopyTupleSink {
    /// Handles one tuple; throwing stops the decoding.
    mutating func consume(_ tuple: CopyTuple) throws
}

/// A streaming decoder for PostgreSQL's binary COPY format that validates everything it reads.
///
/// It checks the 11-byte signature, the flags (no OIDs, no unknown critical bits), the header extension,
/// that every tuple has exactly the expected field count, that every length is -1 or in range, the
/// trailer, and that nothing follows the trailer. `finish()` fails unless the trailer was seen, so a
/// stream cut at any byte is an error. Tuples that lie wholly in one chunk are handed on in place; only a
/// tuple split across chunks is gathered in a reused carry buffer.
public final class CopyBinaryDecoder {
    /// The signature that opens every binary COPY stream.
    public static let signature: [UInt8] = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]
    /// The largest field PostgreSQL can send (1 GB); anything larger is a corrupt length.
    public static let maximumFieldLength = 1 << 30

    private enum State {
        case header
        case headerExtension(remaining: Int)
        case tuples
        case ended
    }

    private enum Step {
        case consumed(Int)
        case needMore(atLeast: Int)
    }

    /// The number of fields every tuple must have.
    public let fieldCount: Int
    /// The number of tuples decoded so far.
    public private(set) var tupleCount: Int64 = 0
    /// The number of bytes fed so far.
    public private(set) var byteCount: Int64 = 0

    private var state = State.header
    private let table: UnsafeMutablePointer<Int32>
    private var carry: UnsafeMutableRawPointer
    private var carryCapacity: Int
    private var carryCount = 0
    private var carryNeeded = 0

    /// Creates a decoder for tuples of `fieldCount` fields.
    public init(fieldCount: Int) {
        precondition(fieldCount > 0 && fieldCount < Int(Int16.max))
        self.fieldCount = fieldCount
        table = .allocate(capacity: 2 * fieldCount)
        table.initialize(repeating: 0, count: 2 * fieldCount)
        carryCapacity = 64 * 1024
        carry = .allocate(byteCount: carryCapacity, alignment: 16)
    }

    deinit {
        table.deallocate()
        carry.deallocate()
    }

    /// Whether the trailer has been read.
    public var isComplete: Bool {
        if case .ended = state { return true }
        return false
    }

    /// Decodes a chunk, handing every complete tuple to `sink`.
    ///
    /// - Throws: `CopyFormatError` for malformed data, or whatever `sink` throws.
    public func feed<Sink: CopyTupleSink>(_ chunk: UnsafeRawBufferPointer, into sink: inout Sink) throws {
        guard let chunkBase = chunk.baseAddress, chunk.count > 0 else { return }
        byteCount += Int64(chunk.count)
        if carryCount == 0 {
            let used = try decode(chunkBase, chunk.count, inPlace: true, into: &sink)
            if used < chunk.count { try stash(chunkBase + used, chunk.count - used) }
            return
        }
        try stash(chunkBase, chunk.count)
        guard carryCount >= carryNeeded else { return }
        let used = try decode(UnsafeRawPointer(carry), carryCount, inPlace: false, into: &sink)
        if used > 0 {
            carryCount -= used
            if carryCount > 0 { memmove(carry, carry + used, carryCount) }
        }
    }

    /// Confirms the stream ended properly: header, tuples, trailer, nothing after.
    ///
    /// - Throws: `CopyFormatError` when the stream was cut short.
    public func finish() throws {
        guard case .ended = state else {
            throw CopyFormatError(
                "COPY stream ended before its trailer after \(tupleCount) tuples and \(byteCount) bytes (truncated)")
        }
        guard carryCount == 0 else { throw CopyFormatError("COPY stream has \(carryCount) bytes after its trailer") }
    }

    private func stash(_ bytes: UnsafeRawPointer, _ count: Int) throws {
        if case .ended = state { throw CopyFormatError("COPY stream has data after its trailer") }
        if carryCount + count > carryCapacity {
            var newCapacity = carryCapacity
            while newCapacity < carryCount + count { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: carry, byteCount: carryCount)
            carry.deallocate()
            carry = grown
            carryCapacity = newCapacity
        }
        (carry + carryCount).copyMemory(from: bytes, byteCount: count)
        carryCount += count
    }

    /// Decodes as much of `base[0..<count]` as forms whole units; returns how many bytes were used.
    private func decode<Sink: CopyTupleSink>(_ base: UnsafeRawPointer, _ count: Int, inPlace: Bool,
                                             into sink: inout Sink) throws -> Int
    {
        var offset = 0
        carryNeeded = 0
        while offset < count {
            let step: Step
            switch state {
            case .header:
                step = try header(base + offset, count - offset)
            case .headerExtension(let remaining):
                let skip = min(remaining, count - offset)
                state = remaining == skip ? .tuples : .headerExtension(remaining: remaining - skip)
                step = .consumed(skip)
            case .tuples:
                step = try tuple(base + offset, count - offset, inPlace: inPlace, into: &sink)
            case .ended:
                throw CopyFormatError("COPY stream has data after its trailer")
            }
            switch step {
            case .consumed(let n):
                offset += n
            case .needMore(let atLeast):
                carryNeeded = atLeast
                return offset
            }
        }
        return offset
    }

    private func header(_ p: UnsafeRawPointer, _ available: Int) throws -> Step {
        let size = Self.signature.count + 8
        guard available >= size else {
            // Reject a wrong signature as early as its first bytes, not only once 19 bytes are in.
            for i in 0..<min(available, Self.signature.count) where p.load(fromByteOffset: i, as: UInt8.self)
                != Self.signature[i]
            {
                throw CopyFormatError("not a binary COPY stream (bad signature)")
            }
            return .needMore(atLeast: size)
        }
        for i in 0..<Self.signature.count where p.load(fromByteOffset: i, as: UInt8.self) != Self.signature[i] {
            throw CopyFormatError("not a binary COPY stream (bad signature)")
        }
        let flags = readUInt32(p + 11)
        if flags & (1 << 16) != 0 { throw CopyFormatError("COPY stream carries OIDs, which were not requested") }
        if flags >> 17 != 0 {
            throw CopyFormatError("COPY stream sets unknown critical header flags 0x\(String(flags, radix: 16))")
        }
        let extensionLength = Int(Int32(bitPattern: readUInt32(p + 15)))
        guard extensionLength >= 0, extensionLength <= Self.maximumFieldLength else {
            throw CopyFormatError("COPY stream has an invalid header extension length \(extensionLength)")
        }
        state = extensionLength > 0 ? .headerExtension(remaining: extensionLength) : .tuples
        return .consumed(size)
    }

    private func tuple<Sink: CopyTupleSink>(_ p: UnsafeRawPointer, _ available: Int, inPlace: Bool,
                                            into sink: inout Sink) throws -> Step
    {
        guard available >= 2 else { return .needMore(atLeast: 2) }
        let count = Int(Int16(bitPattern: readUInt16(p)))
        if count == -1 {
            state = .ended
            if available > 2 { throw CopyFormatError("COPY stream has data after its trailer") }
            return .consumed(2)
        }
        guard count == fieldCount else {
            throw CopyFormatError(
                "COPY tuple \(tupleCount + 1) has \(count) fields, expected \(fieldCount)")
        }
        var offset = 2
        for i in 0..<fieldCount {
            guard available - offset >= 4 else { return .needMore(atLeast: offset + 4) }
            let length = Int(Int32(bitPattern: readUInt32(p + offset)))
            offset += 4
            if length == -1 {
                table[2 * i] = Int32(offset)
                table[2 * i + 1] = -1
                continue
            }
            guard length >= 0, length <= Self.maximumFieldLength else {
                throw CopyFormatError("COPY tuple \(tupleCount + 1) field \(i + 1) has an invalid length \(length)")
            }
            guard available - offset >= length else { return .needMore(atLeast: offset + length) }
            table[2 * i] = Int32(offset)
            table[2 * i + 1] = Int32(length)
            offset += length
        }
        guard offset <= Int(Int32.max) else { throw CopyFormatError("COPY tuple \(tupleCount + 1) is too large") }
        tupleCount += 1
        try sink.consume(CopyTuple(base: p, byteCount: offset, fields: UnsafePointer(table), fieldCount: fieldCount,
                                   inPlace: inPlace))
        return .consumed(offset)
    }

    @inline(__always)
    private func readUInt16(_ p: UnsafeRawPointer) -> UInt16 {
        UInt16(bigEndian: p.loadUnaligned(as: UInt16.self))
    }

    @inline(__always)
    private func readUInt32(_ p: UnsafeRawPointer) -> UInt32 {
        UInt32(bigEndian: p.loadUnaligned(as: UInt32.self))
    }
}

/// A binary COPY stream that is malformed or cut short.
public struct CopyFormatError: Error, CustomStringConvertible, Equatable {
    /// What is wrong, in one line.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
