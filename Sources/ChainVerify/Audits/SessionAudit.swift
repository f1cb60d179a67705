import EventModel
import Foundation

/// The sessions check of one org: agents.sessions against the session and login events in the org's chain.
///
/// In one read-only snapshot, per org:
/// - every session with ended_at has a `session.started` and a `session.ended` event, the start first, and
///   started_at <= ended_at (`session_start_missing`, `session_end_missing`, `session_events_out_of_order`,
///   `session_times_inverted`);
/// - a `session.ended` event for a session without ended_at is an error (`session_end_unrecorded`);
/// - a session open longer than the maximum age is a warning (`session_open_too_long`), as are repeated
///   start or end events (`session_event_repeated`) and session events for a session the org does not hold
///   (`session_unknown`);
/// - every user who has sessions has a `user.logged_in` event (`login_missing`);
/// - optionally, a login and a closed session within a recent window (`activity_missing`).
struct SessionAudit {
    let connection: Connection
    let mapping: SchemaMapping
    let maxFindings: Int
    let maxSessionAge: TimeSpan?
    let expectActivityWithin: TimeSpan?

    func run(_ org: OrgIdentity) -> CheckReport {
        let started = DispatchTime.now()
        var log = FindingLog(limit: maxFindings)
        var stats: [CheckReport.Stat] = []
        var failure: String?
        do {
            try ReadOnlySession.run(on: connection) {
                stats = try checkSessions(org, into: &log)
                stats += try checkLogins(org, into: &log)
                if let window = expectActivityWithin { try checkActivity(org, within: window, into: &log) }
            }
        } catch {
            failure = String(describing: error)
        }
        return CheckReport(
            check: .sessions, log: log, error: failure, durationSeconds: Self.seconds(since: started),
            stats: stats)
    }

    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    private func checkSessions(_ org: OrgIdentity, into log: inout FindingLog) throws -> [CheckReport.Stat] {
        let e = mapping.events
        let s = mapping.sessions
        let sql = """
            WITH ev AS (
                SELECT \(e.column("aggregate_id", alias: "e")) AS session_id,
                       count(*) FILTER (WHERE \(e.column("event_type", alias: "e")) = $2) AS starts,
                       min(\(e.column("seq", alias: "e"))) FILTER (WHERE \(e.column("event_type", alias: "e")) = $2)
                           AS first_start,
                       count(*) FILTER (WHERE \(e.column("event_type", alias: "e")) = $3) AS ends,
                       min(\(e.column("seq", alias: "e"))) FILTER (WHERE \(e.column("event_type", alias: "e")) = $3)
                           AS first_end
                FROM \(e.name.quoted) e
                WHERE \(e.column("org_id", alias: "e")) = $1::uuid AND \(e.column("aggregate_type", alias: "e")) = $4
                  AND \(e.column("event_type", alias: "e")) IN ($2, $3)
                GROUP BY 1),
            se AS (
                SELECT \(s.column("id", alias: "s")) AS id, \(s.column("started_at", alias: "s")) AS started_at,
                       \(s.column("ended_at", alias: "s")) AS ended_at
                FROM \(s.name.quoted) s WHERE \(s.column("org_id", alias: "s")) = $1::uuid)
            SELECT COALESCE(se.id, ev.session_id)::text, se.id IS NOT NULL, se.started_at::text, se.ended_at::text,
                   se.started_at > se.ended_at,
                   se.ended_at IS NULL AND $5::float8 > 0 AND se.started_at < now() - make_interval(secs => $5::float8),
                   COALESCE(ev.starts, 0), ev.first_start, COALESCE(ev.ends, 0), ev.first_end,
                   floor(extract(epoch FROM now() - se.started_at))::bigint
            FROM se FULL JOIN ev ON ev.session_id = se.id
            ORDER BY se.started_at NULLS LAST, 1
            """
        let types = mapping.eventTypes
        let result = try connection.query(
            sql,
            [
                org.id.lowercased, types.sessionStarted, types.sessionEnded, mapping.aggregateTypes.session,
                String(maxSessionAge?.seconds ?? 0),
            ])
        let sessionsTable = s.name.description
        let endedColumn = "\(sessionsTable).\(s["ended_at"].name)"
        var sessions: Int64 = 0
        var closed: Int64 = 0
        for row in 0..<result.rowCount {
            let id = result.value(row, 0) ?? "NULL"
            let known = result.value(row, 1) == "t"
            let startedAt = result.value(row, 2) ?? "NULL"
            let endedAt = result.value(row, 3)
            let starts = Int(result.value(row, 6) ?? "0") ?? 0
            let firstStart = result.value(row, 7).flatMap { Int64($0) }
            let ends = Int(result.value(row, 8) ?? "0") ?? 0
            let firstEnd = result.value(row, 9).flatMap { Int64($0) }
            guard known else {
                let seq = [firstStart, firstEnd].compactMap { $0 }.min()
                log.record(
                    .sessionUnknown, target: id, seq: seq,
                    "\(starts + ends) \(types.sessionStarted)/\(types.sessionEnded) event(s) from seq "
                        + "\(seq.map(String.init) ?? "?") name session \(id), which \(sessionsTable) does not "
                        + "hold for this org")
                continue
            }
            sessions += 1
            if let endedAt {
                closed += 1
                if starts == 0 {
                    log.record(
                        .sessionStartMissing, target: id,
                        "session \(id) ended at \(endedAt) but the org's chain has no \(types.sessionStarted) "
                            + "event for it")
                }
                if ends == 0 {
                    log.record(
                        .sessionEndMissing, target: id,
                        "session \(id) ended at \(endedAt) (\(endedColumn)) but the org's chain has no "
                            + "\(types.sessionEnded) event for it")
                }
                if let firstStart, let firstEnd, firstEnd < firstStart {
                    log.record(
                        .sessionEventsOutOfOrder, target: id, seq: firstEnd,
                        "session \(id): \(types.sessionEnded) at seq \(firstEnd) comes before "
                            + "\(types.sessionStarted) at seq \(firstStart)")
                }
                if result.value(row, 4) == "t" {
                    log.record(
                        .sessionTimesInverted, target: id,
                        "session \(id) started at \(startedAt), after its ended_at \(endedAt)")
                }
            } else {
                if ends > 0, let firstEnd {
                    log.record(
                        .sessionEndUnrecorded, target: id, seq: firstEnd,
                        "session \(id) has a \(types.sessionEnded) event at seq \(firstEnd) but \(endedColumn) "
                            + "is NULL")
                }
                if result.value(row, 5) == "t", let limit = maxSessionAge {
                    let age = TimeSpan(seconds: Double(result.value(row, 10).flatMap { Int64($0) } ?? 0))
                    log.record(
                        .sessionOpenTooLong, target: id,
                        "session \(id) has been open since \(startedAt) (\(Self.roughly(age))), longer than "
                            + "--max-session-age \(limit)")
                }
            }
            if starts > 1 || ends > 1 {
                let what = [
                    starts > 1 ? "\(starts) \(types.sessionStarted)" : nil,
                    ends > 1 ? "\(ends) \(types.sessionEnded)" : nil,
                ].compactMap { $0 }
                log.record(
                    .sessionEventRepeated, target: id,
                    "session \(id) has \(what.joined(separator: " and ")) events")
            }
        }
        return [
            .init("sessions", sessions), .init("sessions_closed", closed), .init("sessions_open", sessions - closed),
        ]
    }

    private func checkLogins(_ org: OrgIdentity, into log: inout FindingLog) throws -> [CheckReport.Stat] {
        let e = mapping.events
        let s = mapping.sessions
        let sql = """
            SELECT u.user_id::text, u.sessions FROM (
                SELECT \(s.column("user_id", alias: "s")) AS user_id, count(*) AS sessions FROM \(s.name.quoted) s
                WHERE \(s.column("org_id", alias: "s")) = $1::uuid AND \(s.column("user_id", alias: "s")) IS NOT NULL
                GROUP BY 1) u
            WHERE NOT EXISTS (
                SELECT 1 FROM \(e.name.quoted) e
                WHERE \(e.column("org_id", alias: "e")) = $1::uuid AND \(e.column("event_type", alias: "e")) = $2
                  AND \(e.column("aggregate_type", alias: "e")) = $3
                      AND \(e.column("aggregate_id", alias: "e")) = u.user_id)
            ORDER BY 1
            """
        let result = try connection.query(
            sql, [org.id.lowercased, mapping.eventTypes.login, mapping.aggregateTypes.user])
        for row in 0..<result.rowCount {
            let user = result.value(row, 0) ?? "NULL"
            let count = result.value(row, 1) ?? "?"
            log.record(
                .loginMissing, target: user,
                "user \(user) has \(count) session(s) but no \(mapping.eventTypes.login) event in the org's chain")
        }
        let users = try connection.query(
            "SELECT count(DISTINCT \(s.column("user_id"))) FROM \(s.name.quoted) "
                + "WHERE \(s.column("org_id")) = $1::uuid",
            [org.id.lowercased])
        return [.init("users_with_sessions", users.rowCount > 0 ? Int64(users.value(0, 0) ?? "0") ?? 0 : 0)]
    }

    private func checkActivity(_ org: OrgIdentity, within window: TimeSpan, into log: inout FindingLog) throws {
        let e = mapping.events
        let sql = """
            SELECT EXISTS (SELECT 1 FROM \(e.name.quoted) e WHERE \(e.column("org_id", alias: "e")) = $1::uuid
                             AND \(e.column("event_type", alias: "e")) = $2
                                 AND \(e.column("aggregate_type", alias: "e")) = $3
                             AND \(e.column("occurred_at", alias: "e")) >= now() - make_interval(secs => $6::float8)),
                   EXISTS (SELECT 1 FROM \(e.name.quoted) e WHERE \(e.column("org_id", alias: "e")) = $1::uuid
                             AND \(e.column("event_type", alias: "e")) = $4
                                 AND \(e.column("aggregate_type", alias: "e")) = $5
                             AND \(e.column("occurred_at", alias: "e")) >= now() - make_interval(secs => $6::float8)),
                   (now() - make_interval(secs => $6::float8))::text
            """
        let types = mapping.eventTypes
        let result = try connection.query(
            sql,
            [
                org.id.lowercased, types.login, mapping.aggregateTypes.user, types.sessionEnded,
                mapping.aggregateTypes.session, String(window.seconds),
            ])
        let since = result.value(0, 2) ?? "?"
        if result.value(0, 0) != "t" {
            log.record(
                .activityMissing, target: types.login,
                "no \(types.login) event occurred since \(since) (--expect-activity-within \(window))")
        }
        if result.value(0, 1) != "t" {
            log.record(
                .activityMissing, target: types.sessionEnded,
                "no session closed since \(since): no \(types.sessionEnded) event "
                    + "(--expect-activity-within \(window))")
        }
    }

    /// A rough age for messages: `3d 4h`, `5h 12m`, `7m`.
    static func roughly(_ span: TimeSpan) -> String {
        let s = Int(span.seconds)
        if s >= 86_400 { return "\(s / 86_400)d \(s % 86_400 / 3600)h" }
        if s >= 3600 { return "\(s / 3600)h \(s % 3600 / 60)m" }
        return "\(s / 60)m"
    }
}
