/// One thing wrong with an org's data, with its kind, severity and place.
public struct Finding: Sendable, Hashable, Codable {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Codable, Comparable {
        /// Fails the run.
        case error
        /// Reported; fails the run only when the caller asks for strictness.
        case warning

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            lhs == .error && rhs == .warning
        }
    }

    /// What kind of break it is; the raw values are the stable names reports use.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The stored hash differs from `SHA-256(prev_hash || canonical)` recomputed from the row.
        case contentMismatch = "content_mismatch"
        /// The row's `prev_hash` differs from the previous row's hash.
        case linkMismatch = "link_mismatch"
        /// One or more seqs are missing before this one.
        case seqGap = "seq_gap"
        /// A seq appears more than once, not as a fork.
        case seqDuplicate = "seq_duplicate"
        /// Two rows at one seq claim the same predecessor with different content.
        case fork = "fork"
        /// A `prev_hash` or `hash` is NULL or not 32 bytes.
        case malformedHash = "malformed_hash"
        /// The first event's `prev_hash` is not 32 zero bytes.
        case genesisMismatch = "genesis_mismatch"
        /// The chain's end differs from `events.chain_heads`.
        case headMismatch = "head_mismatch"
        /// The chain disagrees with a signed checkpoint: the event at its seq has another hash, or is gone.
        case checkpointMismatch = "checkpoint_mismatch"
        /// The chain ends before a signed checkpoint's seq: events were removed from its tail.
        case chainTruncated = "chain_truncated"
        /// A seq below 1, which no chain holds.
        case seqInvalid = "seq_invalid"
    }

    /// What kind of break it is.
    public var kind: Kind
    /// How serious it is.
    public var severity: Severity
    /// The seq it is at, when it has one.
    public var seq: Int64?
    /// A one-line explanation with the values involved.
    public var detail: String

    /// Creates a finding.
    public init(kind: Kind, severity: Severity = .error, seq: Int64?, detail: String) {
        self.kind = kind
        self.severity = severity
        self.seq = seq
        self.detail = detail
    }
}
