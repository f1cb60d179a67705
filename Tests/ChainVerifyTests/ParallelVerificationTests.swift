import ChainVerify
import EventModel
import Foundation
import Testing

@Suite("Shards")
struct ShardTests {
    @Test(arguments: ["1/1", "1/4", "4/4", "65536/65536"])
    func validShardsParse(_ text: String) throws {
        let shard = try #require(Shard(text))
        #expect(shard.description == text)
    }

    @Test(arguments: ["", "0/4", "5/4", "1/0", "1", "1/2/3", "a/b", "-1/4", "1/65537", " 1/4"])
    func invalidShardsAreRejected(_ text: String) {
        #expect(Shard(text) == nil)
    }

    @Test func shardsSplitOrgsDisjointlyAndCoverThemAll() throws {
        let orgs = (0..<2000).map { _ in OrgIdentity(id: UUID(), slug: "x") }
        let shards = (1...4).map { Shard("\($0)/4")! }
        var sizes = [Int](repeating: 0, count: 4)
        for org in orgs {
            let owners = shards.indices.filter { shards[$0].contains(org) }
            #expect(owners.count == 1)
            sizes[owners[0]] += 1
        }
        // SHA-256 spreads them evenly: each shard holds 500 ± 100 of 2,000.
        #expect(sizes.allSatisfy { (400...600).contains($0) }, "\(sizes)")
    }

    @Test func shardMembershipDependsOnlyOnTheUUID() throws {
        // SHA-256 of the 16 bytes 00..0f starts be45cb2605bf36be; 0xbe45cb2605bf36be % 7 = 3, so shard 4 of 7
        // (checked with Python: int(hashlib.sha256(bytes(range(16))).hexdigest()[:16], 16) % 7).
        let id = try #require(UUID(uuidString: "00010203-0405-0607-0809-0a0b0c0d0e0f"))
        #expect(try SHA256Hasher().hash(Array(0...15) as [UInt8]).hex.hasPrefix("be45cb2605bf36be"))
        #expect(Shard.shardIndex(of: id, count: 7) == Int(UInt64(0xbe45_cb26_05bf_36be) % 7) + 1)
        #expect(Shard("4/7")!.contains(OrgIdentity(id: id, slug: "any")))
    }
}

/// Many orgs and many connections give the same reports as one connection, in the requested order.
@Suite("Parallel verification", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct ParallelVerificationTests {
    @Test func jobsAcrossOrgsKeepTheOrderAndTheFindings() throws {
        let db = try TestDatabase("many")
        var orgs: [OrgIdentity] = []
        for i in 0..<7 { orgs.append(try db.makeOrg(String(format: "org%02d", i), events: 20 + i * 5)) }
        let big = try db.makeOrg("zbig", events: 3000)
        try db.tamper("UPDATE events.domain_events SET event_type = 'x' WHERE org_id = '\(orgs[3].id.lowercased)' AND seq = 7")
        try db.tamper("DELETE FROM events.domain_events WHERE org_id = '\(big.id.lowercased)' AND seq = 1500")
        let spec = try db.spec()
        let one = VerificationRun(spec: spec, options: .init(jobs: 1)).run(.all)
        let many = VerificationRun(spec: spec, options: .init(jobs: 3, splitThreshold: 1000)).run(.all)
        #expect(one.orgs.map(\.org.slug) == (orgs + [big]).map(\.slug))
        #expect(many.orgs.map(\.org.slug) == one.orgs.map(\.org.slug))
        for (a, b) in zip(one.orgs, many.orgs) {
            #expect(a.findings == b.findings, "\(a.org.slug)")
            #expect(a.eventsVerified == b.eventsVerified)
            #expect(a.headHash == b.headHash)
        }
        #expect(many.status == .findings)
        #expect(many.orgs[3].hasExactly([(.contentMismatch, 7)]))
        #expect(many.orgs[7].hasExactly([(.seqGap, 1500)]))
    }

    @Test func exitOnErrorWithJobsReportsTheFirstBreakInSeqOrder() throws {
        let db = try TestDatabase("stopjobs")
        let org = try db.makeOrg("victim", events: 4000)
        try db.tamper("UPDATE events.domain_events SET event_type = 'x' WHERE org_id = '\(org.id.lowercased)' AND seq IN (1200, 2500, 3900)")
        let report = try db.verify(org, options: .init(stopAtFirstError: true, jobs: 4, splitThreshold: 1))
        #expect(report.status == .findings)
        #expect(report.stoppedEarly)
        #expect(report.hasExactly([(.contentMismatch, 1200)]), "\(report.findingSummary)")
    }

    @Test func aSplitOrgUsesOneSnapshotWhileWritersInsert() throws {
        let db = try TestDatabase("splitlive")
        let org = try db.makeOrg("live", events: 20_000, payloadBytes: 20)
        let dsn = db.dsn
        let writerFailed = Locked<String?>(nil)
        let done = Locked(false)
        let writer = Thread {
            do {
                let c = try Connection(TestEnvironment.spec(dsn))
                defer { c.close() }
                while !done.value {
                    try c.query(ConcurrencyTests.insertSQL, [org.id.lowercased, "9", "50"])
                }
            } catch {
                writerFailed.value = "\(error)"
            }
        }
        writer.start()
        defer { done.value = true }
        for _ in 0..<5 {
            let report = try db.verify(org, options: .init(jobs: 4, splitThreshold: 1))
            #expect(report.status == .ok, "\(report.findingSummary)")
            #expect(report.headSeq == report.eventsVerified)
        }
        done.value = true
        #expect(writerFailed.value == nil)
    }

    @Test func rowsLargerThanABatchBudgetVerify() throws {
        let db = try TestDatabase("largerows")
        let org = try db.makeOrg("large", events: 6, payloadBytes: 3_000_000)
        for options in [OrgVerifier.Options(), .init(jobs: 2, hashThreads: 0, splitThreshold: 1),
                        .init(hashThreads: 2, batchRows: 1)] {
            let report = try db.verify(org, options: options)
            #expect(report.status == .ok, "\(report.findingSummary)")
            #expect(report.eventsVerified == 6)
        }
        try db.tamper("UPDATE events.domain_events SET payload = payload || '{\"z\": 1}' WHERE org_id = '\(org.id.lowercased)' AND seq = 4")
        #expect(try db.verify(org).hasExactly([(.contentMismatch, 4)]))
    }

    @Test func theCommandLineSplitsAndShards() throws {
        let db = try TestDatabase("clijobs")
        var orgs: [OrgIdentity] = []
        for i in 0..<6 { orgs.append(try db.makeOrg("org\(i)", events: 30)) }
        let all = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", db.auditorDSN, "--jobs", "3", "--format", "json"])
        #expect(all.exitCode == 0, "\(all.allOutput)")
        var seen: [String] = []
        for k in 1...3 {
            let r = try CommandRunner.chainAudit(["verify", "--all-orgs", "--db", db.auditorDSN, "--shard", "\(k)/3",
                                                  "--format", "json"])
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let slugs = (doc["orgs"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
            for slug in slugs {
                let org = try #require(orgs.first { $0.slug == slug })
                #expect(Shard("\(k)/3")!.contains(org))
            }
            seen += slugs
        }
        #expect(seen.sorted() == orgs.map(\.slug).sorted(), "every org in exactly one shard")
    }

    @Test(arguments: [
        (["--jobs", "0"], "--jobs needs a whole number from 1 to 256"),
        (["--jobs", "x"], "--jobs needs a whole number"),
        (["--shard", "4/3"], "--shard needs K/N"),
        (["--hash-threads", "-1"], "--hash-threads needs"),
        (["--progress", "--quiet"], "cannot be combined"),
        (["--progress-interval", "0"], "--progress-interval needs seconds"),
        (["--read-pacing", "maybe"], "--read-pacing needs on or off"),
    ])
    func badParallelOptionsAreUsageErrors(_ extra: [String], _ message: String) throws {
        let r = try CommandRunner.chainAudit(["verify", "--all-orgs"] + extra)
        #expect(r.exitCode == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }
}

/// A value shared between test threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) {
        stored = value
    }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
