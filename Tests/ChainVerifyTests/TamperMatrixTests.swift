import ChainVerify
import EventModel
import Foundation
import Testing

/// One way of changing a chain behind the trigger's back, and exactly what verification must report.
struct TamperCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// SQL run with triggers bypassed; `:org` is replaced by the org's uuid literal.
    let sql: String
    /// The findings expected, as (kind, seq); compared in order unless `unordered` (rows that share a seq
    /// come in the server's order, so which is the repeat, and the details naming them, may differ).
    let expected: [(Finding.Kind, Int64?)]
    var unordered = false

    var testDescription: String { name }

    /// The SQL for `org`.
    func sql(for org: OrgIdentity) -> String {
        sql.replacingOccurrences(of: ":org", with: "'\(org.id.lowercased)'::uuid")
    }

    /// The case called `name`.
    static func named(_ name: String) throws -> TamperCase {
        try #require(all.first { $0.name == name }, "no tamper case \(name)")
    }

    static let events = 10

    static let all: [TamperCase] = [
        TamperCase(
            name: "a payload byte changed",
            sql: """
                UPDATE events.domain_events SET payload = jsonb_set(payload, '{text}', to_jsonb('y' || substr(payload->>'text', 2)))
                WHERE org_id = :org AND seq = 4
                """,
            expected: [(.contentMismatch, 4)]),
        TamperCase(
            name: "the stored hash changed",
            sql: "UPDATE events.domain_events SET hash = set_byte(hash, 7, get_byte(hash, 7) # 1) WHERE org_id = :org AND seq = 4",
            expected: [(.contentMismatch, 4), (.linkMismatch, 5)]),
        TamperCase(
            name: "prev_hash changed",
            sql: "UPDATE events.domain_events SET prev_hash = set_byte(prev_hash, 0, get_byte(prev_hash, 0) # 128) WHERE org_id = :org AND seq = 4",
            expected: [(.linkMismatch, 4), (.contentMismatch, 4)]),
        TamperCase(
            name: "a middle row deleted",
            sql: "DELETE FROM events.domain_events WHERE org_id = :org AND seq = 5",
            expected: [(.seqGap, 5)]),
        TamperCase(
            name: "a row rewritten with its own hash recomputed",
            sql: """
                UPDATE events.domain_events SET event_type = 'forged.event' WHERE org_id = :org AND seq = 5;
                UPDATE events.domain_events e SET hash = public.digest(e.prev_hash || events.canonical_bytes(e), 'sha256')
                WHERE org_id = :org AND seq = 5
                """,
            expected: [(.linkMismatch, 6)]),
        TamperCase(
            name: "two rows' seq swapped",
            sql: """
                UPDATE events.domain_events SET seq = -4 WHERE org_id = :org AND seq = 4;
                UPDATE events.domain_events SET seq = 4 WHERE org_id = :org AND seq = 5;
                UPDATE events.domain_events SET seq = 5 WHERE org_id = :org AND seq = -4
                """,
            expected: [(.linkMismatch, 4), (.contentMismatch, 4), (.linkMismatch, 5), (.contentMismatch, 5),
                       (.linkMismatch, 6)]),
        TamperCase(
            name: "an exact copy of a row at the same seq (unique constraint dropped)",
            sql: """
                ALTER TABLE events.domain_events DROP CONSTRAINT domain_events_org_id_seq_key;
                INSERT INTO events.domain_events (org_id, seq, event_type, aggregate_type, aggregate_id, actor_id,
                    payload, occurred_at, prev_hash, hash)
                SELECT org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at,
                       prev_hash, hash FROM events.domain_events WHERE org_id = :org AND seq = 5
                """,
            expected: [(.seqDuplicate, 5)], unordered: true),
        TamperCase(
            name: "a fork: a second valid row extending the same predecessor",
            sql: """
                ALTER TABLE events.domain_events DROP CONSTRAINT domain_events_org_id_seq_key;
                INSERT INTO events.domain_events (org_id, seq, event_type, aggregate_type, aggregate_id, actor_id,
                    payload, occurred_at, prev_hash, hash)
                SELECT org_id, seq, 'forked.event', aggregate_type, aggregate_id, actor_id, payload, occurred_at,
                       prev_hash, public.digest(prev_hash || events.canonical_bytes(org_id, seq, 'forked.event',
                           aggregate_type, aggregate_id, actor_id, occurred_at, payload), 'sha256')
                FROM events.domain_events WHERE org_id = :org AND seq = 5
                """,
            expected: [(.fork, 5)], unordered: true),
        TamperCase(
            name: "a duplicate seq with another predecessor (unique constraint dropped)",
            sql: """
                ALTER TABLE events.domain_events DROP CONSTRAINT domain_events_org_id_seq_key;
                INSERT INTO events.domain_events (org_id, seq, event_type, aggregate_type, aggregate_id, actor_id,
                    payload, occurred_at, prev_hash, hash)
                SELECT org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, payload, occurred_at,
                       public.digest('elsewhere', 'sha256'),
                       public.digest(public.digest('elsewhere', 'sha256') || events.canonical_bytes(e), 'sha256')
                FROM events.domain_events e WHERE org_id = :org AND seq = 5
                """,
            expected: [(.seqDuplicate, 5), (.linkMismatch, 5)], unordered: true),
        TamperCase(
            name: "a NULL hash",
            sql: """
                ALTER TABLE events.domain_events ALTER COLUMN hash DROP NOT NULL;
                UPDATE events.domain_events SET hash = NULL WHERE org_id = :org AND seq = 5
                """,
            expected: [(.malformedHash, 5)]),
        TamperCase(
            name: "a 31-byte hash",
            sql: "UPDATE events.domain_events SET hash = substring(hash FROM 1 FOR 31) WHERE org_id = :org AND seq = 5",
            expected: [(.malformedHash, 5)]),
        TamperCase(
            name: "a 33-byte prev_hash",
            sql: "UPDATE events.domain_events SET prev_hash = prev_hash || '\\x00'::bytea WHERE org_id = :org AND seq = 5",
            expected: [(.malformedHash, 5)]),
        TamperCase(
            name: "a genesis prev_hash that is not zero",
            sql: "UPDATE events.domain_events SET prev_hash = public.digest('not genesis', 'sha256') WHERE org_id = :org AND seq = 1",
            expected: [(.genesisMismatch, 1), (.contentMismatch, 1)]),
        TamperCase(
            name: "the tail truncated while chain_heads is left alone",
            sql: "DELETE FROM events.domain_events WHERE org_id = :org AND seq > 7",
            expected: [(.headMismatch, 10)]),
        TamperCase(
            name: "chain_heads pointing at a forged hash",
            sql: "UPDATE events.chain_heads SET last_hash = public.digest('forged', 'sha256') WHERE org_id = :org",
            expected: [(.headMismatch, 10)]),
        TamperCase(
            name: "the first rows deleted",
            sql: "DELETE FROM events.domain_events WHERE org_id = :org AND seq <= 2",
            expected: [(.seqGap, 1)]),
        TamperCase(
            name: "a seq below 1",
            sql: "UPDATE events.domain_events SET seq = 0 WHERE org_id = :org AND seq = 1",
            expected: [(.seqInvalid, 0), (.contentMismatch, 0), (.seqGap, 1)]),
    ]
}

@Suite("Tamper matrix: each change to an intact chain is caught with its exact kind and seq",
       .enabled(if: TestEnvironment.databaseTestsEnabled))
struct TamperMatrixTests {
    @Test(arguments: TamperCase.all)
    func tamperingIsCaughtWithItsKindAndSeq(_ tamper: TamperCase) throws {
        let db = try TestDatabase("tamper")
        let org = try db.makeOrg("victim", events: TamperCase.events)
        let bystander = try db.makeOrg("bystander", events: 4)

        let intact = try db.verify(org)
        #expect(intact.status == .ok, "intact chain must pass first: \(intact.findingSummary)")
        #expect(intact.eventsVerified == Int64(TamperCase.events))

        try db.tamper(tamper.sql(for: org))

        let report = try db.verify(org)
        #expect(report.status == .findings, "\(report.findingSummary)")
        if tamper.unordered {
            let got = report.kindsAndSeqs.map { "\($0.0.rawValue)@\($0.1 ?? -1)" }.sorted()
            let want = tamper.expected.map { "\($0.0.rawValue)@\($0.1 ?? -1)" }.sorted()
            #expect(got == want, "\(report.findingSummary)")
        } else {
            #expect(report.hasExactly(tamper.expected), "got:\n\(report.findingSummary)")
        }
        #expect(report.findings.allSatisfy { $0.severity == .error })

        let other = try db.verify(bystander)
        #expect(other.status == .ok, "another org is unaffected: \(other.findingSummary)")

        // Split across connections on one snapshot, in small batches, hashed on 0, 1 or 2 threads: the same
        // report to the byte.
        for (jobs, hashThreads, batchRows, paced) in [(1, 0, 1024, false), (2, 1, 1024, true), (3, 0, 2, false),
                                                      (4, 2, 3, true), (10, 1, 1, true)] {
            var options = OrgVerifier.Options(jobs: jobs, hashThreads: hashThreads, splitThreshold: 1, batchRows: batchRows)
            options.pacedReads = paced
            let split = try db.verify(org, options: options)
            if tamper.unordered {
                let a = split.kindsAndSeqs.map { "\($0.0.rawValue)@\($0.1 ?? -1)" }.sorted()
                #expect(a == report.kindsAndSeqs.map { "\($0.0.rawValue)@\($0.1 ?? -1)" }.sorted())
            } else {
                #expect(split.findings == report.findings, "jobs \(jobs), hash threads \(hashThreads):\n\(split.findingSummary)")
            }
            #expect(split.log.counts == report.log.counts)
            #expect(split.eventsVerified == report.eventsVerified)
            #expect(split.headSeq == report.headSeq && split.headHash == report.headHash)
            #expect(split.status == report.status)
        }
    }

    @Test func aRowMovedToAnotherOrgBreaksBothChains() throws {
        let db = try TestDatabase("moved")
        let a = try db.makeOrg("a", events: 10)
        let b = try db.makeOrg("b", events: 2)
        #expect(try db.verify(a).status == .ok)
        #expect(try db.verify(b).status == .ok)

        try db.tamper("UPDATE events.domain_events SET org_id = '\(b.id.lowercased)' WHERE org_id = '\(a.id.lowercased)' AND seq = 5")

        let reportA = try db.verify(a)
        #expect(reportA.hasExactly([(.seqGap, 5)]), "\(reportA.findingSummary)")
        let reportB = try db.verify(b)
        #expect(reportB.hasExactly([(.seqGap, 3), (.contentMismatch, 5), (.headMismatch, 2)]), "\(reportB.findingSummary)")
    }

    @Test func aTruncatedTailWithChainHeadsMovedBackPassesWithoutACheckpoint() throws {
        // The documented limit of a plain chain (docs/security.md): only a checkpoint held outside the
        // database catches this.
        let db = try TestDatabase("limit")
        let org = try db.makeOrg("victim", events: 10)
        try db.tamper("""
            DELETE FROM events.domain_events WHERE org_id = '\(org.id.lowercased)' AND seq > 7;
            UPDATE events.chain_heads h SET last_seq = 7, last_hash = e.hash FROM events.domain_events e
            WHERE h.org_id = e.org_id AND e.org_id = '\(org.id.lowercased)' AND e.seq = 7
            """)
        let report = try db.verify(org)
        #expect(report.status == .ok)
        #expect(report.headSeq == 7)
    }

    @Test func exitOnErrorStopsAtTheFirstFinding() throws {
        let db = try TestDatabase("stop")
        let org = try db.makeOrg("victim", events: 50)
        try db.tamper("UPDATE events.domain_events SET event_type = 'x' WHERE org_id = '\(org.id.lowercased)' AND seq IN (10, 20, 30)")

        let all = try db.verify(org)
        #expect(all.hasExactly([(.contentMismatch, 10), (.contentMismatch, 20), (.contentMismatch, 30)]))
        #expect(all.eventsVerified == 50)

        let stopped = try db.verify(org, options: .init(stopAtFirstError: true))
        #expect(stopped.status == .findings)
        #expect(stopped.stoppedEarly)
        #expect(stopped.hasExactly([(.contentMismatch, 10)]))
        #expect(stopped.eventsVerified == 10)
    }

    @Test func maxFindingsKeepsExactCounts() throws {
        let db = try TestDatabase("cap")
        let org = try db.makeOrg("victim", events: 30)
        try db.tamper("UPDATE events.domain_events SET event_type = 'x' WHERE org_id = '\(org.id.lowercased)'")
        let report = try db.verify(org, options: .init(maxFindings: 5))
        #expect(report.findings.count == 5)
        #expect(report.log.counts[.contentMismatch] == 30)
        #expect(report.log.omitted == 25)
        #expect(report.status == .findings)
    }
}
