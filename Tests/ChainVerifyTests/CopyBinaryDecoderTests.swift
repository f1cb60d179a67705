import ChainVerify
import EventModel
import Foundation
import Testing

/// Collects every tuple's fields as arrays (nil for NULL).
struct CollectingSink: CopyTupleSink {
    var tuples: [[[UInt8]?]] = []

    mutating func consume(_ tuple: CopyTuple) throws {
        tuples.append((0..<tuple.fieldCount).map { tuple.field($0).map { Array($0) } })
    }
}

/// Builds binary COPY streams by hand.
enum CopyStreamBuilder {
    static func header(flags: UInt32 = 0, extensionBytes: [UInt8] = []) -> [UInt8] {
        CopyBinaryDecoder.signature + be(flags) + be(UInt32(extensionBytes.count)) + extensionBytes
    }

    static func tuple(_ fields: [[UInt8]?]) -> [UInt8] {
        var out = be16(Int16(fields.count))
        for field in fields {
            if let field {
                out += be(UInt32(field.count)) + field
            } else {
                out += be(UInt32(bitPattern: -1))
            }
        }
        return out
    }

    static let trailer: [UInt8] = [0xff, 0xff]

    static func be(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    static func be16(_ v: Int16) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
}

@Suite("Binary COPY decoder")
struct CopyBinaryDecoderTests {
    static let sample: [[UInt8]?] = [[1, 2, 3], nil, [], Array("hello".utf8)]

    static var stream: [UInt8] {
        CopyStreamBuilder.header() + CopyStreamBuilder.tuple(sample) + CopyStreamBuilder.tuple([[9], [8], nil, nil])
            + CopyStreamBuilder.trailer
    }

    func decode(_ chunks: [[UInt8]], fields: Int = 4) throws -> [[[UInt8]?]] {
        let decoder = CopyBinaryDecoder(fieldCount: fields)
        var sink = CollectingSink()
        for chunk in chunks {
            try chunk.withUnsafeBytes { try decoder.feed($0, into: &sink) }
        }
        try decoder.finish()
        return sink.tuples
    }

    @Test func decodesAWholeStream() throws {
        let tuples = try decode([Self.stream])
        #expect(tuples.count == 2)
        #expect(tuples[0] == Self.sample)
        #expect(tuples[1] == [[9], [8], nil, nil])
    }

    @Test func decodesTheSameWhateverTheChunking() throws {
        let whole = try decode([Self.stream])
        let s = Self.stream
        for cut in 1..<s.count {
            #expect(try decode([Array(s[..<cut]), Array(s[cut...])]) == whole, "split at \(cut)")
        }
        #expect(try decode(s.map { [$0] }) == whole, "one byte at a time")
    }

    @Test func everyTruncationIsAnError() throws {
        let s = Self.stream
        for cut in 0..<s.count {
            #expect(throws: CopyFormatError.self, "cut at \(cut)") { try decode([Array(s[..<cut])]) }
        }
    }

    @Test func skipsAHeaderExtension() throws {
        let s = CopyStreamBuilder.header(extensionBytes: [1, 2, 3, 4, 5]) + CopyStreamBuilder.tuple(Self.sample)
            + CopyStreamBuilder.trailer
        #expect(try decode([s]) == [Self.sample])
        #expect(try decode(s.map { [$0] }) == [Self.sample])
    }

    @Test func ignoresNonCriticalFlagBits() throws {
        let s = CopyStreamBuilder.header(flags: 0x0000_ffff) + CopyStreamBuilder.trailer
        #expect(try decode([s]).isEmpty)
    }

    @Test(arguments: [
        ("bad signature", [UInt8](repeating: 0x50, count: 19) + CopyStreamBuilder.trailer),
        ("OIDs flag", CopyStreamBuilder.header(flags: 1 << 16) + CopyStreamBuilder.trailer),
        ("critical flag", CopyStreamBuilder.header(flags: 1 << 20) + CopyStreamBuilder.trailer),
        ("wrong field count", CopyStreamBuilder.header() + CopyStreamBuilder.tuple([[1], [2], [3]]) + CopyStreamBuilder.trailer),
        ("length below -1", CopyStreamBuilder.header() + CopyStreamBuilder.be16(4) + CopyStreamBuilder.be(UInt32(bitPattern: -2))),
        ("length above 1 GB", CopyStreamBuilder.header() + CopyStreamBuilder.be16(4) + CopyStreamBuilder.be(0x7fff_ffff)),
        ("data after the trailer", CopyStreamBuilder.header() + CopyStreamBuilder.trailer + [0]),
        ("a tuple after the trailer", CopyStreamBuilder.header() + CopyStreamBuilder.trailer + CopyStreamBuilder.tuple(Self.sample)),
        ("negative header extension", CopyBinaryDecoder.signature + CopyStreamBuilder.be(0) + CopyStreamBuilder.be(UInt32(bitPattern: -5))),
    ])
    func rejectsMalformedStreams(_ name: String, _ bytes: [UInt8]) {
        #expect(throws: CopyFormatError.self, "\(name), whole") { try decode([bytes]) }
        #expect(throws: CopyFormatError.self, "\(name), byte by byte") { try decode(bytes.map { [$0] }) }
    }

    @Test func aBadSignatureFailsOnItsFirstByte() {
        let decoder = CopyBinaryDecoder(fieldCount: 1)
        var sink = CollectingSink()
        #expect(throws: CopyFormatError.self) { try [UInt8(0x51)].withUnsafeBytes { try decoder.feed($0, into: &sink) } }
    }
}

/// The same, on streams recorded from the real server.
@Suite("Binary COPY decoder on recorded server streams", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct RecordedCopyStreamTests {
    /// Records the verifier's COPY for an org, one chunk per CopyData message.
    static func record(_ db: TestDatabase, org: OrgIdentity) throws -> [[UInt8]] {
        let c = try Connection(db.spec())
        defer { c.close() }
        let sql = """
            COPY (SELECT prev_hash, org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, occurred_at, \
            payload, hash FROM events.domain_events WHERE org_id = '\(org.id.lowercased)' ORDER BY seq) \
            TO STDOUT (FORMAT binary)
            """
        let stream = try c.copyOut(sql)
        var chunks: [[UInt8]] = []
        while let chunk = try stream.nextChunk({ Array($0) }) { chunks.append(chunk) }
        #expect(try stream.finish() > 0)
        return chunks
    }

    @Test func aRecordedStreamCutAtEveryByteIsAnErrorNeverAPass() throws {
        let db = try TestDatabase("record")
        let org = try db.makeOrg("rec", events: 12, payloadBytes: 5)
        let chunks = try Self.record(db, org: org)
        let bytes = chunks.flatMap { $0 }

        let decoder = CopyBinaryDecoder(fieldCount: 10)
        var whole = CollectingSink()
        for chunk in chunks { try chunk.withUnsafeBytes { try decoder.feed($0, into: &whole) } }
        try decoder.finish()
        #expect(whole.tuples.count == 12)

        for cut in 0..<bytes.count {
            let d = CopyBinaryDecoder(fieldCount: 10)
            var sink = CollectingSink()
            #expect(throws: CopyFormatError.self, "cut at \(cut) of \(bytes.count)") {
                try Array(bytes[..<cut]).withUnsafeBytes { try d.feed($0, into: &sink) }
                try d.finish()
            }
        }
    }

    @Test func recordedTuplesAreTheSameWhateverTheChunking() throws {
        let db = try TestDatabase("rechunk")
        let org = try db.makeOrg("rec", events: 5, payloadBytes: 300)
        let bytes = try Self.record(db, org: org).flatMap { $0 }
        func decode(_ size: Int) throws -> [[[UInt8]?]] {
            let d = CopyBinaryDecoder(fieldCount: 10)
            var sink = CollectingSink()
            var i = 0
            while i < bytes.count {
                let end = min(bytes.count, i + size)
                try Array(bytes[i..<end]).withUnsafeBytes { try d.feed($0, into: &sink) }
                i = end
            }
            try d.finish()
            return sink.tuples
        }
        let whole = try decode(bytes.count)
        #expect(whole.count == 5)
        for size in [1, 2, 3, 7, 19, 64, 333, 1000] {
            #expect(try decode(size) == whole, "chunks of \(size)")
        }
    }
}
