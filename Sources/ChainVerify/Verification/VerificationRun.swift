import EventModel
import Foundation
import Synchronization

/// A whole `verify` run: connect, resolve the orgs, verify each, collect one report.
///
/// With `jobs` > 1, orgs of at least `splitThreshold` events are verified one at a time, each split across
/// `jobs` connections on one snapshot; the smaller orgs are then verified `jobs` at a time, one connection
/// each. Reports keep the order the orgs were requested in.
public struct VerificationRun {
    /// Which orgs to verify.
    public enum Selection: Sendable, Equatable {
        /// The named orgs (slugs or uuids), in order.
        case named([String])
        /// Every org in `public.orgs`.
        case all
    }

    private let spec: ConnectionSpec
    private let options: OrgVerifier.Options
    private let shard: Shard?

    /// Creates a run against the database `spec` names; `shard` keeps only that shard's orgs.
    public init(spec: ConnectionSpec, options: OrgVerifier.Options = .init(), shard: Shard? = nil) {
        self.spec = spec
        self.options = options
        self.shard = shard
    }

    /// Runs it. Never throws: everything that goes wrong is in the report, which is then `incomplete`.
    public func run(_ selection: Selection) -> RunReport {
        let started = Date()
        let clock = DispatchTime.now()
        var report = RunReport(startedAt: started)
        func finish() -> RunReport {
            report.durationSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
            return report
        }
        let connection: Connection
        do {
            connection = try Connection(spec)
        } catch {
            report.errors.append(String(describing: error))
            return finish()
        }
        let target = connection.target
        report.database = .init(user: target.user, name: target.database, host: target.host, port: target.port,
                                serverVersion: connection.serverVersion)
        var orgs: [OrgIdentity]
        var sizes: [UUID: Int64]
        do {
            let resolver = OrgResolver(connection: connection)
            switch selection {
            case .all:
                orgs = try resolver.all()
                if orgs.isEmpty { report.errors.append("public.orgs holds no orgs: nothing to verify") }
            case .named(let names):
                let resolution = try resolver.resolve(names)
                orgs = resolution.orgs
                for name in resolution.unknown {
                    report.errors.append("unknown org \(quoted(name)): no public.orgs row has that slug or id")
                }
            }
            if let shard { orgs = orgs.filter(shard.contains) }
            sizes = try resolver.recordedSizes()
        } catch {
            report.errors.append("cannot list orgs: \(error)")
            return finish()
        }
        options.progress?.expect(orgs.reduce(0) { $0 + (sizes[$1.id] ?? 0) })
        let results = verify(orgs, sizes: sizes, first: connection, errors: &report.errors)
        report.orgs = orgs.indices.compactMap { results[$0] }
        return finish()
    }

    /// Verifies the orgs; returns their reports by index (missing where the run stopped before them).
    private func verify(_ orgs: [OrgIdentity], sizes: [UUID: Int64], first: Connection, errors: inout [String])
        -> [Int: OrgReport]
    {
        var results: [Int: OrgReport] = [:]
        var connection = first
        let big = orgs.indices.filter { options.jobs > 1 && (sizes[orgs[$0].id] ?? 0) >= options.splitThreshold }
        let small = orgs.indices.filter { !big.contains($0) }
        // Sequential part: every org when jobs is 1, else the big orgs, each split across `jobs` connections.
        for index in options.jobs > 1 ? big : orgs.indices.map({ $0 }) {
            if !connection.isOpen {
                do {
                    connection = try Connection(spec)
                } catch {
                    errors.append("cannot reconnect for org \(orgs[index].slug): \(error)")
                    return results
                }
            }
            do {
                let result = try OrgVerifier(connection: connection, options: options).verify(orgs[index])
                results[index] = result
                if options.stopAtFirstError && result.log.errorCount > 0 { return results }
            } catch {
                errors.append(String(describing: error))
                return results
            }
        }
        guard options.jobs > 1, !small.isEmpty else { return results }
        connection.close()
        // Parallel part: the small orgs, `jobs` at a time, one connection each.
        let pool = OrgPool(indices: small, workers: min(options.jobs, small.count))
        let group = DispatchGroup()
        var oneConnection = options
        oneConnection.jobs = 1
        let single = oneConnection
        for _ in 0..<pool.workers {
            group.enter()
            let thread = Thread { [spec] in
                var connection: Connection?
                while let index = pool.next() {
                    do {
                        if connection?.isOpen != true { connection = try Connection(spec) }
                        let result = try OrgVerifier(connection: connection!, options: single).verify(orgs[index])
                        pool.finish(index, result, stop: single.stopAtFirstError && result.log.errorCount > 0)
                    } catch {
                        pool.fail("org \(orgs[index].slug): \(error)")
                    }
                }
                connection?.close()
                group.leave()
            }
            thread.start()
        }
        group.wait()
        for (index, result) in pool.results { results[index] = result }
        errors.append(contentsOf: pool.errors)
        return results
    }

    /// A user-typed name, quoted and with control characters escaped, safe to print on one line.
    private func quoted(_ name: String) -> String {
        var out = "'"
        for scalar in name.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}

/// The small orgs of a run, handed out to worker threads one at a time.
private final class OrgPool: Sendable {
    let workers: Int
    private let state: Mutex<State>

    private struct State {
        var pending: [Int]
        var results: [Int: OrgReport] = [:]
        var errors: [String] = []
        var stopped = false
    }

    init(indices: [Int], workers: Int) {
        self.workers = workers
        state = Mutex(State(pending: indices.reversed()))
    }

    /// The next org to verify, or `nil` when none is left or the run stopped.
    func next() -> Int? {
        state.withLock { $0.stopped ? nil : $0.pending.popLast() }
    }

    func finish(_ index: Int, _ report: OrgReport, stop: Bool) {
        state.withLock {
            $0.results[index] = report
            if stop { $0.stopped = true }
        }
    }

    func fail(_ message: String) {
        state.withLock {
            $0.errors.append(message)
            $0.stopped = true
        }
    }

    var results: [Int: OrgReport] { state.withLock { $0.results } }
    var errors: [String] { state.withLock { $0.errors } }
}
