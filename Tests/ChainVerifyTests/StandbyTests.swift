import ChainVerify
import EventModel
import Foundation
import Testing

/// Verification on a streaming hot standby: the way to take the load off the primary.
@Suite("Hot standby", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct StandbyTests {
    static func load(_ cluster: OwnCluster, slug: String, events: Int) throws {
        let c = try Connection(TestEnvironment.spec(cluster.dsn))
        defer { c.close() }
        try c.query("INSERT INTO public.orgs (slug, name) VALUES ($1, $1)", [slug])
        try c.query("""
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at)
            SELECT (SELECT id FROM public.orgs WHERE slug = $1), 'x', 'y', gen_random_uuid(),
                   jsonb_build_object('t', repeat('x', 400)), now()
            FROM generate_series(1, $2::int)
            """, [slug, String(events)])
    }

    /// Waits until the replica has replayed everything the primary has written.
    static func catchUp(_ replica: OwnCluster, with primary: OwnCluster) throws {
        let p = try Connection(TestEnvironment.spec(primary.dsn))
        defer { p.close() }
        let target = try #require(try p.execute("SELECT pg_current_wal_lsn()::text").value(0, 0))
        let r = try Connection(TestEnvironment.spec(replica.dsn))
        defer { r.close() }
        for _ in 0..<600 {
            if try r.query("SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", [target]).value(0, 0) == "t" { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw TestSetupError("the replica did not catch up")
    }

    @Test func verifyingOnAReplicaReportsItsRecoveryAndReplayPosition() throws {
        let primary = try OwnCluster()
        try Self.load(primary, slug: "big", events: 60_000)
        let replica = try OwnCluster(replicaOf: primary)
        try Self.catchUp(replica, with: primary)
        for jobs in ["1", "2"] {
            let r = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", replica.auditorDSN, "--format", "json",
                                                  "--jobs", jobs])
            #expect(r.exitCode == 0, "jobs \(jobs): \(r.allOutput)")
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let database = try #require(doc["database"] as? [String: Any])
            #expect(database["in_recovery"] as? Bool == true)
            #expect((database["replay_lsn"] as? String)?.contains("/") == true)
            #expect(((doc["orgs"] as? [[String: Any]])?.first?["events_verified"] as? Int) == 60_000)
        }
        let onPrimary = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", primary.auditorDSN, "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(onPrimary.stdout.utf8)) as? [String: Any])
        #expect((doc["database"] as? [String: Any])?["in_recovery"] as? Bool == false)
    }

    @Test func aRecoveryConflictOnTheReplicaIsResumed() throws {
        let primary = try OwnCluster()
        try Self.load(primary, slug: "big", events: 300_000)
        try Self.load(primary, slug: "doomed", events: 5_000)
        let replica = try OwnCluster(replicaOf: primary, settings: ["max_standby_streaming_delay=0",
                                                                    "hot_standby_feedback=off"])
        try Self.catchUp(replica, with: primary)
        let run = try BackgroundRun(["verify", "--org", "big", "--db", replica.auditorDSN, "--format", "json",
                                     "--retries", "5", "--retry-delay", "0.1"])
        _ = try #require(try ServerActivity.waitForCopy(adminDSN: replica.dsn, user: "chain_auditor", database: "postgres"))
        // On the primary, dead rows and a VACUUM that removes them: replaying that on the replica conflicts with
        // the snapshot the COPY reads, and the replica cancels it at once.
        let p = try Connection(TestEnvironment.spec(primary.dsn))
        try p.execute("""
            SET session_replication_role = replica;
            DELETE FROM events.domain_events WHERE org_id = (SELECT id FROM public.orgs WHERE slug = 'doomed')
            """)
        try p.execute("VACUUM events.domain_events")
        p.close()
        let r = run.wait()
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let org = try #require(((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["orgs"]
            as? [[String: Any]])?.first)
        #expect(org["events_verified"] as? Int == 300_000)
        #expect(org["resumed"] as? Int ?? 0 >= 1, "the conflict cancelled the COPY: \(r.stdout.prefix(1500))")
    }
}
