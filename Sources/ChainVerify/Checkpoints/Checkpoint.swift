import EventModel
import Foundation

/// A commitment to one org's chain at one point: the C2SP checkpoint body (c2sp.org/tlog-checkpoint).
///
///     chain-audit/<log name>/org/<org uuid>     origin: the database's identity and the org
///     <head seq>                                 tree size
///     <base64 of the head hash>                  root hash
///
/// The log name defaults to `pg-<system identifier>-<database name>`, which a promoted streaming replica
/// shares with its primary; `--log-name` sets a stable name that survives a dump and restore.
public struct Checkpoint: Sendable, Equatable {
    /// The origin line.
    public var origin: String
    /// The chain length the checkpoint commits to (the head seq).
    public var size: Int64
    /// The hash of the event at `size`.
    public var root: Digest32

    /// Creates a checkpoint.
    public init(origin: String, size: Int64, root: Digest32) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The origin for an org of a log.
    public static func origin(logName: String, org: UUID) -> String {
        "chain-audit/\(logName)/org/\(org.lowercased)"
    }

    /// The default log name of a database: its cluster's system identifier and its name, in characters an
    /// origin allows.
    public static func defaultLogName(systemIdentifier: String, database: String) -> String {
        "pg-\(systemIdentifier)-\(sanitized(database))"
    }

    /// `name` with anything but letters, digits, `.`, `_` and `-` percent-encoded.
    public static func sanitized(_ name: String) -> String {
        var out = ""
        for byte in name.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// The note text.
    public var text: String {
        "\(origin)\n\(size)\n\(root.withUnsafeBytes { Data($0).base64EncodedString() })\n"
    }

    /// Parses a checkpoint body strictly: an origin without spaces or '+', a decimal size with no leading
    /// zeros, and a base64 root of 32 bytes (extension lines after it are allowed and ignored).
    public init(text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4 else { throw NoteError("a checkpoint needs origin, size and root lines") }
        let origin = String(lines[0])
        guard !origin.isEmpty, !origin.contains(" "), !origin.contains("+") else {
            throw NoteError("the checkpoint's origin line is malformed")
        }
        let sizeText = lines[1]
        guard let size = Int64(sizeText), size >= 0, sizeText == String(size) else {
            throw NoteError("the checkpoint's size line is not a decimal number")
        }
        guard let root = SignedNote.strictBase64(lines[2]), let digest = Digest32(root) else {
            throw NoteError("the checkpoint's root line is not the base64 of 32 bytes")
        }
        self.init(origin: origin, size: size, root: digest)
    }
}

/// A checkpoint read from a file, with its signature checked.
public struct SignedCheckpoint: Sendable {
    /// The checkpoint.
    public var checkpoint: Checkpoint
    /// The whole signed note.
    public var note: SignedNote
    /// The file it came from, if any.
    public var path: String?
    /// The key name of the signature that verified.
    public var signer: String

    /// Reads and verifies a checkpoint file; any failure is an error naming the file, never a fallback.
    public static func load(path: String, publicKey: Ed25519Key) throws -> SignedCheckpoint {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw NoteError("cannot read checkpoint \(path)")
        }
        return try verify(data: data, path: path, publicKey: publicKey)
    }

    /// Verifies checkpoint bytes against `publicKey`.
    public static func verify(data: Data, path: String?, publicKey: Ed25519Key) throws -> SignedCheckpoint {
        let name = path ?? "checkpoint"
        let note: SignedNote
        let checkpoint: Checkpoint
        do {
            note = try SignedNote(parsing: data)
            checkpoint = try Checkpoint(text: note.text)
        } catch {
            throw NoteError("checkpoint \(name) is malformed: \(error)")
        }
        guard let signer = note.verifiedSigner(publicKey) else {
            throw NoteError("checkpoint \(name) has no valid signature by the given public key")
        }
        return SignedCheckpoint(checkpoint: checkpoint, note: note, path: path, signer: signer)
    }
}
