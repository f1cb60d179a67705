import ChainVerify
import EventModel
import Foundation
import Testing

/// Faults during a run: it resumes after the last verified row, says so, and never exits 0 on less.
@Suite("Faults", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct FaultTests {
    static let events = 300_000

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
    }

    static func firstOrg(_ text: String) -> [String: Any] {
        (json(text)["orgs"] as? [[String: Any]])?.first ?? [:]
    }

    @Test func aTerminatedBackendIsResumedAfterTheLastVerifiedRow() throws {
        let db = try TestDatabase("terminate")
        try db.makeOrg("big", events: Self.events, payloadBytes: 400)
        let run = try BackgroundRun(["verify", "--org", "big", "--db", db.auditorDSN, "--format", "json",
                                     "--retry-delay", "0.1"])
        let pid = try #require(try ServerActivity.waitForCopy(adminDSN: db.dsn, user: "chain_auditor", database: db.name))
        try db.query("SELECT pg_terminate_backend($1::int)", [String(pid)])
        let r = run.wait()
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let org = Self.firstOrg(r.stdout)
        #expect(org["resumed"] as? Int ?? 0 >= 1, "\(r.stdout.prefix(2000))")
        #expect(org["events_verified"] as? Int == Self.events)
        #expect(org["status"] as? String == "ok")
    }

    @Test func aStatementTimeoutIsResumedOrGivenUpOnButNeverAPass() throws {
        let db = try TestDatabase("timeout")
        try db.makeOrg("big", events: Self.events, payloadBytes: 400)
        let dsn = db.auditorDSN + " options='-c statement_timeout=150'"
        let givesUp = try CommandRunner.chainAudit(["verify", "--org", "big", "--db", dsn, "--format", "json",
                                                    "--retries", "1", "--retry-delay", "0"])
        #expect(givesUp.exitCode == 2, "\(givesUp.allOutput)")
        #expect(givesUp.stderr.contains("canceling statement due to statement timeout"), "\(givesUp.stderr)")
        #expect(givesUp.stderr.contains("gave up after 1 retry"))
        #expect(Self.json(givesUp.stdout)["status"] as? String == "incomplete")
        #expect((Self.firstOrg(givesUp.stdout)["events_verified"] as? Int ?? 0) < Self.events)

        // With retries enough, each attempt carries on where the last stopped, and the whole chain is verified.
        let resumes = try CommandRunner.chainAudit(["verify", "--org", "big", "--db", dsn, "--format", "json",
                                                    "--retries", "100", "--retry-delay", "0"])
        #expect(resumes.exitCode == 0, "\(resumes.allOutput)")
        let org = Self.firstOrg(resumes.stdout)
        #expect(org["events_verified"] as? Int == Self.events)
        #expect(org["resumed"] as? Int ?? 0 >= 1)
    }

    @Test func aServerRestartMidRunIsSurvived() throws {
        let cluster = try OwnCluster()
        let c = try Connection(TestEnvironment.spec(cluster.dsn))
        try c.execute("INSERT INTO public.orgs (slug, name) VALUES ('big', 'big')")
        try c.execute("""
            INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, payload, occurred_at)
            SELECT (SELECT id FROM public.orgs), 'x', 'y', gen_random_uuid(), jsonb_build_object('t', repeat('x', 400)), now()
            FROM generate_series(1, \(Self.events))
            """)
        c.close()
        let run = try BackgroundRun(["verify", "--org", "big", "--db", cluster.auditorDSN, "--format", "json",
                                     "--retries", "6", "--retry-delay", "0.5"])
        _ = try #require(try ServerActivity.waitForCopy(adminDSN: cluster.dsn, user: "chain_auditor", database: "postgres"))
        try cluster.restart()
        let r = run.wait()
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let org = Self.firstOrg(r.stdout)
        #expect(org["resumed"] as? Int ?? 0 >= 1)
        #expect(org["events_verified"] as? Int == Self.events)
    }

    @Test func aCutSocketIsResumedAndAConnectionCutEveryTimeIsGivenUpOn() throws {
        let db = try TestDatabase("cut")
        try db.makeOrg("big", events: Self.events, payloadBytes: 400)
        let tcp = try TestEnvironment.tcpDSN()  // postgresql://postgres:PASSWORD@127.0.0.1:PORT/postgres
        let port = try #require(tcp.split(separator: ":").last?.split(separator: "/").first.map(String.init))
        for (cutConnections, retries, expected) in [(1, "3", Int32(0)), (0, "2", Int32(2))] {
            let portFile = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-\(UUID().uuidString)").path
            let proxy = Process()
            proxy.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            proxy.arguments = [TestEnvironment.file("scripts/lib/tcp-proxy").path, portFile, port,
                               String(20 << 20), String(cutConnections)]
            proxy.standardOutput = FileHandle.nullDevice
            proxy.standardError = FileHandle.nullDevice
            try proxy.run()
            defer { kill(proxy.processIdentifier, SIGKILL) }
            var proxyPort: String?
            for _ in 0..<200 where proxyPort == nil {
                proxyPort = try? String(contentsOfFile: portFile, encoding: .utf8)
                Thread.sleep(forTimeInterval: 0.02)
            }
            let through = tcp.replacingOccurrences(of: ":\(port)/postgres", with: ":\(try #require(proxyPort))/\(db.name)")
            let r = try CommandRunner.chainAudit(["verify", "--org", "big", "--db", through, "--format", "json",
                                                  "--retries", retries, "--retry-delay", "0.05"])
            #expect(r.exitCode == expected, "cut \(cutConnections): \(r.allOutput)")
            let org = Self.firstOrg(r.stdout)
            if expected == 0 {
                #expect(org["resumed"] as? Int == 1)
                #expect(org["events_verified"] as? Int == Self.events)
            } else {
                #expect(r.stderr.contains("gave up after 2 retries"), "\(r.stderr)")
                #expect(Self.json(r.stdout)["status"] as? String == "incomplete")
            }
        }
    }

    @Test func sigtermStopsWithinASecondClosesItsConnectionsAndMarksTheRunIncomplete() throws {
        let db = try TestDatabase("sigterm")
        try db.makeOrg("big", events: Self.events, payloadBytes: 400)
        let run = try BackgroundRun(["verify", "--org", "big", "--db", db.auditorDSN, "--format", "json"])
        _ = try #require(try ServerActivity.waitForCopy(adminDSN: db.dsn, user: "chain_auditor", database: db.name))
        let asked = Date()
        run.signal(SIGTERM)
        let r = run.wait()
        #expect(Date().timeIntervalSince(asked) < 1.0, "stopped in \(Date().timeIntervalSince(asked)) s")
        #expect(r.exitCode == 2)
        let doc = Self.json(r.stdout)
        #expect(doc["status"] as? String == "incomplete", "\(r.allOutput.prefix(1000))")
        #expect((Self.firstOrg(r.stdout)["error"] as? String)?.contains("interrupted by SIGTERM") == true)
        #expect(r.stderr.contains("interrupted by SIGTERM"))
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try ServerActivity.backends(adminDSN: db.dsn, user: "chain_auditor", database: db.name) == 0)
    }

    @Test func sigintDuringACheckLeavesTheOutputFileWholeOrAbsent() throws {
        let db = try TestDatabase("sigint")
        try db.makeOrg("big", events: Self.events, payloadBytes: 400)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sigint-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = try BackgroundRun(["check", "--org", "big", "--db", db.dsn, "--format", "json", "--output",
                                     "\(dir)/report.json", "--metrics-file", "\(dir)/m.prom"])
        _ = try #require(try ServerActivity.waitForCopy(adminDSN: db.dsn, user: "postgres", database: db.name))
        run.signal(SIGINT)
        let r = run.wait()
        #expect(r.exitCode == 2, "\(r.allOutput)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(files.allSatisfy { !$0.contains(".tmp") }, "no temporary file is left: \(files)")
        if let data = FileManager.default.contents(atPath: "\(dir)/report.json") {
            let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(doc["status"] as? String == "incomplete")
        }
    }
}
