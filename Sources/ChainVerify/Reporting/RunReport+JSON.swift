import EventModel
import Foundation

extension RunReport {
    /// The report as the JSON document docs/report.md describes (`version` 1), with a trailing newline.
    ///
    /// Keys come in a fixed order, and an absent value is `null`, never a missing key.
    public func jsonData() -> Data {
        Data((json().serialized() + "\n").utf8)
    }

    /// The report as a JSON value.
    public func json() -> JSONValue {
        let database: JSONValue = database.map { db in
            .object([
                ("user", .string(db.user)), ("name", .string(db.name)), ("host", .string(db.host)),
                ("port", .string(db.port)), ("server_version", .int(Int64(db.serverVersion))),
            ])
        } ?? .null
        return .object([
            ("version", .int(Int64(ToolInfo.reportVersion))),
            ("tool", .string(ToolInfo.name)),
            ("tool_version", .string(ToolInfo.version)),
            ("chain_format", .int(Int64(ChainFormatV1.version))),
            ("status", .string(status.rawValue)),
            ("started_at", .string(Self.iso8601(startedAt))),
            ("duration_seconds", .double(Self.rounded(durationSeconds))),
            ("database", database),
            ("orgs", .array(orgs.map(Self.json(org:)))),
            ("errors", .array(errors.map { .string($0) })),
        ])
    }

    private static func json(org: OrgReport) -> JSONValue {
        let counts = Finding.Kind.allCases.compactMap { kind in
            org.log.counts[kind].map { (kind.rawValue, JSONValue.int(Int64($0))) }
        }
        return .object([
            ("org_id", .string(org.org.id.lowercased)),
            ("slug", .string(org.org.slug)),
            ("status", .string(org.status.rawValue)),
            ("events_verified", .int(org.eventsVerified)),
            ("head_seq", .int(org.headSeq)),
            ("head_hash", .string(org.headHash?.hex)),
            ("findings", .array(org.findings.map(json(finding:)))),
            ("finding_counts", .object(counts)),
            ("findings_omitted", .int(Int64(org.log.omitted))),
            ("stopped_early", .bool(org.stoppedEarly)),
            ("error", .string(org.error)),
            ("duration_seconds", .double(rounded(org.durationSeconds))),
            ("verified_from_seq", .int(org.verifiedFromSeq)),
            ("checkpoint", org.anchor.map { .object([("seq", .int($0.seq)), ("hash", .string($0.hash.hex))]) } ?? .null),
        ])
    }

    private static func json(finding: Finding) -> JSONValue {
        .object([
            ("kind", .string(finding.kind.rawValue)),
            ("severity", .string(finding.severity.rawValue)),
            ("seq", .int(finding.seq)),
            ("detail", .string(finding.detail)),
        ])
    }

    private static func rounded(_ seconds: Double) -> Double {
        (seconds * 1000).rounded() / 1000
    }

    /// UTC with milliseconds, e.g. `2026-12-03T22:26:28.123Z`.
    private static func iso8601(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return String(PostgresTimestamp(unixMicroseconds: micros).iso8601.prefix(23)) + "Z"
    }
}
