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
                ("in_recovery", db.inRecovery.map { .bool($0) } ?? .null), ("replay_lsn", .string(db.replayLSN)),
                ("encoding", .string(db.encoding)), ("system_identifier", .string(db.systemIdentifier)),
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
            ("orgs", .array(orgs.map(json(org:)))),
            ("errors", .array(errors.map { .string($0) })),
            ("warnings", .array(warnings.map { .string($0) })),
            ("command", .string(command)),
            ("checks", .array(checks.map { .string($0.rawValue) })),
            ("strict", .bool(strict)),
            ("summary", .object([
                ("errors", .int(Int64(openErrorCount))), ("warnings", .int(Int64(openWarningCount))),
                ("accepted", .int(Int64(acceptedCount))),
            ])),
            ("database_checks", .array(databaseChecks.map { check in
                Self.json(check: check, findings: check.log.findings.map { Self.json(finding: $0, org: nil) })
            })),
            ("unused_acceptances", .array(unusedAcceptances.map { .string($0) })),
        ])
    }

    private func json(org: OrgReport) -> JSONValue {
        let checks = org.allChecks(strict: strict)
        var counts: [Finding.Kind: Int] = [:]
        for check in checks {
            for (kind, n) in check.log.counts { counts[kind, default: 0] += n }
        }
        let countMembers = Finding.Kind.allCases.compactMap { kind in
            counts[kind].map { (kind.rawValue, JSONValue.int(Int64($0))) }
        }
        let findings = checks.flatMap { $0.log.findings.map { Self.json(finding: $0, org: org.org) } }
        let errors = checks.compactMap { check in
            check.error.map { check.check == .chain ? $0 : "\(check.check.rawValue): \($0)" }
        }
        return .object([
            ("org_id", .string(org.org.id.lowercased)),
            ("slug", .string(org.org.slug)),
            ("status", .string(org.status.rawValue)),
            ("events_verified", org.chainVerified ? .int(org.eventsVerified) : .null),
            ("head_seq", org.chainVerified ? .int(org.headSeq) : .null),
            ("head_hash", .string(org.chainVerified ? org.headHash?.hex : nil)),
            ("findings", .array(findings)),
            ("finding_counts", .object(countMembers)),
            ("findings_omitted", .int(Int64(checks.reduce(0) { $0 + $1.log.omitted }))),
            ("stopped_early", .bool(org.stoppedEarly)),
            ("error", .string(errors.isEmpty ? nil : errors.joined(separator: "; "))),
            ("duration_seconds", .double(Self.rounded(checks.reduce(0) { $0 + $1.durationSeconds }))),
            ("checks", .array(checks.map { Self.json(check: $0, findings: nil) })),
            ("verified_from_seq", org.chainVerified ? .int(org.verifiedFromSeq) : .null),
            ("resumed", .int(Int64(org.resumes))),
            ("checkpoint", org.anchor.map { .object([("seq", .int($0.seq)), ("hash", .string($0.hash.hex))]) } ?? .null),
        ])
    }

    /// A check's summary; `findings` lists them where they are not listed elsewhere (database checks).
    private static func json(check: CheckReport, findings: [JSONValue]?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("check", .string(check.check.rawValue)),
            ("status", .string(check.status.rawValue)),
            ("errors", .int(Int64(check.log.openErrorCount))),
            ("warnings", .int(Int64(check.log.openWarningCount))),
            ("accepted", .int(Int64(check.log.acceptedCount))),
            ("error", .string(check.error)),
            ("duration_seconds", .double(rounded(check.durationSeconds))),
            ("stats", .object(check.stats.map { ($0.name, .int($0.value)) })),
        ]
        if let findings {
            members.append(("findings", .array(findings)))
            members.append(("findings_omitted", .int(Int64(check.log.omitted))))
        }
        return .object(members)
    }

    private static func json(finding: Finding, org: OrgIdentity?) -> JSONValue {
        .object([
            ("kind", .string(finding.kind.rawValue)),
            ("severity", .string(finding.severity.rawValue)),
            ("seq", .int(finding.seq)),
            ("detail", .string(finding.detail)),
            ("code", .string(finding.code)),
            ("check", .string(finding.kind.check.rawValue)),
            ("org", .string(org?.slug)),
            ("target", .string(finding.place)),
            ("accepted", .bool(finding.accepted)),
            ("remediation", .string(finding.kind.remediation)),
        ])
    }

    static func rounded(_ seconds: Double) -> Double {
        (seconds * 1000).rounded() / 1000
    }

    /// UTC with milliseconds, e.g. `2026-12-03T22:26:28.123Z`.
    static func iso8601(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return String(PostgresTimestamp(unixMicroseconds: micros).iso8601.prefix(23)) + "Z"
    }
}
