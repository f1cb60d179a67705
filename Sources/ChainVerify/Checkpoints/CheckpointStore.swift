import EventModel
import Foundation

/// A directory holding the latest signed checkpoint of each org, `<org uuid>.checkpoint`.
///
/// Writes are atomic (temporary file, fsync, rename). The store takes an exclusive lock on
/// `.chain-audit.lock` in the directory while it is in use, so two runs never advance it at once, and it
/// refuses to replace a checkpoint with one that is not an extension of it: a different origin, a
/// shorter chain, or the same length with another root. (That the new chain passes through the old
/// checkpoint is what the verification run before `save` establishes, anchored at the old checkpoint.)
public final class CheckpointStore {
    /// The directory.
    public let directory: String
    private var lockFD: Int32 = -1

    /// Opens (creating if needed, mode 0700) and locks a store.
    ///
    /// - Throws: `NoteError` when the directory cannot be made or another run holds its lock.
    public init(directory: String) throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard mkdir(directory, 0o700) == 0 else {
                throw NoteError("cannot create checkpoint directory \(directory): \(String(cString: strerror(errno)))")
            }
        } else if !isDirectory.boolValue {
            throw NoteError("\(directory) is not a directory")
        }
        lockFD = open(directory + "/.chain-audit.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            throw NoteError("cannot open the lock of checkpoint directory \(directory): \(String(cString: strerror(errno)))")
        }
        guard flock(lockFD, LOCK_EX | LOCK_NB) == 0 else {
            close(lockFD)
            lockFD = -1
            throw NoteError("checkpoint directory \(directory) is in use by another chain-audit run")
        }
    }

    deinit {
        if lockFD >= 0 {
            flock(lockFD, LOCK_UN)
            close(lockFD)
        }
    }

    /// The file of an org's checkpoint.
    public func path(for org: UUID) -> String {
        "\(directory)/\(org.lowercased).checkpoint"
    }

    /// The org's latest checkpoint, verified with `publicKey`, or `nil` when there is none.
    ///
    /// - Throws: `NoteError` naming the file when it exists but is malformed or badly signed.
    public func load(_ org: UUID, publicKey: Ed25519Key) throws -> SignedCheckpoint? {
        let file = path(for: org)
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        return try SignedCheckpoint.load(path: file, publicKey: publicKey)
    }

    /// Stores `note` as the org's checkpoint, if it extends `previous` (the checkpoint the caller loaded
    /// and verified against), and `previous` is still what the store holds.
    public func save(_ note: SignedNote, for org: UUID, replacing previous: SignedCheckpoint?, publicKey: Ed25519Key)
        throws
    {
        let new = try Checkpoint(text: note.text)
        let current = try load(org, publicKey: publicKey)
        guard current?.checkpoint == previous?.checkpoint else {
            throw NoteError("checkpoint \(path(for: org)) changed during the run; not replacing it")
        }
        if let old = current?.checkpoint {
            guard old.origin == new.origin else {
                throw NoteError("refusing to replace \(path(for: org)): the new checkpoint has another origin")
            }
            guard new.size > old.size || (new.size == old.size && new.root == old.root) else {
                throw NoteError("refusing to replace \(path(for: org)): seq \(new.size) does not extend seq \(old.size)")
            }
        }
        try AtomicFile.write(note.serialized, to: path(for: org))
    }
}
