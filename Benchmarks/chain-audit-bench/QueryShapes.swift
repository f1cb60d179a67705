import ChainVerify
import EventModel
import Foundation

/// Reads one org with different statement shapes and settings, to pick the cheapest one that is correct.
enum QueryShapes {
    struct Shape {
        let name: String
        let setup: [String]
        let statement: String
        let cursor: Bool
    }

    struct Result {
        let shape: Shape
        var wall: Double
        var serverCPU: Double
        var bytes: Int64
    }

    static func shapes(org: UUID) -> [Shape] {
        let copy = OrgVerifier.copyStatement(for: org)
        let select = "SELECT prev_hash, org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, occurred_at, "
            + "payload, hash FROM events.domain_events WHERE org_id = '\(org.lowercased)'::uuid"
        return [
            Shape(name: "COPY, index scan in seq order, jit off (chain-audit's)", setup: ["SET jit = off"] + Suite.planSettings,
                  statement: copy, cursor: false),
            Shape(name: "COPY, index scan, jit forced on", setup: ["SET jit = on", "SET jit_above_cost = 0"] + Suite.planSettings,
                  statement: copy, cursor: false),
            Shape(name: "COPY, seq scan + sort", setup: ["SET jit = off", "SET enable_indexscan = off",
                                                         "SET enable_bitmapscan = off", "SET work_mem = '1GB'"],
                  statement: copy, cursor: false),
            Shape(name: "COPY, ORDER BY seq, id (incremental sort)", setup: ["SET jit = off"],
                  statement: "COPY (\(select) ORDER BY seq, id) TO STDOUT (FORMAT binary)", cursor: false),
            Shape(name: "COPY, no ORDER BY (seq scan; unusable, for scale)", setup: ["SET jit = off"],
                  statement: "COPY (\(select)) TO STDOUT (FORMAT binary)", cursor: false),
            Shape(name: "binary cursor, FETCH 10000", setup: ["SET jit = off"] + Suite.planSettings,
                  statement: "\(select) ORDER BY seq", cursor: true),
        ]
    }

    static func measure(spec: ConnectionSpec, org: UUID, postmaster: Int32, rounds: Int, log: (String) -> Void) throws
        -> [Result]
    {
        let shapes = shapes(org: org)
        var walls = [[Double]](repeating: [], count: shapes.count)
        var cpus = [[Double]](repeating: [], count: shapes.count)
        var bytes = [Int64](repeating: 0, count: shapes.count)
        for round in 0...rounds {
            for (i, shape) in shapes.enumerated() {
                let c = try Connection(spec)
                defer { c.close() }
                for statement in shape.setup { try c.execute(statement) }
                let before = ServerCPU.total(postmaster: postmaster)
                let start = DispatchTime.now()
                var n: Int64 = 0
                if shape.cursor {
                    try c.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    try c.execute("DECLARE shape BINARY CURSOR FOR \(shape.statement)")
                    while true {
                        let result = try c.execute("FETCH FORWARD 10000 FROM shape")
                        if result.rowCount == 0 { break }
                        for row in 0..<result.rowCount {
                            for column in 0..<result.columnCount { n += Int64(result.bytes(row, column)?.count ?? 0) }
                        }
                    }
                    try c.execute("COMMIT")
                } else {
                    let stream = try c.copyOut(shape.statement)
                    while let count = try stream.nextChunk({ $0.count }) { n += Int64(count) }
                    _ = try stream.finish()
                }
                let wall = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
                let cpu = ServerCPU.total(postmaster: postmaster) - before
                bytes[i] = n
                if round == 0 { continue }  // warm-up
                walls[i].append(wall)
                cpus[i].append(cpu)
                log(String(format: "shape round %d: %-52@ %7.3f s  server %6.3f s", round, shape.name as NSString, wall, cpu))
            }
        }
        return shapes.indices.map { Result(shape: shapes[$0], wall: median(walls[$0]), serverCPU: median(cpus[$0]),
                                           bytes: bytes[$0]) }
    }
}
