import Foundation

/// The hashed fields of one event in `events.domain_events`, in chain format v1 column order.
public struct ChainEvent: Sendable, Hashable {
    /// `org_id`: the tenant whose chain the event belongs to.
    public var orgID: UUID
    /// `seq`: the event's place in its org's chain, from 1.
    public var seq: Int64
    /// `event_type`, e.g. `session.started`; `nil` only in tampered data (the column is NOT NULL).
    public var eventType: String?
    /// `aggregate_type`, e.g. `session`; `nil` only in tampered data.
    public var aggregateType: String?
    /// `aggregate_id`: the id of the aggregate the event is about.
    public var aggregateID: UUID
    /// `actor_id`: who caused the event, or `nil`.
    public var actorID: UUID?
    /// `occurred_at`.
    public var occurredAt: PostgresTimestamp
    /// `payload`: the jsonb value in the text form PostgreSQL prints for it (`jsonb_out`).
    ///
    /// PostgreSQL normalises jsonb (key order, spacing, duplicate keys), so this must be the server's
    /// rendering, e.g. `{"a": 1, "bb": [true, null]}`, not arbitrary JSON text.
    public var payloadJSON: String

    /// Creates an event from its hashed fields.
    public init(orgID: UUID, seq: Int64, eventType: String?, aggregateType: String?, aggregateID: UUID,
                actorID: UUID?, occurredAt: PostgresTimestamp, payloadJSON: String) {
        self.orgID = orgID
        self.seq = seq
        self.eventType = eventType
        self.aggregateType = aggregateType
        self.aggregateID = aggregateID
        self.actorID = actorID
        self.occurredAt = occurredAt
        self.payloadJSON = payloadJSON
    }
}
