import EventModel
import Foundation

/// One of `count` stable, disjoint subsets of orgs (`--shard K/N`), so that N machines can split a sweep.
///
/// An org belongs to shard `k` when the first 8 bytes of SHA-256 of its uuid's 16 bytes, read big-endian,
/// are `k - 1` modulo `count`. That depends only on the uuid: every machine, run and version agrees, and
/// adding orgs never moves existing ones between shards.
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    /// This shard's number, 1…`count`.
    public let index: Int
    /// The number of shards.
    public let count: Int

    /// Parses `K/N` with 1 ≤ K ≤ N ≤ 65536, or returns `nil`.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let k = Int(parts[0]), let n = Int(parts[1]), n >= 1, n <= 65_536, k >= 1, k <= n
        else { return nil }
        index = k
        count = n
    }

    /// Whether `org` belongs to this shard.
    public func contains(_ org: OrgIdentity) -> Bool {
        Self.shardIndex(of: org.id, count: count) == index
    }

    /// The shard (1…`count`) that `id` belongs to.
    public static func shardIndex(of id: UUID, count: Int) -> Int {
        let hasher = try? SHA256Hasher()
        let digest = id.withUnsafeBytes { hasher?.hash($0) } ?? .zero
        let word = digest.withUnsafeBytes { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
        return Int(word % UInt64(count)) + 1
    }

    public var description: String { "\(index)/\(count)" }
}
