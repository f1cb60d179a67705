import Foundation

/// The SQL the verifier runs, and the column layout of the rows it streams.
///
/// `prev_hash` comes first so that, in each COPY tuple, the 32 bytes of `prev_hash` are immediately
/// followed by the eight canonical fields, each with its length word: the hash input
/// `prev_hash || canonical(n)` is then one contiguous slice of the tuple, hashed in place.
enum VerifyQuery {
    /// Column positions in the streamed tuples.
    enum Column {
        static let prevHash = 0
        static let orgID = 1
        static let seq = 2
        static let eventType = 3
        static let aggregateType = 4
        static let aggregateID = 5
        static let actorID = 6
        static let occurredAt = 7
        static let payload = 8
        static let hash = 9
        static let count = 10
    }

    /// The COPY that streams one org's events in seq order. The org is a validated uuid, never user text
    /// (COPY takes no parameters).
    static func copyEvents(org: UUID, range: SeqRange = .all) -> String {
        """
        COPY (SELECT prev_hash, org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, occurred_at, \
        payload, hash FROM events.domain_events WHERE org_id = '\(org.lowercased)'::uuid\(range.sqlCondition()) \
        ORDER BY seq) TO STDOUT (FORMAT binary)
        """
    }

    /// The lowest and highest seq of one org (two index probes).
    static let seqBounds = """
        SELECT (SELECT min(seq) FROM events.domain_events WHERE org_id = $1::uuid), \
        (SELECT max(seq) FROM events.domain_events WHERE org_id = $1::uuid)
        """

    /// The plan the verifier's COPY must use: the (org_id, seq) index, in order, in one process. Measured
    /// fastest (docs/performance.md); without these a range of a split org can be planned as a parallel
    /// seq scan and sort, which costs the server more than half as much again. Where no such index exists,
    /// the planner still falls back to a scan and sort.
    static let planSettings = """
        SET LOCAL max_parallel_workers_per_gather = 0;
        SET LOCAL enable_seqscan = off;
        SET LOCAL enable_bitmapscan = off
        """

    /// Exports the transaction's snapshot for the other connections of a split org.
    static let exportSnapshot = "SELECT pg_catalog.pg_export_snapshot()"

    /// The recorded chain head of one org.
    static let chainHead = "SELECT last_seq, encode(last_hash, 'hex') FROM events.chain_heads WHERE org_id = $1::uuid"

    /// One org by uuid.
    static let orgByID = "SELECT id::text, slug FROM public.orgs WHERE id = $1::uuid"

    /// One org by slug.
    static let orgBySlug = "SELECT id::text, slug FROM public.orgs WHERE slug = $1"

    /// Every org's recorded chain length.
    static let recordedSizes = "SELECT org_id::text, last_seq FROM events.chain_heads"

    /// Every org, in slug order.
    static let allOrgs = "SELECT id::text, slug FROM public.orgs ORDER BY slug, id"
}
