import Foundation

/// Chain format v1: which columns are hashed, in which order, and how each is encoded.
///
/// `hash(n) = SHA-256(prev_hash(n) || canonical(n))`, `prev_hash(1)` is 32 zero bytes and
/// `prev_hash(n) = hash(n-1)`. `canonical(n)` is each hashed column as a 4-byte big-endian length and that
/// many bytes of PostgreSQL's binary representation (`ff ff ff ff` and no bytes for NULL), with text as
/// UTF-8 and jsonb as `0x01` followed by its text. docs/chain-format.md is the full description.
public enum ChainFormatV1 {
    /// The format's version number, as reports and checkpoints name it.
    public static let version = 1

    /// The hashed columns of `events.domain_events`, in canonical order.
    public static let hashedColumns = [
        "org_id", "seq", "event_type", "aggregate_type", "aggregate_id", "actor_id", "occurred_at", "payload",
    ]

    /// The `prev_hash` of an org's first event.
    public static let genesisPrevHash = Digest32.zero

    /// The jsonb binary format version byte that `jsonb_send` writes before the text.
    public static let jsonbVersion: UInt8 = 1

    /// Returns `canonical(n)` for an event.
    public static func canonicalBytes(of event: ChainEvent) -> [UInt8] {
        var out = [UInt8]()
        appendCanonicalBytes(of: event, to: &out)
        return out
    }

    /// Returns the bytes hashed for an event: `prev_hash || canonical(n)`.
    public static func hashInput(prevHash: Digest32, event: ChainEvent) -> [UInt8] {
        var out = prevHash.bytes
        appendCanonicalBytes(of: event, to: &out)
        return out
    }

    /// Appends `canonical(n)` for an event to `out`.
    public static func appendCanonicalBytes(of event: ChainEvent, to out: inout [UInt8]) {
        appendUUID(event.orgID, to: &out)
        appendLength(8, to: &out)
        appendBigEndian(UInt64(bitPattern: event.seq), to: &out)
        appendText(event.eventType, to: &out)
        appendText(event.aggregateType, to: &out)
        appendUUID(event.aggregateID, to: &out)
        if let actor = event.actorID { appendUUID(actor, to: &out) } else { appendNull(to: &out) }
        appendLength(8, to: &out)
        appendBigEndian(UInt64(bitPattern: event.occurredAt.microsecondsSince2000), to: &out)
        let payload = event.payloadJSON.utf8
        appendLength(Int32(payload.count + 1), to: &out)
        out.append(jsonbVersion)
        out.append(contentsOf: payload)
    }

    private static func appendUUID(_ uuid: UUID, to out: inout [UInt8]) {
        appendLength(16, to: &out)
        uuid.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    private static func appendText(_ text: String?, to out: inout [UInt8]) {
        guard let text else { return appendNull(to: &out) }
        let utf8 = text.utf8
        appendLength(Int32(utf8.count), to: &out)
        out.append(contentsOf: utf8)
    }

    private static func appendNull(to out: inout [UInt8]) {
        appendLength(-1, to: &out)
    }

    private static func appendLength(_ length: Int32, to out: inout [UInt8]) {
        appendBigEndian(UInt32(bitPattern: length), to: &out)
    }

    private static func appendBigEndian<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out.append(contentsOf: $0) }
    }
}
