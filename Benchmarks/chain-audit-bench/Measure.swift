import ChainVerify
import EventModel
import Foundation

/// The benchmark matrix: each way of reading (and verifying) the same org, run in alternation, warm.
struct Measure {
    /// One way of doing the work, run as a program.
    struct Config {
        let key: String
        let label: String
        let argv: [String]
        var environment: [String: String] = [:]
        /// Events this config reads (the medium org for the RSS check).
        var events: Int64
        var bytes: Int64
    }

    /// The medians of one config's runs.
    struct Row {
        let config: Config
        var walls: [Double] = []
        var clientCPU: [Double] = []
        var serverCPU: [Double] = []
        var rssKiB: [Int] = []
        var failures: [String] = []

        var wall: Double { median(walls) }
        var client: Double { median(clientCPU) }
        var server: Double { median(serverCPU) }
        var rssMiB: Double { Double(medianInt(rssKiB)) / 1024 }
        var eventsPerSecond: Double { Double(config.events) / wall }
        var megabytesPerSecond: Double { Double(config.bytes) / wall / 1e6 }
        var clientMicrosecondsPerEvent: Double { client / Double(config.events) * 1e6 }
    }

    let configs: [Config]
    let rounds: Int
    let postmaster: Int32
    let log: (String) -> Void

    /// Runs one warm-up of every config, then `rounds` rounds in alternation.
    func run() throws -> [Row] {
        var rows = configs.map { Row(config: $0) }
        for config in configs {
            log("warm-up: \(config.label)")
            let r = try Spawn.run(config.argv, environment: config.environment)
            if r.status != 0 { throw BenchError("\(config.label) failed in the warm-up (exit \(r.status))") }
        }
        for round in 1...rounds {
            for (i, config) in configs.enumerated() {
                let before = ServerCPU.total(postmaster: postmaster)
                let r = try Spawn.run(config.argv, environment: config.environment,
                                      stderrPath: "/tmp/chain-audit-bench-\(config.key).err")
                Thread.sleep(forTimeInterval: 0.3)  // let the backends exit and be reaped
                let after = ServerCPU.total(postmaster: postmaster)
                if r.status != 0 {
                    rows[i].failures.append("round \(round): exit \(r.status)")
                    continue
                }
                rows[i].walls.append(r.wall)
                rows[i].clientCPU.append(r.clientCPU)
                rows[i].serverCPU.append(after - before)
                rows[i].rssKiB.append(r.maxRSSKiB)
                log(String(format: "round %d: %-44@ %7.3f s  client %6.3f s  server %6.3f s  %6.1f MiB", round,
                           config.label as NSString, r.wall, r.clientCPU, after - before, Double(r.maxRSSKiB) / 1024))
            }
        }
        return rows
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func medianInt(_ values: [Int]) -> Int {
    guard !values.isEmpty else { return 0 }
    return values.sorted()[values.count / 2]
}
