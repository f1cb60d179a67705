import ChainVerify
import EventModel
import Foundation
import Testing

/// Swift's chain format v1 encoding agrees byte for byte with the schema's SQL function and the pgcrypto
/// trigger, for awkward values and for rows written by sessions with unusual settings.
@Suite("pgcrypto compatibility", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct PgcryptoCompatibilityTests {
    /// An event to insert through the trigger, and how its values are written in SQL.
    struct Row {
        var event: ChainEvent
        /// occurred_at as the SQL text to insert.
        var occurredAtSQL: String
    }

    static func ts(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, _ us: Int = 0)
        -> PostgresTimestamp
    {
        PostgresTimestamp(year: y, month: mo, day: d, hour: h, minute: mi, second: s, microsecond: us)!
    }

    static func rows(org: UUID) -> [Row] {
        let user = UUID(uuidString: "0f0e0d0c-0b0a-4908-8706-050403020100")!
        let agg = UUID(uuidString: "ffffffff-0000-4000-8000-123456789abc")!
        let megabyte = String(repeating: "a", count: 1 << 20)
        return [
            Row(event: ChainEvent(orgID: org, seq: 1, eventType: "café.ünïcødé.登录", aggregateType: "日本語",
                                  aggregateID: agg, actorID: user, occurredAt: ts(2026, 5, 15, 9, 0, 0, 123_456),
                                  payloadJSON: #"{"text": "naïve ☃", "emoji": "😀🎉👩‍👩‍👧"}"#),
                occurredAtSQL: "2026-05-15T09:00:00.123456Z"),
            Row(event: ChainEvent(orgID: org, seq: 2, eventType: "", aggregateType: "", aggregateID: agg,
                                  actorID: nil, occurredAt: ts(2026, 5, 15), payloadJSON: #"{"": ""}"#),
                occurredAtSQL: "2026-05-15 00:00:00+00"),
            Row(event: ChainEvent(orgID: org, seq: 3, eventType: "blob.stored", aggregateType: "blob", aggregateID: agg,
                                  actorID: nil, occurredAt: ts(2026, 5, 15, 1), payloadJSON: #"{"blob": "\#(megabyte)"}"#),
                occurredAtSQL: "2026-05-15 01:00:00+00"),
            Row(event: ChainEvent(orgID: org, seq: 4, eventType: "moon.landed", aggregateType: "mission",
                                  aggregateID: agg, actorID: user, occurredAt: ts(1969, 7, 20, 20, 17, 40, 123_456),
                                  payloadJSON: #"{"n": -1.50, "ok": true, "nil": null, "list": [1, 2.0, "x"]}"#),
                occurredAtSQL: "1969-07-20 20:17:40.123456+00"),
            Row(event: ChainEvent(orgID: org, seq: 5, eventType: "far.future", aggregateType: "mission",
                                  aggregateID: agg, actorID: user, occurredAt: ts(2099, 12, 31, 23, 59, 59, 999_999),
                                  payloadJSON: #"{"quote": "say \"hi\"\n\ttab\\", "nested": {"a": {"b": []}}}"#),
                occurredAtSQL: "2099-12-31 23:59:59.999999+00"),
            Row(event: ChainEvent(orgID: org, seq: 6, eventType: "epoch.edge", aggregateType: "time", aggregateID: agg,
                                  actorID: nil, occurredAt: ts(2000, 1, 1, 0, 0, 0, 1), payloadJSON: "[]"),
                occurredAtSQL: "2000-01-01 00:00:00.000001+00"),
            Row(event: ChainEvent(orgID: org, seq: 7, eventType: "ancient", aggregateType: "time", aggregateID: agg,
                                  actorID: nil, occurredAt: ts(1, 1, 1), payloadJSON: "\"just a string\""),
                occurredAtSQL: "0001-01-01 00:00:00+00"),
        ]
    }

    @Test func swiftEncodingMatchesTheSQLFunctionAndTheTrigger() throws {
        let db = try TestDatabase("compat")
        let org = try db.makeOrg("compat")
        let rows = Self.rows(org: org.id)
        for row in rows {
            let e = row.event
            try db.query(
                """
                INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload,
                                                  occurred_at)
                VALUES ($1::uuid, $2, $3, $4::uuid, $5::uuid, $6::jsonb, $7::timestamptz)
                """,
                [org.id.lowercased, e.eventType, e.aggregateType, e.aggregateID.lowercased, e.actorID?.lowercased,
                 e.payloadJSON, row.occurredAtSQL])
        }
        try assertChainMatches(db, org: org, expected: rows.map(\.event))
    }

    @Test func rowsFromSessionsWithUnusualSettingsHashTheSame() throws {
        let db = try TestDatabase("sessions")
        let org = try db.makeOrg("sessions")
        let agg = UUID()
        var expected: [ChainEvent] = []

        // A LATIN1 client: psql sends the byte 0xE9 for é; the server stores UTF-8 and the trigger hashes UTF-8.
        var sql = Data("SET client_encoding = 'LATIN1';\n".utf8)
        sql.append(Data("INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at) VALUES ('\(org.id.lowercased)', 'caf".utf8))
        sql.append(0xE9)
        sql.append(Data("', 'latin1', '\(agg.lowercased)', '{\"name\": \"Ren".utf8))
        sql.append(0xE9)
        sql.append(Data("e\"}', '2026-05-15 09:00:00+00');\n".utf8))
        let psql = try CommandRunner.psql([db.dsn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-f", "-"], stdinData: sql)
        #expect(psql.exitCode == 0, "psql: \(psql.stderr)")
        expected.append(ChainEvent(orgID: org.id, seq: 1, eventType: "café", aggregateType: "latin1", aggregateID: agg,
                                   actorID: nil, occurredAt: Self.ts(2026, 5, 15, 9), payloadJSON: #"{"name": "Renée"}"#))

        // An unusual TimeZone (+05:45) and DateStyle: a zone-less literal means Kathmandu time, the instant
        // is what is stored and hashed.
        let c = try Connection(db.spec())
        defer { c.close() }
        try c.execute("SET TimeZone = 'Asia/Kathmandu'; SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard'")
        try c.execute("SET extra_float_digits = -15; SET search_path = ''; SET standard_conforming_strings = off")
        try c.execute("SET lc_monetary = 'C'; SET bytea_output = 'escape'")
        try c.query(
            """
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at)
            VALUES ($1::uuid, 'tz.test', 'time', $2::uuid, '{"f": 1.10}', '2026-05-15 09:00:00.5')
            """, [org.id.lowercased, agg.lowercased])
        expected.append(ChainEvent(orgID: org.id, seq: 2, eventType: "tz.test", aggregateType: "time", aggregateID: agg,
                                   actorID: nil, occurredAt: Self.ts(2026, 5, 15, 3, 15, 0, 500_000),
                                   payloadJSON: #"{"f": 1.10}"#))

        // Several rows in one transaction, where now() does not move: each still gets its own seq and link.
        try c.execute("BEGIN")
        for i in 0..<3 {
            try c.query(
                """
                INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at)
                VALUES ($1::uuid, 'tx.test', 'time', $2::uuid, pg_catalog.jsonb_build_object('i', $3::int), '2026-01-01 00:00:00+00')
                """, [org.id.lowercased, agg.lowercased, String(i)])
            expected.append(ChainEvent(orgID: org.id, seq: Int64(3 + i), eventType: "tx.test", aggregateType: "time",
                                       aggregateID: agg, actorID: nil, occurredAt: Self.ts(2026, 1, 1),
                                       payloadJSON: #"{"i": \#(i)}"#))
        }
        try c.execute("COMMIT")
        try assertChainMatches(db, org: org, expected: expected)
    }

    /// Checks, row by row: the stored values are the expected ones, Swift's canonical bytes equal
    /// `events.canonical_bytes`, the chain Swift computes equals the trigger's, and `verify` passes.
    func assertChainMatches(_ db: TestDatabase, org: OrgIdentity, expected: [ChainEvent]) throws {
        let hasher = try SHA256Hasher()
        let result = try db.query(
            """
            SELECT seq, encode(events.canonical_bytes(e), 'hex'), encode(prev_hash, 'hex'), encode(hash, 'hex'),
                   payload::text, event_type, encode(public.digest(prev_hash || events.canonical_bytes(e), 'sha256'), 'hex')
            FROM events.domain_events e WHERE org_id = $1::uuid ORDER BY seq
            """, [org.id.lowercased])
        try #require(result.rowCount == expected.count)
        var prev = ChainFormatV1.genesisPrevHash
        for (i, event) in expected.enumerated() {
            #expect(result.value(i, 0) == String(event.seq))
            #expect(result.value(i, 4) == event.payloadJSON, "the test's payload must be in PostgreSQL's jsonb form")
            #expect(result.value(i, 5) == event.eventType)
            let swiftCanonical = ChainFormatV1.canonicalBytes(of: event)
            let sqlCanonical = try #require(result.value(i, 1).flatMap(Hex.decode))
            #expect(swiftCanonical == sqlCanonical, "canonical bytes of seq \(event.seq) differ")
            let swiftHash = hasher.hash(ChainFormatV1.hashInput(prevHash: prev, event: event))
            #expect(result.value(i, 2) == prev.hex, "trigger's prev_hash at seq \(event.seq)")
            #expect(result.value(i, 3) == swiftHash.hex, "trigger's hash at seq \(event.seq)")
            #expect(result.value(i, 6) == swiftHash.hex, "SQL digest at seq \(event.seq)")
            prev = swiftHash
        }
        let report = try db.verify(org)
        #expect(report.status == .ok, "\(report.findingSummary)")
        #expect(report.eventsVerified == Int64(expected.count))
        #expect(report.headHash == prev)
    }
}
