import ChainVerify
import EventModel
import Foundation
import Synchronization
import Testing

/// Concurrent writers never fork or gap a chain, and verifying while they write finds nothing false.
@Suite("Concurrent writers", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct ConcurrencyTests {
    static let insertSQL = """
        INSERT INTO events.domain_events (org_id, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at)
        SELECT $1::uuid, 'writer.' || $2, 'writer', public.gen_random_uuid(), NULL,
               jsonb_build_object('writer', $2::int, 'i', g), clock_timestamp()
        FROM generate_series(1, $3::int) g
        """

    /// Runs `writers` threads that each insert `rounds` transactions of 1 to 3 rows; returns rows inserted.
    static func write(_ db: TestDatabase, org: OrgIdentity, writers: Int, rounds: Int, isolation: String) throws -> Int {
        let inserted = Mutex(0)
        let failures = Mutex<[String]>([])
        let dsn = db.dsn
        runOnThreads(writers) { writer in
            do {
                let c = try Connection(TestEnvironment.spec(dsn))
                defer { c.close() }
                for round in 0..<rounds {
                    let rows = 1 + (writer + round) % 3
                    var attempt = 0
                    while true {
                        do {
                            try c.execute("BEGIN ISOLATION LEVEL \(isolation)")
                            try c.query(insertSQL, [org.id.lowercased, String(writer), String(rows)])
                            try c.execute("COMMIT")
                            inserted.withLock { $0 += rows }
                            break
                        } catch let error as PostgresError
                            where isolation != "READ COMMITTED" && ["23505", "40001"].contains(error.sqlState ?? "")
                        {
                            // REPEATABLE READ: the unique (org_id, seq) backstop or a serialization failure; retry as
                            // an app would. READ COMMITTED writers are serialised by the trigger and never retry.
                            try c.execute("ROLLBACK")
                            attempt += 1
                            if attempt > 200 { throw error }
                        }
                    }
                }
            } catch {
                failures.withLock { $0.append("writer \(writer): \(error)") }
            }
        }
        let problems = failures.withLock { $0 }
        if !problems.isEmpty { throw TestSetupError(problems.joined(separator: "; ")) }
        return inserted.withLock { $0 }
    }

    @Test(arguments: ["READ COMMITTED", "REPEATABLE READ"])
    func eightWritersLeaveAGaplessChainThatVerifies(_ isolation: String) throws {
        let db = try TestDatabase("writers")
        let org = try db.makeOrg("busy")
        let rows = try Self.write(db, org: org, writers: 8, rounds: 25, isolation: isolation)
        #expect(try db.scalar("SELECT count(*) FROM events.domain_events WHERE org_id = $1::uuid", [org.id.lowercased]) == String(rows))
        #expect(try db.scalar("SELECT max(seq) FROM events.domain_events WHERE org_id = $1::uuid", [org.id.lowercased]) == String(rows))
        #expect(try db.scalar("SELECT last_seq FROM events.chain_heads WHERE org_id = $1::uuid", [org.id.lowercased]) == String(rows))
        let report = try db.verify(org)
        #expect(report.status == .ok, "\(report.findingSummary)")
        #expect(report.eventsVerified == Int64(rows))
    }

    @Test func verifyingWhileWritersInsertReportsNoFalseFindings() throws {
        let db = try TestDatabase("live")
        let org = try db.makeOrg("live", events: 2000)
        let writersLeft = Atomic(4)
        let reports = Mutex<[OrgReport]>([])
        let writerError = Mutex<String?>(nil)
        let dsn = db.dsn
        runOnThreads(5) { worker in
            if worker < 4 {
                do {
                    let helper = try TestDatabase.attach(dsn: dsn)
                    _ = try Self.write(helper, org: org, writers: 1, rounds: 60, isolation: "READ COMMITTED")
                } catch {
                    writerError.withLock { $0 = "\(error)" }
                }
                writersLeft.subtract(1, ordering: .sequentiallyConsistent)
            } else {
                repeat {
                    do {
                        let c = try Connection(TestEnvironment.spec(dsn))
                        let report = try OrgVerifier(connection: c).verify(org)
                        c.close()
                        reports.withLock { $0.append(report) }
                    } catch {
                        writerError.withLock { $0 = "verifier: \(error)" }
                        return
                    }
                } while writersLeft.load(ordering: .sequentiallyConsistent) > 0
            }
        }
        #expect(writerError.withLock { $0 } == nil)
        let all = reports.withLock { $0 }
        #expect(all.count >= 2, "verified repeatedly while writing")
        for report in all {
            #expect(report.status == .ok, "\(report.findingSummary)")
            #expect(report.eventsVerified >= 2000)
            #expect(report.headSeq == report.eventsVerified)
        }
        #expect(try db.verify(org).status == .ok)
    }
}

/// Runs `body(0..<count)` on `count` threads of their own, all at once (a thread pool sized to the cores
/// would run them a few at a time), and waits for all of them.
func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for i in 0..<count {
        group.enter()
        let thread = Thread {
            body(i)
            group.leave()
        }
        thread.start()
    }
    group.wait()
}

extension TestDatabase {
    /// A handle on an existing database (for helper threads), without creating one.
    static func attach(dsn: String) throws -> TestDatabase {
        TestDatabase(existing: dsn)
    }
}
