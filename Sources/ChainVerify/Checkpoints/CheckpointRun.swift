import EventModel
import Foundation

/// `chain-audit checkpoint`: verify each org (incrementally from its stored checkpoint, or fully), and on
/// success sign and store a new checkpoint of its chain head.
public struct CheckpointRun {
    /// How to verify and sign.
    public struct Settings: Sendable {
        /// Verification options (jobs, findings limit …); the anchor is set per org.
        public var verify: OrgVerifier.Options
        /// The log name in the origin; `nil` uses the database's identity.
        public var logName: String?
        /// Re-verify every event, not only those after the stored checkpoint.
        public var full: Bool
        /// The signer's key name in the signature line.
        public var keyName: String

        /// Creates settings.
        public init(verify: OrgVerifier.Options = .init(), logName: String? = nil, full: Bool = false,
                    keyName: String = "chain-audit") {
            self.verify = verify
            self.logName = logName
            self.full = full
            self.keyName = keyName
        }
    }

    /// What happened to one org's checkpoint.
    public enum Action: Sendable, Equatable {
        /// A new checkpoint was written at this seq.
        case written(Int64)
        /// The stored checkpoint already commits to the chain head.
        case unchanged(Int64)
        /// Nothing was written, and why (the verification did not pass, the org has no events, or an error,
        /// which is also in the report's errors).
        case notWritten(String)
    }

    /// The run's report and, per org, what happened to its checkpoint.
    public struct Outcome: Sendable {
        /// The verification report.
        public var report: RunReport
        /// Per org uuid.
        public var actions: [UUID: Action]
    }

    private let spec: ConnectionSpec
    private let store: CheckpointStore
    private let key: Ed25519Key
    private let publicKey: Ed25519Key
    private let settings: Settings

    /// Creates a run that signs with `key` (a private key) into `store`.
    public init(spec: ConnectionSpec, store: CheckpointStore, key: Ed25519Key, settings: Settings) throws {
        guard key.isPrivate else { throw KeyError("checkpoints need a private key to sign") }
        self.spec = spec
        self.store = store
        self.key = key
        self.publicKey = try Ed25519Key.publicKey(raw: key.rawPublicKey())
        self.settings = settings
    }

    /// Runs it over the selected orgs, one at a time (each may be split across `jobs` connections).
    public func run(_ selection: VerificationRun.Selection, shard: Shard? = nil) -> Outcome {
        let clock = DispatchTime.now()
        var report = RunReport(startedAt: Date())
        var actions: [UUID: Action] = [:]
        guard let (first, orgs, _) = VerificationRun.prepare(spec: spec, selection: selection, shard: shard,
                                                             into: &report)
        else {
            return Outcome(report: report, actions: actions)
        }
        var connection = first
        let identity = DatabaseIdentity(systemIdentifier: report.database?.systemIdentifier ?? "?",
                                        database: report.database?.name ?? "?")
        let logName = settings.logName ?? identity.logName
        for org in orgs {
            if Cancellation.isRequested {
                report.errors.append("\(CancelledError()): org \(org.slug) and those after it were not checkpointed")
                break
            }
            do {
                if !connection.isOpen { connection = try Connection(spec) }
                let (result, action) = try checkpoint(org, logName: logName, connection: connection)
                report.orgs.append(result)
                actions[org.id] = action
            } catch {
                report.errors.append("org \(org.slug): \(error)")
                actions[org.id] = .notWritten(String(describing: error))
            }
        }
        report.durationSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
        return Outcome(report: report, actions: actions)
    }

    private func checkpoint(_ org: OrgIdentity, logName: String, connection: Connection) throws -> (OrgReport, Action) {
        let origin = Checkpoint.origin(logName: logName, org: org.id)
        let previous = try store.load(org.id, publicKey: publicKey)
        if let previous, previous.checkpoint.origin != origin {
            throw NoteError("checkpoint \(store.path(for: org.id)) has origin \(previous.checkpoint.origin), "
                            + "not \(origin): another database or log name")
        }
        var options = settings.verify
        options.anchor = previous.map { ChainChecker.Anchor(seq: $0.checkpoint.size, hash: $0.checkpoint.root) }
        options.incremental = previous != nil && !settings.full
        let result = try OrgVerifier(connection: connection, options: options).verify(org)
        guard result.status == .ok else {
            return (result, .notWritten("verification did not pass"))
        }
        guard result.headSeq > 0, let head = result.headHash else {
            return (result, .notWritten("the org has no events"))
        }
        let new = Checkpoint(origin: origin, size: result.headSeq, root: head)
        if let previous, previous.checkpoint == new { return (result, .unchanged(new.size)) }
        let note = try SignedNote.sign(text: new.text, name: settings.keyName, key: key)
        try store.save(note, for: org.id, replacing: previous, publicKey: publicKey)
        return (result, .written(new.size))
    }
}
