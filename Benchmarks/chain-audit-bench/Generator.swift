import ChainVerify
import EventModel
import Foundation

/// Writes one org's chain as a binary COPY stream for `events.domain_events`, hashes computed in Swift.
///
/// Columns, in this order: org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, payload,
/// occurred_at, prev_hash, hash. Payloads are written in PostgreSQL's normalised jsonb text (keys by length,
/// `", "` and `": "`), so the server stores exactly the bytes that were hashed; `prove` checks that.
struct Generator {
    static let columns = "org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at, prev_hash, hash"

    let org: UUID
    let events: Int
    let seed: UInt64
    /// Filler characters in each payload's text, tuned for COPY tuples of about 600 bytes.
    let fillerBytes: Int

    static let eventTypes = [
        ("agent.message", "session"), ("agent.message", "session"), ("session.started", "session"),
        ("session.ended", "session"), ("user.logged_in", "user"), ("invoice.issued", "invoice"),
        ("document.uploaded", "document"),
    ]
    static let words = ["the", "ledger", "agent", "invoice", "payroll", "tenant", "chain", "verify", "smoke", "session",
                        "award", "rate", "shift", "roster", "timesheet", "client", "placement", "compliance"]

    func write(to out: FileHandle) throws {
        var rng = SplitMix64(seed: seed)
        let hasher = try SHA256Hasher()
        var prev = Digest32.zero
        var buffer = [UInt8]()
        buffer.reserveCapacity(1 << 20)
        buffer += CopyBinaryDecoder.signature
        buffer += [0, 0, 0, 0, 0, 0, 0, 0]
        var canonical = [UInt8]()
        canonical.reserveCapacity(4096)
        let base = PostgresTimestamp(year: 2026, month: 1, day: 1)!.microsecondsSince2000
        for n in 1...events {
            let seq = Int64(n)
            let (eventType, aggregateType) = Self.eventTypes[rng.below(Self.eventTypes.count)]
            let aggregate = uuid(&rng)
            let actor: UUID? = rng.below(5) == 0 ? nil : uuid(&rng)
            var text = ""
            while text.utf8.count < fillerBytes {
                text += Self.words[rng.below(Self.words.count)]
                text += " "
            }
            let payload = #"{"n": \#(n), "text": "\#(text)", "model": "tier-\#(rng.below(3))", "tokens": \#(rng.below(5000))}"#
            let event = ChainEvent(orgID: org, seq: seq, eventType: eventType, aggregateType: aggregateType,
                                   aggregateID: aggregate, actorID: actor,
                                   occurredAt: PostgresTimestamp(microsecondsSince2000: base + seq * 1_234_567),
                                   payloadJSON: payload)
            canonical.removeAll(keepingCapacity: true)
            canonical += prev.bytes
            ChainFormatV1.appendCanonicalBytes(of: event, to: &canonical)
            let hash = hasher.hash(canonical)
            // The COPY row: the same fields, but payload before occurred_at, then prev_hash and hash.
            appendInt16(10, &buffer)
            appendField(org, &buffer)
            appendInt32(8, &buffer)
            appendInt64(seq, &buffer)
            appendText(eventType, &buffer)
            appendText(aggregateType, &buffer)
            appendField(aggregate, &buffer)
            if let actor { appendField(actor, &buffer) } else { appendInt32(-1, &buffer) }
            appendInt32(Int32(payload.utf8.count + 1), &buffer)
            buffer.append(1)
            buffer += payload.utf8
            appendInt32(8, &buffer)
            appendInt64(event.occurredAt.microsecondsSince2000, &buffer)
            appendInt32(32, &buffer)
            buffer += prev.bytes
            appendInt32(32, &buffer)
            buffer += hash.bytes
            prev = hash
            if buffer.count >= 1 << 20 {
                try out.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        appendInt16(-1, &buffer)
        try out.write(contentsOf: buffer)
    }

    private func uuid(_ rng: inout SplitMix64) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        let a = rng.next(), b = rng.next()
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: a >> (8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: b >> (8 * i))
        }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        return bytes.withUnsafeBytes { UUID(bytes: $0)! }
    }

    private func appendInt16(_ v: Int16, _ out: inout [UInt8]) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }
    private func appendInt32(_ v: Int32, _ out: inout [UInt8]) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }
    private func appendInt64(_ v: Int64, _ out: inout [UInt8]) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }

    private func appendField(_ uuid: UUID, _ out: inout [UInt8]) {
        appendInt32(16, &out)
        uuid.withUnsafeBytes { out += $0 }
    }

    private func appendText(_ text: String, _ out: inout [UInt8]) {
        appendInt32(Int32(text.utf8.count), &out)
        out += text.utf8
    }
}
