import ChainVerify
import EventModel
import Foundation
import Testing

extension TestDatabase {
    /// The smoke org of samples/smoke.sql.
    static let smoke = OrgIdentity(id: UUID(uuidString: "5e0c0a1d-0000-4000-8000-00000000f020")!, slug: "smoke")

    /// A database with samples/smoke.sql loaded and a second org, acme, with a user, a closed session and its
    /// events, so the cross-org checks and the probe have another org's rows to find.
    static func smokeAndAcme(_ label: String) throws -> (TestDatabase, OrgIdentity) {
        let db = try TestDatabase(label)
        try db.exec(try String(contentsOf: TestEnvironment.file("samples/smoke.sql"), encoding: .utf8))
        let acme = try db.makeOrg("acme", events: 20)
        let user = UUID(), session = UUID()
        try db.query("INSERT INTO public.users (id, org_id, email) VALUES ($1::uuid, $2::uuid, 'a@acme.invalid')",
                     [user.lowercased, acme.id.lowercased])
        try db.addSession(org: acme, user: user, session: session, login: true)
        return (db, acme)
    }

    /// Adds a session of `user` in `org`, through the trigger: optionally a login event, then the session row,
    /// its start and end events and its ended_at, as the app does.
    func addSession(org: OrgIdentity, user: UUID, session: UUID, login: Bool = false, start: Bool = true,
                    end: Bool = true, endedAt: Bool = true, startedAt: String = "2026-05-15 10:00:00+00") throws {
        let o = org.id.lowercased, u = user.lowercased, s = session.lowercased
        if login {
            try event(org, "user.logged_in", "user", user, at: startedAt)
        }
        try query("INSERT INTO agents.sessions (id, org_id, user_id, started_at) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::timestamptz)",
                  [s, o, u, startedAt])
        if start { try event(org, "session.started", "session", session, at: startedAt) }
        if end { try event(org, "session.ended", "session", session, at: startedAt) }
        if endedAt {
            try query("UPDATE agents.sessions SET ended_at = started_at + interval '1 minute' WHERE id = $1::uuid", [s])
        }
    }

    /// Inserts one event through the trigger.
    func event(_ org: OrgIdentity, _ type: String, _ aggregateType: String, _ aggregate: UUID,
               at occurredAt: String = "2026-05-15 10:00:00+00") throws {
        try query(
            """
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at)
            VALUES ($1::uuid, $2, $3, $4::uuid, NULL, '{}', $5::timestamptz)
            """, [org.id.lowercased, type, aggregateType, aggregate.lowercased, occurredAt])
    }

    /// Runs `sql` in one transaction as `role`, with `app.current_org_id` set to `org` (or empty).
    @discardableResult
    func asRole(_ role: String, org: OrgIdentity?, _ sql: String, _ parameters: [String?] = []) throws -> QueryResult {
        let c = try Connection(spec())
        defer { c.close() }
        try c.execute("BEGIN")
        do {
            try c.execute("SET LOCAL ROLE \(role)")
            try c.query("SELECT set_config('app.current_org_id', $1, true)", [org?.id.lowercased ?? ""])
            let result = try c.query(sql, parameters)
            try c.execute("COMMIT")
            return result
        } catch {
            _ = try? c.execute("ROLLBACK")
            throw error
        }
    }

    /// Runs chain-audit against this database as `chain_gate` (least privilege plus the probe's membership).
    func chainAudit(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try CommandRunner.chainAudit(arguments + ["--db", gateDSN], environment: environment)
    }
}
