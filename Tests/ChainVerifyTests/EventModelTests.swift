import ChainVerify
import EventModel
import Foundation
import Testing

@Suite("Event model")
struct EventModelTests {
    @Test func digestsRoundTripThroughHex() throws {
        let hex = "1f1cdf47273a29704fd81fe07b13df32058b619f20bc0926edefabe78c12791f"
        let d = try #require(Digest32(hex: hex))
        #expect(d.hex == hex)
        #expect(Digest32(hex: hex.uppercased()) == d)
        #expect(d.bytes.count == 32)
        #expect(!d.isZero)
        #expect(Digest32.zero.isZero)
        #expect(Digest32.zero.hex == String(repeating: "0", count: 64))
    }

    @Test(arguments: ["", "00", String(repeating: "0", count: 63), String(repeating: "g", count: 64),
                      String(repeating: "0", count: 66)])
    func badDigestHexIsRejected(_ text: String) {
        #expect(Digest32(hex: text) == nil)
    }

    @Test func digestsCompareAgainstBytesInPlace() throws {
        let bytes = (0..<32).map { UInt8($0 * 7 & 0xff) }
        let d = try #require(Digest32(bytes))
        #expect(bytes.withUnsafeBytes { d.equals(bytesAt: $0.baseAddress!) })
        var other = bytes
        other[31] ^= 1
        #expect(!other.withUnsafeBytes { d.equals(bytesAt: $0.baseAddress!) })
    }

    @Test(arguments: [
        (2000, 1, 1, 0, 0, 0, 0, Int64(0), "2000-01-01T00:00:00.000000Z"),
        (1970, 1, 1, 0, 0, 0, 0, Int64(-946_684_800_000_000), "1970-01-01T00:00:00.000000Z"),
        (1999, 12, 31, 23, 59, 59, 999_999, Int64(-1), "1999-12-31T23:59:59.999999Z"),
        (2038, 1, 19, 3, 14, 8, 0, Int64(1_200_798_848_000_000), "2038-01-19T03:14:08.000000Z"),
        (2024, 2, 29, 12, 0, 0, 5, Int64(762_523_200_000_005), "2024-02-29T12:00:00.000005Z"),
    ])
    func timestampsConvertFromCalendarFields(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, _ us: Int,
                                             _ micros: Int64, _ iso: String) throws {
        let t = try #require(PostgresTimestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: us))
        #expect(t.microsecondsSince2000 == micros)
        #expect(t.iso8601 == iso)
    }

    @Test func impossibleDatesAreRejected() {
        #expect(PostgresTimestamp(year: 2023, month: 2, day: 29) == nil)
        #expect(PostgresTimestamp(year: 2026, month: 13, day: 1) == nil)
        #expect(PostgresTimestamp(year: 2026, month: 4, day: 31) == nil)
        #expect(PostgresTimestamp(year: 2026, month: 1, day: 1, hour: 24) == nil)
    }

    @Test func infinitiesRenderAsPostgreSQLDoes() {
        #expect(PostgresTimestamp(microsecondsSince2000: .max).iso8601 == "infinity")
        #expect(PostgresTimestamp(microsecondsSince2000: .min).iso8601 == "-infinity")
    }

    @Test func canonicalBytesFollowChainFormatV1() throws {
        let org = try #require(UUID(uuidString: "00112233-4455-6677-8899-aabbccddeeff"))
        let agg = try #require(UUID(uuidString: "ffeeddcc-bbaa-9988-7766-554433221100"))
        let event = ChainEvent(orgID: org, seq: 258, eventType: "a", aggregateType: "", aggregateID: agg, actorID: nil,
                               occurredAt: PostgresTimestamp(microsecondsSince2000: 1), payloadJSON: "{}")
        let expected = "00000010" + "00112233445566778899aabbccddeeff"
            + "00000008" + "0000000000000102"
            + "00000001" + "61"
            + "00000000"
            + "00000010" + "ffeeddccbbaa99887766554433221100"
            + "ffffffff"
            + "00000008" + "0000000000000001"
            + "00000003" + "017b7d"
        #expect(Hex.encode(ChainFormatV1.canonicalBytes(of: event)) == expected)
        #expect(Hex.encode(ChainFormatV1.hashInput(prevHash: .zero, event: event)) == String(repeating: "0", count: 64) + expected)
    }

    @Test func sha256MatchesKnownAnswers() throws {
        let hasher = try SHA256Hasher()
        #expect(hasher.hash([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hasher.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // The context is reusable: the same input gives the same answer again.
        #expect(hasher.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
