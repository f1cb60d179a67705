import ChainVerify
import EventModel
import Foundation
import Testing

/// `chain-audit watch`, the auditor's loop.
@Suite("watch", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct WatchTests {
    static func keyPair(in dir: String) throws -> String {
        let r = try CommandRunner.chainAudit(["keygen", "--out", "\(dir)/k"])
        guard r.exitCode == 0 else { throw TestSetupError(r.allOutput) }
        return "\(dir)/k"
    }

    static func tempDir() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func checkpointAndWatchWarnOnceAboutARoleThatCouldWrite() throws {
        let db = try TestDatabase("watch_warn")
        try db.makeOrg("watched", events: 10)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Self.keyPair(in: dir)
        let warning = "warning: role 'postgres' can write the audited tables (superuser)"
        let checkpoint = try CommandRunner.chainAudit(["checkpoint", "--all-orgs", "--db", db.dsn, "--key", key,
                                                       "--out", "\(dir)/cp"])
        #expect(checkpoint.exitCode == 0, "\(checkpoint.allOutput)")
        #expect(checkpoint.stderr.contains("chain-audit: \(warning)"), "\(checkpoint.stderr)")
        let watch = try CommandRunner.chainAudit(["watch", "--all-orgs", "--db", db.dsn, "--checkpoints", "\(dir)/store",
                                                  "--key", key, "--rounds", "3", "--interval", "1s"])
        #expect(watch.exitCode == 0, "\(watch.allOutput)")
        #expect(watch.stdout.contains("round 3 at "), "\(watch.stdout)")
        #expect(watch.stderr.components(separatedBy: warning).count == 2, "said once in 3 rounds: \(watch.stderr)")
        let auditor = try CommandRunner.chainAudit(["watch", "--all-orgs", "--db", db.auditorDSN, "--checkpoints",
                                                    "\(dir)/store", "--key", key, "--rounds", "1", "--interval", "1s"])
        #expect(auditor.exitCode == 0, "\(auditor.allOutput)")
        #expect(auditor.stderr.isEmpty, "\(auditor.stderr)")
    }

    @Test func roundsAdvanceCheckpointsAndTheRescanFindsOldTamperingTheIncrementalCheckCannot() throws {
        let db = try TestDatabase("watch")
        let org = try db.makeOrg("watched", events: 100)
        try db.makeOrg("second", events: 10)
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Self.keyPair(in: dir)
        func round(_ extra: [String] = []) throws -> CommandResult {
            try CommandRunner.chainAudit(["watch", "--all-orgs", "--db", db.auditorDSN, "--checkpoints", "\(dir)/store", "--key",
                                          key, "--rounds", "1", "--interval", "1s"] + extra)
        }
        let first = try round()
        #expect(first.exitCode == 0, "\(first.allOutput)")
        #expect(first.stdout.contains("round 1 at "))
        #expect(first.stdout.contains(": ok: 2 org(s), 110 events read, 0 finding(s), 2 checkpoint(s) advanced"), "\(first.stdout)")

        try db.insertEvents(org.id, count: 10)
        let second = try round()
        #expect(second.exitCode == 0)
        #expect(second.stdout.contains("ok: 2 org(s), 12 events read, 0 finding(s), 1 checkpoint(s) advanced, 1 unchanged"),
                "\(second.stdout)")

        // Tamper with an old event's content only: incremental rounds cannot see it ...
        try db.tamper("UPDATE events.domain_events SET payload = '{}' WHERE org_id = '\(org.id.lowercased)' AND seq = 70")
        let blind = try round()
        #expect(blind.exitCode == 0, "only new events and the checkpoint row are read: \(blind.allOutput)")
        // ... and a rescan of a quarter of history per round finds it within ceil(1/0.25) = 4 rounds.
        var caught = false
        for _ in 0..<5 where !caught {
            let r = try round(["--rescan-fraction", "0.25"])
            if r.exitCode == 1 {
                caught = true
                #expect(r.stderr.contains("org watched: content_mismatch at seq 70"), "\(r.stderr)")
            } else {
                #expect(r.exitCode == 0, "\(r.allOutput)")
            }
        }
        #expect(caught, "the rescan found the change to seq 70")
    }

    @Test func watchSurvivesADatabaseRestartBetweenRoundsAndStopsCleanlyOnSIGTERM() throws {
        let cluster = try OwnCluster()
        let c = try Connection(TestEnvironment.spec(cluster.dsn))
        try c.execute("INSERT INTO public.orgs (slug, name) VALUES ('busy', 'busy')")
        try c.execute("""
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, occurred_at)
            SELECT (SELECT id FROM public.orgs WHERE slug = 'busy'), 'x', 'y', gen_random_uuid(), now()
            FROM generate_series(1, 50)
            """)
        c.close()
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try Self.keyPair(in: dir)
        let out = "\(dir)/out", err = "\(dir)/err"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try CommandRunner.chainAuditPath())
        process.arguments = ["watch", "--all-orgs", "--db", cluster.dsn, "--checkpoints", "\(dir)/store", "--key", key,
                             "--interval", "1s", "--rescan-fraction", "0.5", "--metrics-file", "\(dir)/watch.prom"]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        func rounds() -> [String] {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
                .filter { $0.hasPrefix("round ") }
        }
        func wait(for n: Int, seconds: Double = 30) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                if rounds().count >= n { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
        #expect(wait(for: 1), "first round")
        // A second watch on the same store is refused while this one runs.
        let second = try CommandRunner.chainAudit(["watch", "--all-orgs", "--db", cluster.dsn, "--checkpoints",
                                                   "\(dir)/store", "--key", key, "--rounds", "1"])
        #expect(second.exitCode == 2)
        #expect(second.stderr.contains("in use by another chain-audit run"))

        try cluster.restart()
        let seen = rounds().count
        #expect(wait(for: seen + 3), "rounds go on after the restart: \(rounds())")
        let lines = rounds()
        #expect(lines.last?.contains(": ok: 1 org(s)") == true, "\(lines)")
        // The metrics file is rewritten every round and says the org passed.
        let metrics = try String(contentsOfFile: "\(dir)/watch.prom", encoding: .utf8)
        #expect(metrics.contains("chain_audit_last_success_timestamp_seconds{org=\"busy\""), "\(metrics)")
        #expect(metrics.contains("chain_audit_events_verified{org=\"busy\""))

        let stopAsked = Date()
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(stopAsked) < 2.5, "stops promptly")
        #expect(process.terminationStatus == 0)
        #expect(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("watch: stopped by SIGTERM"))
        // The checkpoint is intact and verifies.
        let verify = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", cluster.dsn, "--checkpoint",
                                                   "\(dir)/store", "--pubkey", "\(key).pub"])
        #expect(verify.exitCode == 0, "\(verify.allOutput)")
    }

    @Test(arguments: [
        (["--all-orgs", "--key", "k"], "--checkpoints DIR is required"),
        (["--all-orgs", "--checkpoints", "d"], "--key KEY is required"),
        (["--all-orgs", "--checkpoints", "d", "--key", "k", "--interval", "0s"], "--interval needs a duration"),
        (["--all-orgs", "--checkpoints", "d", "--key", "k", "--rescan-fraction", "1.5"], "--rescan-fraction needs"),
        (["--all-orgs", "--checkpoints", "d", "--key", "k", "--rounds", "0"], "--rounds needs"),
    ])
    func badWatchOptionsAreUsageErrors(_ arguments: [String], _ message: String) throws {
        let r = try CommandRunner.chainAudit(["watch"] + arguments)
        #expect(r.exitCode == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}
