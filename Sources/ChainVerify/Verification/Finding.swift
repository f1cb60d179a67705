/// One thing wrong with an org's data or the database, lint-style: a stable code (its kind), a severity, a
/// place (a seq, or a target such as a table or a session id), a detail and, through its kind, a remediation.
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

    /// What kind of finding it is; the raw values are the stable codes reports use (docs/report.md).
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

        // Tenant isolation (`chain-audit tenants`).

        /// An org-scoped table does not have row level security enabled.
        case rlsDisabled = "rls_disabled"
        /// An org-scoped table's row level security is not forced, so its owner bypasses it.
        case rlsNotForced = "rls_not_forced"
        /// An org-scoped table has no policy whose expression reads its org column.
        case rlsPolicyMissing = "rls_policy_missing"
        /// A permissive policy admits rows without reading the org column, so every org's rows pass it.
        case rlsPolicyPermissive = "rls_policy_permissive"
        /// An org-scoped table's org column allows NULL.
        case orgIDNullable = "org_id_nullable"
        /// Rows whose org column names no org.
        case orphanOrgID = "orphan_org_id"
        /// An event whose session aggregate belongs to another org.
        case crossOrgSessionEvent = "cross_org_session_event"
        /// A session whose user belongs to another org.
        case crossOrgSessionUser = "cross_org_session_user"
        /// An event whose prev_hash is another org's event hash: a chain spliced across orgs.
        case splicedChain = "spliced_chain"
        /// Acting as the probe role for one org, rows of other orgs are visible.
        case probeCrossOrgVisible = "probe_cross_org_visible"
        /// Acting as the probe role with the org setting empty, rows are visible.
        case probeUnscopedVisible = "probe_unscoped_visible"
        /// Acting as the probe role for one org, that org's own rows are hidden, so the probe proves nothing.
        case probeOwnRowsHidden = "probe_own_rows_hidden"
        /// The probe role is a superuser or has BYPASSRLS: no policy binds it.
        case probeRoleBypassesRLS = "probe_role_bypasses_rls"
        /// No live probe ran: no probe role was given and the configured application role does not exist.
        case probeNotRun = "probe_not_run"

        // Sessions (`chain-audit sessions`).

        /// A closed session has no `session.started` event in its org's chain.
        case sessionStartMissing = "session_start_missing"
        /// A closed session has no `session.ended` event in its org's chain.
        case sessionEndMissing = "session_end_missing"
        /// A session's `session.ended` event comes before its `session.started` event.
        case sessionEventsOutOfOrder = "session_events_out_of_order"
        /// A session's started_at is after its ended_at.
        case sessionTimesInverted = "session_times_inverted"
        /// A session has a `session.ended` event but no ended_at.
        case sessionEndUnrecorded = "session_end_unrecorded"
        /// A session has been open longer than the maximum session age.
        case sessionOpenTooLong = "session_open_too_long"
        /// A session has more than one `session.started` or `session.ended` event.
        case sessionEventRepeated = "session_event_repeated"
        /// Session events for a session the org's sessions table does not hold.
        case sessionUnknown = "session_unknown"
        /// A user who has sessions has no `user.logged_in` event.
        case loginMissing = "login_missing"
        /// No login or no closed session was recorded within the expected window.
        case activityMissing = "activity_missing"
    }

    /// What kind of break it is.
    public var kind: Kind
    /// How serious it is.
    public var severity: Severity
    /// The seq it is at, when it has one.
    public var seq: Int64?
    /// What it is about when that is not (only) a seq: a table, a session id, a user id, a role.
    public var target: String?
    /// A one-line explanation with the values involved.
    public var detail: String
    /// Whether `--accept` turned it into an accepted note, which does not fail the run.
    public var accepted = false

    /// Creates a finding.
    public init(kind: Kind, severity: Severity = .error, seq: Int64?, target: String? = nil, detail: String) {
        self.kind = kind
        self.severity = severity
        self.seq = seq
        self.target = target
        self.detail = detail
    }

    /// The stable code: the kind's name.
    public var code: String { kind.rawValue }

    /// Where it is, as reports print it and `--accept CODE:TARGET` matches it: the target, else `seq N`.
    public var place: String? {
        target ?? seq.map { "seq \($0)" }
    }
}
