import ChainVerify
import EventModel
import Foundation

/// The whole benchmark: the matrix, the hashing microbenchmark, the query shapes, the targets, the report.
struct Suite {
    let options: Options

    /// The in-database verification (e): content by pgcrypto over `events.canonical_bytes`, links by a
    /// parallel hash self-join, gaps and duplicates from count/min/max; with 2 parallel workers.
    static func inDatabaseQuery(org: UUID) -> String {
        """
        SELECT count(*) FILTER (WHERE public.digest(e.prev_hash || events.canonical_bytes(e), 'sha256') <> e.hash) \
        AS bad_content, count(*) FILTER (WHERE e.seq > 1 AND p.hash IS DISTINCT FROM e.prev_hash) AS bad_link, \
        count(*) FILTER (WHERE e.seq = 1 AND e.prev_hash <> decode(repeat('00', 32), 'hex')) AS bad_genesis, \
        count(*) AS events, min(e.seq) AS first_seq, max(e.seq) AS last_seq \
        FROM events.domain_events e LEFT JOIN events.domain_events p ON p.org_id = e.org_id AND p.seq = e.seq - 1 \
        WHERE e.org_id = '\(org.lowercased)'
        """
    }

    /// The planner settings chain-audit's COPY runs with (VerifyQuery.planSettings), for (a) and (b).
    static let planSettings = ["SET max_parallel_workers_per_gather = 0", "SET enable_seqscan = off",
                               "SET enable_bitmapscan = off"]

    static let parallelSettings = [
        "SET jit = off", "SET max_parallel_workers_per_gather = 2", "SET parallel_setup_cost = 0",
        "SET parallel_tuple_cost = 0", "SET min_parallel_table_scan_size = 0",
    ]

    func run() throws -> Int32 {
        let dsn = try options.string("db")
        let spec = try ConnectionSpec(option: dsn)
        let org = try options.uuid("org")
        let medium = try options.uuid("medium-org")
        let postmaster = Int32(try options.int("postmaster", default: 0))
        let chainAudit = try options.string("chain-audit")
        let python = options.values["python"] ?? "/usr/bin/python3"
        let baseline = try options.string("baseline")
        let rounds = try options.int("rounds", default: 3)
        let jobs = (options.values["jobs"] ?? "2,4").split(separator: ",").compactMap { Int($0) }

        let (events, bytes) = try Self.size(spec: spec, org: org)
        let (mediumEvents, mediumBytes) = try Self.size(spec: spec, org: medium)
        log("large org: \(events) events, \(bytes) bytes of COPY stream; medium org: \(mediumEvents) events")

        let copy = OrgVerifier.copyStatement(for: org)
        let select = copy.replacingOccurrences(of: "COPY (", with: "").replacingOccurrences(
            of: ") TO STDOUT (FORMAT binary)", with: "")
        var configs = [
            Measure.Config(key: "a", label: "(a) server COPY to /dev/null",
                           argv: ["psql", dsn, "-Xq", "-c", "SET jit = off"] + Self.planSettings.flatMap { ["-c", $0] }
                               + ["-c", copy.replacingOccurrences(of: "TO STDOUT", with: "TO '/dev/null'")],
                           events: events, bytes: bytes),
            Measure.Config(key: "b", label: "(b) psql \\copy to /dev/null",
                           argv: ["psql", dsn, "-Xq", "-c", "SET jit = off"] + Self.planSettings.flatMap { ["-c", $0] }
                               + ["-c", "\\copy (\(select)) TO '/dev/null' (FORMAT binary)"],
                           events: events, bytes: bytes),
            Measure.Config(key: "a2", label: "(a2) chain-audit's reader alone, discarding",
                           argv: [CommandLine.arguments[0], "read", "--db", dsn, "--org", org.lowercased],
                           events: events, bytes: bytes),
            Measure.Config(key: "c", label: "(c) chain-audit verify --jobs 1",
                           argv: [chainAudit, "verify", "--db", dsn, "--org", org.lowercased, "--jobs", "1", "--quiet"],
                           events: events, bytes: bytes),
        ]
        configs.append(Measure.Config(key: "c-unpaced", label: "(c) with --read-pacing off",
                                      argv: [chainAudit, "verify", "--db", dsn, "--org", org.lowercased, "--jobs", "1",
                                             "--quiet", "--read-pacing", "off"],
                                      events: events, bytes: bytes))
        for n in jobs {
            configs.append(Measure.Config(key: "d\(n)", label: "(d) chain-audit verify --jobs \(n)",
                                          argv: [chainAudit, "verify", "--db", dsn, "--org", org.lowercased, "--jobs",
                                                 String(n), "--quiet"],
                                          events: events, bytes: bytes))
        }
        configs.append(Measure.Config(key: "e", label: "(e) in-database pgcrypto query, 2 workers",
                                      argv: ["psql", dsn, "-Xq"] + Self.parallelSettings.flatMap { ["-c", $0] }
                                          + ["-c", Self.inDatabaseQuery(org: org)],
                                      events: events, bytes: bytes))
        configs.append(Measure.Config(key: "f", label: "(f) Python psycopg2 + hashlib",
                                      argv: [python, baseline, dsn, org.lowercased], events: events, bytes: bytes))
        if let store = options.values["checkpoints"], let pub = options.values["pubkey"] {
            let new = Int64(options.values["new-events"] ?? "1000") ?? 1000
            configs.append(Measure.Config(key: "g", label: "(g) verify --checkpoint, \(new) new events",
                                          argv: [chainAudit, "verify", "--db", dsn, "--org", org.lowercased,
                                                 "--checkpoint", store, "--pubkey", pub, "--quiet"],
                                          events: new + 1, bytes: bytes * (new + 1) / max(1, events)))
        }
        configs.append(Measure.Config(key: "c-medium", label: "(c) on the medium org (RSS check)",
                                      argv: [chainAudit, "verify", "--db", dsn, "--org", medium.lowercased, "--jobs",
                                             "1", "--quiet"],
                                      events: mediumEvents, bytes: mediumBytes))

        let rows = try Measure(configs: configs, rounds: rounds, postmaster: postmaster, log: log).run()
        log("hashing microbenchmark …")
        let hashBytes = try options.int("hash-bytes", default: 600)
        let ours = try HashSpeed.ours(bytes: hashBytes, seconds: 3)
        let openssl = HashSpeed.openssl(bytes: hashBytes, seconds: 3)
        log("query shapes …")
        let shapes = try QueryShapes.measure(spec: spec, org: org, postmaster: postmaster, rounds: rounds, log: log)

        let report = Report(rows: rows, events: events, bytes: bytes, mediumEvents: mediumEvents,
                            hashBytes: hashBytes, hashOurs: ours, hashOpenSSL: openssl, shapes: shapes,
                            rounds: rounds, inDatabaseQuery: Self.inDatabaseQuery(org: org))
        print(report.table())
        if let path = options.values["json"] {
            try report.json().write(to: URL(fileURLWithPath: path))
            log("wrote \(path)")
        }
        return rows.contains { !$0.failures.isEmpty } ? 1 : 0
    }

    /// The org's event count and the size of its COPY stream, read once through chain-audit's own COPY
    /// (paced as chain-audit reads, unless `paced` is false) and discarded.
    static func size(spec: ConnectionSpec, org: UUID, paced: Bool = true) throws -> (Int64, Int64) {
        let c = try Connection(spec)
        defer { c.close() }
        // The plan chain-audit's COPY runs with: unpinned, a fresh ANALYZE of a 10M-event org makes the
        // planner pick a parallel seq scan and sort, which is not the read being measured.
        for statement in ["SET jit = off"] + planSettings { try c.execute(statement) }
        let stream = try c.copyOut(OrgVerifier.copyStatement(for: org))
        stream.paced = paced
        var bytes: Int64 = 0
        while let message = try stream.nextMessage() {
            bytes += Int64(message.bytes.count)
            message.release()
        }
        return (try stream.finish(), bytes)
    }
}
