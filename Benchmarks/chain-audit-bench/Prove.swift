import ChainVerify
import EventModel
import Foundation

/// Proves on a random sample that generated data is exactly what pgcrypto computes in SQL.
enum Prove {
    /// Checks `sample` random seqs of `org`: the stored hash equals pgcrypto's digest of
    /// `prev_hash || events.canonical_bytes(row)`, and `prev_hash` equals the previous row's hash.
    static func run(spec: ConnectionSpec, org: UUID, sample: Int, seed: UInt64) throws -> (checked: Int, bad: Int) {
        let c = try Connection(spec)
        defer { c.close() }
        guard let maxText = try c.query("SELECT max(seq) FROM events.domain_events WHERE org_id = $1::uuid",
                                        [org.lowercased]).value(0, 0), let maxSeq = Int64(maxText), maxSeq > 0
        else { throw BenchError("org \(org) has no events") }
        var rng = SplitMix64(seed: seed)
        var seqs = Set<Int64>()
        while seqs.count < min(sample, Int(maxSeq)) { seqs.insert(Int64(rng.below(Int(maxSeq))) + 1) }
        let list = "{" + seqs.sorted().map(String.init).joined(separator: ",") + "}"
        let result = try c.query(
            """
            SELECT count(*),
                   count(*) FILTER (WHERE public.digest(e.prev_hash || events.canonical_bytes(e), 'sha256') = e.hash
                       AND e.prev_hash = coalesce(p.hash, decode(repeat('00', 32), 'hex')))
            FROM events.domain_events e
            LEFT JOIN events.domain_events p ON p.org_id = e.org_id AND p.seq = e.seq - 1
            WHERE e.org_id = $1::uuid AND e.seq = ANY($2::bigint[])
            """, [org.lowercased, list])
        let checked = Int(result.value(0, 0) ?? "0") ?? 0
        let good = Int(result.value(0, 1) ?? "0") ?? 0
        return (checked, checked - good)
    }
}
