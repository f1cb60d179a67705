import Foundation

/// The benchmark's table and JSON, and the targets judged on them.
struct Report {
    let rows: [Measure.Row]
    let events: Int64
    let bytes: Int64
    let mediumEvents: Int64
    let hashBytes: Int
    let hashOurs: Double
    let hashOpenSSL: Double?
    let shapes: [QueryShapes.Result]
    let rounds: Int
    let inDatabaseQuery: String

    struct Target {
        let name: String
        let value: String
        let goal: String
        let met: Bool
    }

    func row(_ key: String) -> Measure.Row? { rows.first { $0.config.key == key } }

    var targets: [Target] {
        guard let a = row("a"), let c = row("c"), let e = row("e"), let f = row("f") else { return [] }
        var out: [Target] = []
        out.append(Target(name: "(c) wall vs (a) server COPY", value: String(format: "%.3f x", c.wall / a.wall),
                          goal: "<= 1.05 x", met: c.wall <= 1.05 * a.wall))
        out.append(Target(name: "(c) client CPU per event", value: String(format: "%.2f us", c.clientMicrosecondsPerEvent),
                          goal: "<= 2.5 us", met: c.clientMicrosecondsPerEvent <= 2.5))
        out.append(Target(name: "(c) faster than (e) in-database query", value: String(format: "%.2f x", e.wall / c.wall),
                          goal: ">= 1.6 x", met: e.wall / c.wall >= 1.6))
        out.append(Target(name: "(c) server CPU vs (e)", value: String(format: "%.2f of it", c.server / e.server),
                          goal: "<= 0.33", met: c.server <= e.server / 3))
        out.append(Target(name: "(c) faster than (f) psycopg2", value: String(format: "%.2f x", f.wall / c.wall),
                          goal: ">= 3 x", met: f.wall / c.wall >= 3))
        let verifies = rows.filter { $0.config.key.hasPrefix("c") || $0.config.key.hasPrefix("d") }
        let peak = verifies.map(\.rssMiB).max() ?? 0
        out.append(Target(name: "chain-audit peak RSS", value: String(format: "%.1f MiB", peak), goal: "<= 32 MiB",
                          met: peak <= 32))
        if let medium = row("c-medium") {
            let growth = c.rssMiB - medium.rssMiB
            out.append(Target(name: "RSS flat from \(mediumEvents) to \(events) events",
                              value: String(format: "%+.1f MiB (%.1f -> %.1f)", growth, medium.rssMiB, c.rssMiB),
                              goal: "<= +2 MiB", met: growth <= 2))
        }
        if let d2 = row("d2") {
            out.append(Target(name: "(d) --jobs 2 faster than (c)", value: String(format: "%.2f x", c.wall / d2.wall),
                              goal: ">= 1.15 x", met: c.wall / d2.wall >= 1.15))
        }
        if let g = row("g") {
            out.append(Target(name: "incremental verify of the new events vs full (c)",
                              value: String(format: "%.2f%% (%.3f s vs %.3f s)", 100 * g.wall / c.wall, g.wall, c.wall),
                              goal: "<= 1%", met: g.wall <= 0.01 * c.wall))
        }
        if let openssl = hashOpenSSL {
            out.append(Target(name: "batch SHA-256 vs openssl speed (\(hashBytes) B)",
                              value: String(format: "%.2f x (%.0f vs %.0f MB/s)", hashOurs / openssl, hashOurs / 1e6,
                                            openssl / 1e6),
                              goal: ">= 0.9 x", met: hashOurs >= 0.9 * openssl))
        }
        return out
    }

    func table() -> String {
        let a = row("a")?.wall ?? .nan
        var out = String(format: "%d events, %.1f MB of COPY stream, median of %d warm runs each, in alternation\n\n",
                         events, Double(bytes) / 1e6, rounds)
        out += pad("config", 44) + lpad("wall s", 8) + lpad("events/s", 11) + lpad("MB/s", 8) + lpad("client s", 9)
            + lpad("us/event", 9) + lpad("server s", 9) + lpad("RSS MiB", 8) + lpad("x (a)", 7) + "\n"
        for r in rows {
            out += pad(r.config.label, 44) + lpad(String(format: "%.3f", r.wall), 8)
                + lpad(grouped(r.eventsPerSecond), 11) + lpad(String(format: "%.1f", r.megabytesPerSecond), 8)
                + lpad(String(format: "%.3f", r.client), 9) + lpad(String(format: "%.2f", r.clientMicrosecondsPerEvent), 9)
                + lpad(String(format: "%.3f", r.server), 9) + lpad(String(format: "%.1f", r.rssMiB), 8)
                + lpad(String(format: "%.2f", r.wall / a), 7)
                + (r.failures.isEmpty ? "" : "  FAILED: " + r.failures.joined(separator: "; ")) + "\n"
        }
        out += "\nquery shapes (client reads and discards; chain-audit keeps the first):\n"
        for s in shapes {
            out += "  " + pad(s.shape.name, 56) + String(format: "%7.3f s  server %6.3f s\n", s.wall, s.serverCPU)
        }
        out += "\ntargets:\n"
        for t in targets {
            out += "  " + (t.met ? "met     " : "NOT MET ") + pad(t.name, 44) + pad(t.value, 30) + "(" + t.goal + ")\n"
        }
        return out
    }

    func json() throws -> Data {
        func r3(_ x: Double) -> Double { x.isFinite ? (x * 1000).rounded() / 1000 : -1 }
        let a = row("a")?.wall ?? .nan
        let object: [String: Any] = [
            "date": ISO8601DateFormatter().string(from: Date()),
            "machine": machine(),
            "events": events, "stream_bytes": bytes, "medium_events": mediumEvents, "rounds": rounds,
            "in_database_query": inDatabaseQuery,
            "results": rows.map { r -> [String: Any] in
                ["key": r.config.key, "label": r.config.label, "walls": r.walls.map(r3), "wall": r3(r.wall),
                 "events_per_second": r3(r.eventsPerSecond), "mb_per_second": r3(r.megabytesPerSecond),
                 "client_cpu_seconds": r3(r.client), "client_us_per_event": r3(r.clientMicrosecondsPerEvent),
                 "server_cpu_seconds": r3(r.server), "peak_rss_mib": r3(r.rssMiB), "ratio_to_a": r3(r.wall / a),
                 "failures": r.failures]
            },
            "hash_speed": ["bytes": hashBytes, "ours_mb_per_second": r3(hashOurs / 1e6),
                           "openssl_mb_per_second": hashOpenSSL.map { r3($0 / 1e6) } ?? -1],
            "query_shapes": shapes.map { ["name": $0.shape.name, "wall": r3($0.wall), "server_cpu_seconds": r3($0.serverCPU)] },
            "targets": targets.map { ["name": $0.name, "value": $0.value, "goal": $0.goal, "met": $0.met] },
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    private func machine() -> [String: Any] {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        return ["cpu": cpu, "cores": ProcessInfo.processInfo.activeProcessorCount,
                "memory_gib": Int(ProcessInfo.processInfo.physicalMemory >> 30),
                "kernel": ProcessInfo.processInfo.operatingSystemVersionString]
    }

    private func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    private func lpad(_ s: String, _ n: Int) -> String { s.count >= n ? " " + s : String(repeating: " ", count: n - s.count) + s }
    private func grouped(_ x: Double) -> String {
        guard x.isFinite else { return "-" }
        let digits = String(Int(x.rounded()))
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }
}
