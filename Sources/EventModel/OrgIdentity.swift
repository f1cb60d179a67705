import Foundation

/// One tenant org: its uuid (the chain's key) and its human slug.
public struct OrgIdentity: Sendable, Hashable {
    /// The org's `public.orgs.id`.
    public var id: UUID
    /// The org's `public.orgs.slug`.
    public var slug: String

    /// Creates an org identity.
    public init(id: UUID, slug: String) {
        self.id = id
        self.slug = slug
    }
}
