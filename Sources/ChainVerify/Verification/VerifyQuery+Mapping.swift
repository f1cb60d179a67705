import Foundation

extension VerifyQuery {
    /// The events columns in COPY order (see `Column`): `prev_hash`, the eight canonical fields, `hash`.
    static let copyRoles = [
        "prev_hash", "org_id", "seq", "event_type", "aggregate_type", "aggregate_id", "actor_id", "occurred_at",
        "payload", "hash",
    ]

    /// The COPY that streams one org's events under a schema mapping: the reference text for samples/schema.sql's
    /// names, otherwise the same query over the mapped, quoted identifiers.
    static func copyEvents(org: UUID, range: SeqRange = .all, mapping: SchemaMapping) -> String {
        guard mapping.events != SchemaMapping.reference.events else { return copyEvents(org: org, range: range) }
        let events = mapping.events
        return """
            COPY (SELECT \(copyRoles.map { events.column($0) }.joined(separator: ", ")) FROM \(events.name.quoted) \
            WHERE \(events.column("org_id")) = '\(org.lowercased)'::uuid\(range.sqlCondition(column: events.column("seq"))) \
            ORDER BY \(events.column("seq"))) TO STDOUT (FORMAT binary)
            """
    }

    /// The lowest and highest seq of one org (`$1`), under a schema mapping.
    static func seqBounds(mapping: SchemaMapping) -> String {
        guard mapping.events != SchemaMapping.reference.events else { return seqBounds }
        let events = mapping.events
        let seq = events.column("seq"), org = events.column("org_id")
        return "SELECT (SELECT min(\(seq)) FROM \(events.name.quoted) WHERE \(org) = $1::uuid), "
            + "(SELECT max(\(seq)) FROM \(events.name.quoted) WHERE \(org) = $1::uuid)"
    }

    /// The COPY of the rows at one seq of one org, in the verifier's column layout with `ctid` appended, so
    /// `explain` hashes exactly the bytes `verify` does. The org is a validated uuid and the seq a number the
    /// code formats itself, never user text (COPY takes no parameters).
    static func copyEvent(org: UUID, seq: Int64, mapping: SchemaMapping) -> String {
        let events = mapping.events
        return """
            COPY (SELECT \(copyRoles.map { events.column($0) }.joined(separator: ", ")), ctid::text \
            FROM \(events.name.quoted) WHERE \(events.column("org_id")) = '\(org.lowercased)'::uuid \
            AND \(events.column("seq")) = \(seq) ORDER BY ctid) TO STDOUT (FORMAT binary)
            """
    }

    /// The recorded chain head of one org (`$1`), under a schema mapping.
    static func chainHead(mapping: SchemaMapping) -> String {
        guard mapping.chainHeads != SchemaMapping.reference.chainHeads else { return chainHead }
        let heads = mapping.chainHeads
        return
            "SELECT \(heads.column("last_seq")), encode(\(heads.column("last_hash")), 'hex') FROM \(heads.name.quoted) "
            + "WHERE \(heads.column("org_id")) = $1::uuid"
    }

    /// One org by uuid (`$1`), under a schema mapping.
    static func orgByID(mapping: SchemaMapping) -> String {
        guard mapping.orgs != SchemaMapping.reference.orgs else { return orgByID }
        let orgs = mapping.orgs
        return "SELECT \(orgs.column("id"))::text, \(orgs.column("slug")) FROM \(orgs.name.quoted) "
            + "WHERE \(orgs.column("id")) = $1::uuid"
    }

    /// One org by slug (`$1`), under a schema mapping.
    static func orgBySlug(mapping: SchemaMapping) -> String {
        guard mapping.orgs != SchemaMapping.reference.orgs else { return orgBySlug }
        let orgs = mapping.orgs
        return "SELECT \(orgs.column("id"))::text, \(orgs.column("slug")) FROM \(orgs.name.quoted) "
            + "WHERE \(orgs.column("slug")) = $1"
    }

    /// Every org, in slug order, under a schema mapping.
    static func allOrgs(mapping: SchemaMapping) -> String {
        guard mapping.orgs != SchemaMapping.reference.orgs else { return allOrgs }
        let orgs = mapping.orgs
        return "SELECT \(orgs.column("id"))::text, \(orgs.column("slug")) FROM \(orgs.name.quoted) "
            + "ORDER BY \(orgs.column("slug")), \(orgs.column("id"))"
    }
}
