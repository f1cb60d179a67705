import EventModel
import Foundation

/// Turns the orgs a user names (slugs or uuids) into identities, with parameterised queries only.
public struct OrgResolver {
    private let connection: Connection
    let mapping: SchemaMapping

    /// Creates a resolver that reads `public.orgs` (or the table `mapping` names) on `connection`.
    public init(connection: Connection, mapping: SchemaMapping = .reference) {
        self.connection = connection
        self.mapping = mapping
    }

    /// The outcome of resolving a list of org names.
    public struct Resolution: Sendable {
        /// The orgs found, in the order named, each once.
        public var orgs: [OrgIdentity]
        /// The names that matched no org.
        public var unknown: [String]
    }

    /// Resolves each name as a uuid (when it parses as one) or a slug.
    public func resolve(_ names: [String]) throws -> Resolution {
        try ReadOnlySession.run(on: connection) {
            var orgs: [OrgIdentity] = []
            var unknown: [String] = []
            for name in names {
                let result: QueryResult
                if let uuid = UUID(uuidString: name) {
                    result = try connection.query(VerifyQuery.orgByID(mapping: mapping), [uuid.lowercased])
                } else {
                    result = try connection.query(VerifyQuery.orgBySlug(mapping: mapping), [name])
                }
                guard let org = try identities(result).first else {
                    unknown.append(name)
                    continue
                }
                if !orgs.contains(org) { orgs.append(org) }
            }
            return Resolution(orgs: orgs, unknown: unknown)
        }
    }

    /// Every org in `public.orgs`, by slug.
    public func all() throws -> [OrgIdentity] {
        try ReadOnlySession.run(on: connection) {
            try identities(connection.query(VerifyQuery.allOrgs(mapping: mapping), []))
        }
    }

    /// Each org's recorded chain length (`events.chain_heads.last_seq`): the expected work, for scheduling
    /// and progress. Orgs with no head row are absent.
    public func recordedSizes() throws -> [UUID: Int64] {
        try ReadOnlySession.run(on: connection) {
            let result = try connection.query(VerifyQuery.recordedSizes, [])
            var sizes: [UUID: Int64] = [:]
            for row in 0..<result.rowCount {
                if let id = result.value(row, 0).flatMap(UUID.init(uuidString:)),
                   let size = result.value(row, 1).flatMap({ Int64($0) })
                {
                    sizes[id] = size
                }
            }
            return sizes
        }
    }

    private func identities(_ result: QueryResult) throws -> [OrgIdentity] {
        try (0..<result.rowCount).map { row in
            guard let text = result.value(row, 0), let id = UUID(uuidString: text) else {
                throw VerificationError("public.orgs holds a row whose id is not a uuid")
            }
            return OrgIdentity(id: id, slug: result.value(row, 1) ?? "")
        }
    }
}
