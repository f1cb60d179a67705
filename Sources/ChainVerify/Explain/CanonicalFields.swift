import EventModel
import Foundation

/// Splits canonical bytes into chain format v1's length-prefixed fields and renders each value for people.
enum CanonicalFields {
    /// Parses `bytes` as the eight canonical fields, as far as they go; bytes that do not parse (a short
    /// length word, a length past the end, bytes after the eighth field) are one `unparsed` field.
    static func parse(_ bytes: [UInt8]) -> [EventExplanation.Field] {
        var fields: [EventExplanation.Field] = []
        var offset = 0
        for name in ChainFormatV1.hashedColumns {
            guard offset + 4 <= bytes.count else { break }
            let length = Int32(
                bitPattern: UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
                    | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
            let size = max(0, Int(length))
            guard length >= -1, offset + 4 + size <= bytes.count else { break }
            let value = Array(bytes[(offset + 4)..<(offset + 4 + size)])
            fields.append(
                .init(
                    name: name, offset: offset, length: length, bytes: value,
                    value: length < 0 ? "NULL" : render(name, value)))
            offset += 4 + size
        }
        if offset < bytes.count {
            fields.append(
                .init(
                    name: "unparsed", offset: offset, length: Int32(bytes.count - offset),
                    bytes: Array(bytes[offset...]), value: "\(bytes.count - offset) bytes that are not a field"))
        }
        return fields
    }

    /// A field's value for people.
    static func render(_ name: String, _ bytes: [UInt8]) -> String {
        switch name {
        case "org_id", "aggregate_id", "actor_id":
            guard bytes.count == 16 else { return "\(bytes.count) bytes (a uuid has 16)" }
            return bytes.withUnsafeBytes { UUID(bytes: $0)?.lowercased ?? "?" }
        case "seq":
            guard bytes.count == 8 else { return "\(bytes.count) bytes (a bigint has 8)" }
            return String(Int64(bitPattern: bigEndian(bytes)))
        case "occurred_at":
            guard bytes.count == 8 else { return "\(bytes.count) bytes (a timestamptz has 8)" }
            let micros = Int64(bitPattern: bigEndian(bytes))
            return "\(PostgresTimestamp(microsecondsSince2000: micros).iso8601) (\(micros) µs since 2000-01-01)"
        case "payload":
            guard bytes.first == ChainFormatV1.jsonbVersion else {
                return "not jsonb version 1: " + quoted(bytes)
            }
            return "jsonb v1 " + quoted(Array(bytes.dropFirst()))
        default:
            return quoted(bytes)
        }
    }

    /// The field that holds byte `offset`, and where in it.
    static func locate(_ offset: Int, in fields: [EventExplanation.Field]) -> (field: String, within: String)? {
        for field in fields {
            let end = field.offset + (field.name == "unparsed" ? field.bytes.count : 4 + field.bytes.count)
            guard offset >= field.offset, offset < end else { continue }
            if field.name == "unparsed" { return (field.name, "byte \(offset - field.offset)") }
            if offset < field.offset + 4 { return (field.name, "its length word") }
            return (field.name, "byte \(offset - field.offset - 4) of its value")
        }
        return nil
    }

    private static func bigEndian(_ bytes: [UInt8]) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// UTF-8 text quoted and escaped, cut at 120 characters.
    private static func quoted(_ bytes: [UInt8]) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { return "\(bytes.count) bytes, not UTF-8" }
        let cut = text.count > 120 ? String(text.prefix(120)) + "…" : text
        return "\"" + DisplayText.escaped(cut, quote: "\"") + "\"" + (text.count > 120 ? " (\(bytes.count) bytes)" : "")
    }
}
