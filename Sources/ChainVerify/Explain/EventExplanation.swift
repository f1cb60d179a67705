import EventModel

/// What one event's fields, canonical bytes and hashes say about the chain at its seq (`chain-audit explain`).
public struct EventExplanation: Sendable {
    /// What a row's content check comes to.
    public enum ContentVerdict: String, Sendable {
        /// The stored hash is SHA-256 of prev_hash and bytes both the verifier and the server function agree on.
        case intact
        /// The stored hash does not match bytes both sides agree on: the row or its hash changed after it was
        /// written (tampering).
        case tampered
        /// The verifier's and the server function's bytes differ, and the stored hash is over the server's:
        /// the trigger hashed bytes chain format v1 does not define (a trigger or verifier bug, not an attack).
        case canonicalisationDrift = "canonicalisation_drift"
        /// The server function no longer gives chain format v1's bytes, but the stored hash is over the
        /// verifier's: the row is intact; rows written through the drifted function will not be.
        case functionDrift = "function_drift"
        /// The bytes differ and the stored hash matches neither side: drift, and a change on top of it.
        case driftAndMismatch = "drift_and_mismatch"
        /// The stored hash does not match, and there is no server function to compare with: tampering and
        /// drift cannot be told apart.
        case mismatchUnexplained = "mismatch_unexplained"
        /// prev_hash is NULL or not 32 bytes, so no hash can be recomputed.
        case malformed
    }

    /// What a row's link to its predecessor comes to.
    public enum LinkVerdict: String, Sendable {
        /// prev_hash is the hash of the row at seq - 1 (or 32 zero bytes at seq 1).
        case ok
        /// prev_hash differs from the hash of the row at seq - 1.
        case mismatch
        /// The org has no row at seq - 1.
        case predecessorMissing = "predecessor_missing"
        /// seq 1 whose prev_hash is not 32 zero bytes.
        case genesisMismatch = "genesis_mismatch"
    }

    /// One canonical field: its length word and bytes, where it starts, and its value for people.
    public struct Field: Sendable {
        /// The hashed column it is (chain format v1 order), or `unparsed` for bytes that are not a field.
        public var name: String
        /// The offset of its length word within the canonical bytes.
        public var offset: Int
        /// The length word (-1 for NULL).
        public var length: Int32
        /// The value bytes.
        public var bytes: [UInt8]
        /// The value rendered for people (a uuid, a number, a timestamp, quoted text).
        public var value: String
    }

    /// The first byte where the verifier's and the server function's canonical bytes differ.
    public struct Difference: Sendable {
        /// The byte offset within the canonical bytes.
        public var offset: Int
        /// The verifier's field that holds it, or nil past the verifier's end.
        public var field: String?
        /// Where in that field: `length word` or `byte N of the value`.
        public var within: String?
    }

    /// The server function's view of the row.
    public struct ServerBytes: Sendable {
        /// The function, `schema.name(…)`.
        public var function: String
        /// Its canonical bytes, or nil when it failed.
        public var bytes: [UInt8]?
        /// Why it failed.
        public var error: String?
        /// Its bytes as fields, as far as they parse.
        public var fields: [Field]
        /// SHA-256(prev_hash || its bytes).
        public var hash: Digest32?
    }

    /// One row at the seq (more than one where seqs repeat).
    public struct Row: Sendable {
        /// The row's ctid, which pairs the COPY tuple with its text.
        public var ctid: String
        /// Every column of the table as text, in table order.
        public var columns: [(name: String, value: String?)]
        /// The stored prev_hash.
        public var prevHash: HashValue
        /// The stored hash.
        public var storedHash: HashValue
        /// The canonical bytes as the verifier hashes them: the row's COPY tuple.
        public var canonical: [UInt8]
        /// `canonical` as fields.
        public var fields: [Field]
        /// SHA-256(prev_hash || canonical), when prev_hash is 32 bytes.
        public var recomputed: Digest32?
        /// The server function's bytes, when the schema has the function.
        public var server: ServerBytes?
        /// Where the two sides' bytes first differ.
        public var difference: Difference?
        /// The hashes stored at seq - 1.
        public var predecessorHashes: [HashValue]
        /// The prev_hash values stored at seq + 1.
        public var successorLinks: [HashValue]
        /// The content verdict.
        public var content: ContentVerdict
        /// The link verdict.
        public var link: LinkVerdict

        /// Whether the next row links to this one's stored hash (nil when there is no next row).
        public var successorLinksHere: Bool? {
            successorLinks.isEmpty ? nil : successorLinks.contains(storedHash)
        }

        /// Whether nothing is wrong at this row.
        public var isIntact: Bool {
            content == .intact && link == .ok && successorLinksHere != false
        }
    }

    /// The org.
    public var org: OrgIdentity
    /// The seq explained.
    public var seq: Int64
    /// The events table read.
    public var table: String
    /// The rows at that seq.
    public var rows: [Row]
    /// Why the server function could not be compared, when it could not.
    public var serverNote: String?

    /// Whether every row is intact and linked.
    public var isIntact: Bool { rows.allSatisfy(\.isIntact) }
}
