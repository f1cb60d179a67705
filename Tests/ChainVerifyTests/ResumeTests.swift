@testable import ChainVerify
import EventModel
import Foundation
import Testing

/// A read that resumes after a failure reads again from the last seq the failed read checked, so a repeated
/// seq the failed read had not reached is still found, and no row is checked twice.
@Suite("Resumed reads", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct ResumeTests {
    /// The state a read that failed just after the first row at seq 5 would leave: rows 1 to 4 read for real,
    /// then the intact row at seq 5 checked.
    static func failedRead(_ db: TestDatabase, _ org: OrgIdentity, seq5 prev: Digest32, _ hash: Digest32) throws
        -> ChainRangeResult
    {
        let c = try Connection(db.auditorSpec())
        defer { c.close() }
        try c.execute(ReadOnlySession.begin + ";\n" + VerifyQuery.planSettings)
        let outcome = RangeVerifier(connection: c, org: org, range: SeqRange(lower: 1, upper: 5),
                                    checker: ChainChecker(), settings: .init()).run()
        try c.execute("COMMIT")
        #expect(outcome.error == nil)
        var result = outcome.result
        #expect(result.checker.lastSeq == 4)
        result.checker.check(seq: 5, prevHash: .digest(prev), hash: .digest(hash), computed: hash, into: &result.log)
        return result
    }

    @Test(arguments: [false, true])
    func aResumedReadSkipsTheRowsItCheckedAndFindsARepeatTheFailedReadHadNotReached(repeated: Bool) throws {
        let db = try TestDatabase("reread")
        let org = try db.makeOrg("org", events: 10)
        let row = try db.query(
            "SELECT encode(prev_hash, 'hex'), encode(hash, 'hex') FROM events.domain_events "
                + "WHERE org_id = $1::uuid AND seq = 5", [org.id.lowercased])
        let prev = try #require(Digest32(hex: row.value(0, 0) ?? ""))
        let hash = try #require(Digest32(hex: row.value(0, 1) ?? ""))
        if repeated {
            try db.tamper(try TamperCase.named("a duplicate seq with another predecessor (unique constraint dropped)")
                .sql(for: org))
        }
        let previous = try Self.failedRead(db, org, seq5: prev, hash)
        let c = try Connection(db.auditorSpec())
        defer { c.close() }
        try c.execute(ReadOnlySession.begin + ";\n" + VerifyQuery.planSettings)
        let resumed = RangeVerifier(resuming: previous, connection: c, org: org, lastSeq: 5, settings: .init()).run()
        try c.execute("COMMIT")
        #expect(resumed.error == nil)
        let checker = resumed.result.checker
        #expect(checker.rowCount == (repeated ? 11 : 10), "every row checked once")
        #expect(checker.lastSeq == 10)
        let found = resumed.result.log.findings.map { "\($0.kind.rawValue)@\($0.seq ?? 0)" }.sorted()
        #expect(found == (repeated ? ["link_mismatch@5", "seq_duplicate@5"] : []), "\(found)")
        // What an uninterrupted read finds, for comparison.
        #expect(try db.verify(org).findings.map { "\($0.kind.rawValue)@\($0.seq ?? 0)" }.sorted() == found)
    }
}
