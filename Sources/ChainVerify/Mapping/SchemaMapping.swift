/// The tables, columns, event types and settings the audits read; samples/schema.sql's names by default.
///
/// A store whose names differ is audited by mapping them in a JSON config file (`--config`, see
/// docs/report.md): `SchemaMapping(json:source:)` reads one, and `validate(_:on:)` checks every mapped
/// table and column against the catalog before anything else runs.
public struct SchemaMapping: Sendable, Equatable {
    /// One mapped table: its name and its columns, by the role each plays (the reference column name).
    public struct Table: Sendable, Equatable {
        /// The key under `tables` in the config file, e.g. `sessions`.
        public let key: String
        /// The table.
        public var name: QualifiedName
        /// The column for each role.
        public var columns: [String: SQLIdentifier]

        /// The column that plays `role`; the roles are fixed by `SchemaMapping.tableSpecs`.
        public subscript(role: String) -> SQLIdentifier {
            guard let column = columns[role] else { preconditionFailure("no role \(role) in table \(key)") }
            return column
        }

        /// The quoted column that plays `role`, optionally qualified by a table alias.
        public func column(_ role: String, alias: String? = nil) -> String {
            (alias.map { $0 + "." } ?? "") + self[role].quoted
        }
    }

    /// What a table must look like: its config key, reference name, and each column's role and allowed types.
    public struct TableSpec: Sendable {
        /// The key under `tables`.
        public let key: String
        /// samples/schema.sql's name for it.
        public let referenceName: String
        /// Each column role and the types (`format_type` of the base type) chain format v1 and the audits
        /// accept for it, in the order the reference table has them.
        public let columns: [(role: String, types: [String])]
    }

    /// Event types the session audit looks for.
    public struct EventTypes: Sendable, Equatable {
        /// A user logged in (aggregate: the user).
        public var login = "user.logged_in"
        /// A session started (aggregate: the session).
        public var sessionStarted = "session.started"
        /// A session ended (aggregate: the session).
        public var sessionEnded = "session.ended"
    }

    /// Aggregate types that name sessions and users in `events.domain_events.aggregate_type`.
    public struct AggregateTypes: Sendable, Equatable {
        /// A session aggregate (its aggregate_id is an `agents.sessions` id).
        public var session = "session"
        /// A user aggregate (its aggregate_id is a `public.users` id).
        public var user = "user"
    }

    static let uuid = ["uuid"]
    static let text = ["text", "character varying"]
    static let timestamptz = ["timestamp with time zone"]

    /// Every mappable table and what it must hold.
    public static let tableSpecs: [TableSpec] = [
        TableSpec(key: "orgs", referenceName: "public.orgs", columns: [("id", uuid), ("slug", text)]),
        TableSpec(key: "users", referenceName: "public.users", columns: [("id", uuid), ("org_id", uuid)]),
        TableSpec(
            key: "sessions", referenceName: "agents.sessions",
            columns: [
                ("id", uuid), ("org_id", uuid), ("user_id", uuid), ("started_at", timestamptz),
                ("ended_at", timestamptz),
            ]),
        TableSpec(
            key: "events", referenceName: "events.domain_events",
            columns: [
                ("org_id", uuid), ("seq", ["bigint"]), ("event_type", text), ("aggregate_type", text),
                ("aggregate_id", uuid), ("actor_id", uuid), ("occurred_at", timestamptz), ("payload", ["jsonb"]),
                ("prev_hash", ["bytea"]), ("hash", ["bytea"]),
            ]),
        TableSpec(
            key: "chain_heads", referenceName: "events.chain_heads",
            columns: [
                ("org_id", uuid), ("last_seq", ["bigint"]), ("last_hash", ["bytea"]),
            ]),
    ]

    /// `public.orgs`: id and slug.
    public var orgs: Table
    /// `public.users`: id and org_id.
    public var users: Table
    /// `agents.sessions`: id, org_id, user_id, started_at, ended_at.
    public var sessions: Table
    /// `events.domain_events`: the chain's columns.
    public var events: Table
    /// `events.chain_heads`: org_id, last_seq, last_hash.
    public var chainHeads: Table
    /// The column that makes a table org-scoped: every table that has it must isolate tenants.
    public var tenantColumn = SQLIdentifier(literal: "org_id")
    /// The schemas searched for org-scoped tables; `nil` searches every schema but the system ones.
    public var tenantSchemas: [SQLIdentifier]?
    /// The setting the application names its org in, which the row level security policies read.
    public var orgSetting = "app.current_org_id"
    /// The role the live probe acts as when `--probe-role` is not given; `nil` for none.
    public var applicationRole: String? = "finnest_app"
    /// Event types the session audit looks for.
    public var eventTypes = EventTypes()
    /// Aggregate types for sessions and users.
    public var aggregateTypes = AggregateTypes()
    /// The schema's SQL function for canonical bytes (by columns, in chain format v1 order).
    public var canonicalBytesFunction = QualifiedName(literal: "events.canonical_bytes")

    /// samples/schema.sql's names.
    public static let reference = SchemaMapping()

    /// Creates the reference mapping.
    public init() {
        func table(_ key: String) -> Table {
            let spec = Self.spec(key)
            var columns: [String: SQLIdentifier] = [:]
            for column in spec.columns { columns[column.role] = SQLIdentifier(literal: column.role) }
            return Table(key: key, name: QualifiedName(literal: spec.referenceName), columns: columns)
        }
        orgs = table("orgs")
        users = table("users")
        sessions = table("sessions")
        events = table("events")
        chainHeads = table("chain_heads")
    }

    /// The spec of the table under `key`.
    public static func spec(_ key: String) -> TableSpec {
        guard let spec = tableSpecs.first(where: { $0.key == key }) else { preconditionFailure("no table \(key)") }
        return spec
    }

    /// The mapped table under `key`.
    public func table(_ key: String) -> Table {
        switch key {
        case "orgs": return orgs
        case "users": return users
        case "sessions": return sessions
        case "events": return events
        case "chain_heads": return chainHeads
        default: preconditionFailure("no table \(key)")
        }
    }

    mutating func setTable(_ table: Table) {
        switch table.key {
        case "orgs": orgs = table
        case "users": users = table
        case "sessions": sessions = table
        case "events": events = table
        case "chain_heads": chainHeads = table
        default: preconditionFailure("no table \(table.key)")
        }
    }
}
