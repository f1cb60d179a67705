extension Finding.Kind {
    /// The check that makes findings of this kind.
    public var check: AuditCheck {
        switch self {
        case .contentMismatch, .linkMismatch, .seqGap, .seqDuplicate, .fork, .malformedHash, .genesisMismatch,
            .headMismatch, .checkpointMismatch, .chainTruncated, .seqInvalid:
            return .chain
        case .rlsDisabled, .rlsNotForced, .rlsPolicyMissing, .rlsPolicyPermissive, .orgIDNullable, .orphanOrgID,
            .crossOrgSessionEvent, .crossOrgSessionUser, .splicedChain, .probeCrossOrgVisible, .probeUnscopedVisible,
            .probeOwnRowsHidden, .probeRoleBypassesRLS, .probeNotRun:
            return .tenants
        case .sessionStartMissing, .sessionEndMissing, .sessionEventsOutOfOrder, .sessionTimesInverted,
            .sessionEndUnrecorded, .sessionOpenTooLong, .sessionEventRepeated, .sessionUnknown, .loginMissing,
            .activityMissing:
            return .sessions
        }
    }

    /// The severity findings of this kind always have.
    public var severity: Finding.Severity {
        switch self {
        case .probeNotRun, .sessionOpenTooLong, .sessionEventRepeated, .sessionUnknown:
            return .warning
        default:
            return .error
        }
    }

    /// What to do about a finding of this kind, in one line.
    public var remediation: String {
        switch self {
        case .contentMismatch:
            return "Run `chain-audit explain --org ORG --seq N`: it tells tampering (the row or its hash changed) from "
                + "canonicalisation drift (the trigger hashed other bytes); restore the row from a backup or fix "
                + "the trigger."
        case .linkMismatch:
            return
                "The row's prev_hash does not continue the chain: a row before it was rewritten or rehashed, or this "
                + "row was spliced in; compare with a backup and `chain-audit explain` both rows."
        case .seqGap:
            return "Rows are missing: restore them from a backup; events.domain_events is append-only, so a gap means "
                + "a delete with triggers bypassed."
        case .seqDuplicate:
            return "Two rows share a seq: restore the unique (org_id, seq) constraint and remove the copy that is not "
                + "in the backup."
        case .fork:
            return "Two different rows extend the same predecessor: a writer bypassed the trigger's lock; keep the row "
                + "the backup holds and investigate the other writer."
        case .malformedHash:
            return "A prev_hash or hash is NULL or not 32 bytes: restore the row from a backup."
        case .genesisMismatch:
            return "The org's first event must link to 32 zero bytes: the chain's start was replaced; restore it."
        case .headMismatch:
            return "events.chain_heads disagrees with the chain's end: a truncated tail or a stale or forged head; "
                + "compare with a signed checkpoint."
        case .checkpointMismatch:
            return "The event at the signed checkpoint's seq has another hash or is gone: history at or before it was "
                + "rewritten or forked; restore from a backup that matches the checkpoint and find who wrote it."
        case .chainTruncated:
            return "The chain ends before the signed checkpoint's seq: events were deleted from its tail (and the chain "
                + "head moved back); restore them from a backup."
        case .seqInvalid:
            return "A seq below 1 was written behind the trigger's back: restore the row from a backup."
        case .rlsDisabled:
            return
                "ALTER TABLE <table> ENABLE ROW LEVEL SECURITY, with a policy on the org column (samples/schema.sql)."
        case .rlsNotForced:
            return "ALTER TABLE <table> FORCE ROW LEVEL SECURITY, so the table's owner is bound by its policies too."
        case .rlsPolicyMissing:
            return "CREATE POLICY on the table USING and WITH CHECK (org_id = current_setting('app.current_org_id')) "
                + "as samples/schema.sql does."
        case .rlsPolicyPermissive:
            return "Drop the policy or make its expressions compare the org column with the org setting; permissive "
                + "policies are OR-ed, so one open policy opens the table."
        case .orgIDNullable:
            return "ALTER TABLE <table> ALTER COLUMN org_id SET NOT NULL (after fixing any NULL rows): a row with no "
                + "org escapes every policy's comparison."
        case .orphanOrgID:
            return "Rows name an org that public.orgs does not hold: restore the org or remove the rows, and keep a "
                + "foreign key to public.orgs."
        case .crossOrgSessionEvent:
            return "An org's chain records another org's session: find the code path that wrote it without the "
                + "session's org; the event cannot be changed, so record a correcting event."
        case .crossOrgSessionUser:
            return "A session belongs to one org and its user to another: fix the session's org_id or user_id and "
                + "find the code path that mixed them."
        case .splicedChain:
            return "An event continues another org's chain: rows were moved or copied between orgs behind the trigger; "
                + "restore both orgs' chains from a backup."
        case .probeCrossOrgVisible:
            return "The application role sees other orgs' rows: fix the table's policies so every permissive policy "
                + "compares the org column with the org setting."
        case .probeUnscopedVisible:
            return "With no org set the application role sees rows: make the policies fail closed "
                + "(NULLIF(current_setting(..., true), '')::uuid admits nothing when the setting is empty)."
        case .probeOwnRowsHidden:
            return "The application role cannot see its own org's rows with the org setting, so the probe proves "
                + "nothing: check org_setting in --config and the table's policies and grants."
        case .probeRoleBypassesRLS:
            return "Probe (and run the application) as a role without SUPERUSER or BYPASSRLS: no policy binds this one."
        case .probeNotRun:
            return "Pass --probe-role ROLE (the application's role), or set application_role in --config."
        case .sessionStartMissing:
            return "The closed session has no session.started event in its org's chain: the application did not "
                + "record the start; find why before the next deploy."
        case .sessionEndMissing:
            return "The closed session has no session.ended event: the application set ended_at without recording "
                + "the end event."
        case .sessionEventsOutOfOrder:
            return "The session's end event precedes its start event in the chain: check the application's event "
                + "ordering and clocks."
        case .sessionTimesInverted:
            return "agents.sessions has started_at after ended_at: fix the row and the code that closes sessions."
        case .sessionEndUnrecorded:
            return "The session.ended event exists but agents.sessions.ended_at is NULL: the close did not reach the "
                + "sessions table (the story's \"confirm agents.sessions.ended_at populated\")."
        case .sessionOpenTooLong:
            return "The session has been open longer than --max-session-age: close it, or raise the limit if "
                + "long sessions are expected."
        case .sessionEventRepeated:
            return "The session has several start or end events: check for retried writes in the application."
        case .sessionUnknown:
            return "Session events name a session this org's agents.sessions does not hold: the row was deleted or "
                + "belongs to another org (see `chain-audit tenants`)."
        case .loginMissing:
            return "The user has sessions but no user.logged_in event: the login path did not record its event."
        case .activityMissing:
            return "No login or closed session was recorded within --expect-activity-within: the smoke test did not "
                + "run, or its events did not reach the store."
        }
    }
}
