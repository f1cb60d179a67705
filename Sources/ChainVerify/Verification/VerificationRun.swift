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

    /// How strict the run is about its inputs.
    public struct Policy: Sendable {
        /// An org name that matches no org makes the run incomplete (else it is a warning).
        public var strictOrgs = true
        /// Verify a database whose encoding is not UTF8 (SQL_ASCII is refused whatever this says).
        public var allowNonUTF8 = false

        /// Creates a policy.
        public init(strictOrgs: Bool = true, allowNonUTF8: Bool = false) {
            self.strictOrgs = strictOrgs
            self.allowNonUTF8 = allowNonUTF8
        }
    }

    private let spec: ConnectionSpec
    private let options: OrgVerifier.Options
    private let shard: Shard?
    private let checkpoints: CheckpointSource?
    private let policy: Policy

    /// Creates a run against the database `spec` names; `shard` keeps only that shard's orgs; with
    /// `checkpoints`, each org is held against its signed checkpoint.
    public init(spec: ConnectionSpec, options: OrgVerifier.Options = .init(), shard: Shard? = nil,
                checkpoints: CheckpointSource? = nil, policy: Policy = .init()) {
        self.spec = spec
        self.options = options
        self.shard = shard
        self.checkpoints = checkpoints
        self.policy = policy
    }

    /// Runs it. Never throws: everything that goes wrong is in the report, which is then `incomplete`.
    public func run(_ selection: Selection) -> RunReport {
        let clock = DispatchTime.now()
        var report = RunReport(startedAt: Date())
        if let (connection, resolved, sizes) = Self.prepare(spec: spec, selection: selection, shard: shard,
                                                            policy: policy, into: &report)
        {
            var orgs = resolved
            var anchors: [UUID: SignedCheckpoint] = [:]
            if let checkpoints {
                let identity = DatabaseIdentity(systemIdentifier: report.database?.systemIdentifier ?? "?",
                                                database: report.database?.name ?? "?")
                (orgs, anchors) = checkpoints.anchors(for: resolved, identity: identity, errors: &report.errors)
            }
            let expected = orgs.reduce(Int64(0)) { total, org in
                let size = sizes[org.id] ?? 0
                guard let anchor = anchors[org.id], checkpoints?.full == false else { return total + size }
                return total + max(0, size - anchor.checkpoint.size + 1)
            }
            options.progress?.expect(expected)
            let results = verify(orgs, sizes: sizes, anchors: anchors, first: connection, errors: &report.errors)
            report.orgs = orgs.indices.compactMap { results[$0] }
        }
        report.durationSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
        return report
    }

    /// Connects, describes the database in `report`, and resolves the selection (with the shard applied)
    /// and each org's recorded size; on failure, says why in `report.errors` and returns `nil`.
    static func prepare(spec: ConnectionSpec, selection: Selection, shard: Shard?, policy: Policy = .init(),
                        into report: inout RunReport) -> (Connection, [OrgIdentity], [UUID: Int64])?
    {
        let connection: Connection
        do {
            connection = try Connection(spec)
        } catch {
            report.errors.append(String(describing: error))
            return nil
        }
        guard describe(connection, policy: policy, into: &report) else { return nil }
        do {
            let resolver = OrgResolver(connection: connection)
            let orgs = try resolver.select(selection, shard: shard, policy: policy, verb: "verify", into: &report)
            return (connection, orgs, try resolver.recordedSizes())
        } catch {
            report.errors.append("cannot list orgs: \(error)")
            return nil
        }
    }

    /// Describes the database in `report` (who, where, recovery, encoding, identity) and applies `policy`:
    /// returns `false`, with the reason in `report.errors`, for a database whose text chain format v1 cannot
    /// hash as asked; warns in `report.warnings` when the role could write the audited tables.
    static func describe(_ connection: Connection, policy: Policy, mapping: SchemaMapping = .reference,
                         into report: inout RunReport) -> Bool
    {
        let target = connection.target
        report.database = .init(user: target.user, name: target.database, host: target.host, port: target.port,
                                serverVersion: connection.serverVersion)
        do {
            let facts = try DatabaseFacts.read(connection, tables: [mapping.events.name, mapping.chainHeads.name])
            report.database?.inRecovery = facts.inRecovery
            report.database?.replayLSN = facts.replayLSN
            report.database?.encoding = facts.encoding
            report.database?.systemIdentifier = facts.identity.systemIdentifier
            if facts.encoding == "SQL_ASCII" {
                report.errors.append("the database's encoding is SQL_ASCII: its text is unchecked bytes with no "
                                     + "UTF-8 form, so chain format v1's canonical bytes are undefined")
                return false
            }
            if facts.encoding != "UTF8" && !policy.allowNonUTF8 {
                report.errors.append("the database's encoding is \(facts.encoding), not UTF8: chain format v1 hashes "
                                     + "text as UTF-8 converted from it; pass --allow-non-utf8 to verify it anyway")
                return false
            }
            if let why = facts.canWrite {
                report.warnings.append("role \(DisplayText.quoted(target.user)) can write the audited tables (\(why)): "
                                       + "audit as a read-only role, such as samples/roles.sql's chain_auditor")
            }
            return true
        } catch {
            report.errors.append("cannot read the database's settings: \(error)")
            return false
        }
    }

    /// Verifies the orgs; returns their reports by index (missing where the run stopped before them).
    private func verify(_ orgs: [OrgIdentity], sizes: [UUID: Int64], anchors: [UUID: SignedCheckpoint],
                        first: Connection, errors: inout [String]) -> [Int: OrgReport]
    {
        let full = checkpoints?.full ?? false
        func options(for org: OrgIdentity, jobs: Int) -> OrgVerifier.Options {
            var o = self.options
            o.jobs = jobs
            if let anchor = anchors[org.id] {
                o.anchor = ChainChecker.Anchor(seq: anchor.checkpoint.size, hash: anchor.checkpoint.root)
                o.incremental = !full
            }
            return o
        }
        var results: [Int: OrgReport] = [:]
        var connection = first
        let big = orgs.indices.filter {
            self.options.jobs > 1 && (sizes[orgs[$0].id] ?? 0) >= self.options.splitThreshold
        }
        let small = orgs.indices.filter { !big.contains($0) }
        // Sequential part: every org when jobs is 1, else the big orgs, each split across `jobs` connections.
        for index in self.options.jobs > 1 ? big : orgs.indices.map({ $0 }) {
            if Cancellation.isRequested {
                errors.append("\(CancelledError()): org \(orgs[index].slug) and those after it were not verified")
                return results
            }
            if !connection.isOpen {
                do {
                    connection = try Connection(spec)
                } catch {
                    errors.append("cannot reconnect for org \(orgs[index].slug): \(error)")
                    return results
                }
            }
            do {
                let result = try OrgVerifier(connection: connection, options: options(for: orgs[index], jobs: self.options.jobs))
                    .verify(orgs[index])
                results[index] = result
                if self.options.stopAtFirstError && result.log.errorCount > 0 { return results }
            } catch {
                errors.append(String(describing: error))
                return results
            }
        }
        guard self.options.jobs > 1, !small.isEmpty else { return results }
        connection.close()
        // Parallel part: the small orgs, `jobs` at a time, one connection each.
        let pool = OrgPool(indices: small, workers: min(self.options.jobs, small.count))
        let group = DispatchGroup()
        let single = Dictionary(uniqueKeysWithValues: small.map { ($0, options(for: orgs[$0], jobs: 1)) })
        let stopAtFirstError = self.options.stopAtFirstError
        for _ in 0..<pool.workers {
            group.enter()
            let thread = Thread { [spec] in
                var connection: Connection?
                while let index = pool.next() {
                    do {
                        if connection?.isOpen != true { connection = try Connection(spec) }
                        let result = try OrgVerifier(connection: connection!, options: single[index]!).verify(orgs[index])
                        pool.finish(index, result, stop: stopAtFirstError && result.log.errorCount > 0)
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
        let skipped = small.filter { results[$0] == nil }.count
        if Cancellation.isRequested && skipped > 0 {
            errors.append("\(CancelledError()): \(skipped) org(s) were not verified")
        }
        return results
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

    /// The next org to verify, or `nil` when none is left, the run stopped, or a stop was requested.
    func next() -> Int? {
        state.withLock { $0.stopped || Cancellation.isRequested ? nil : $0.pending.popLast() }
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
