import EventModel
import Foundation

/// Where `verify --checkpoint` finds each org's signed checkpoint, and how to hold the chain against it.
public struct CheckpointSource: Sendable {
    /// A checkpoint file (for one org) or a checkpoint store directory (`<org uuid>.checkpoint` per org).
    public var path: String
    /// The PEM public key the checkpoints must be signed with.
    public var publicKeyPEM: Data
    /// The log name in the origin; `nil` uses the database's identity.
    public var logName: String?
    /// Re-verify every event too, rather than only those from the checkpoint on.
    public var full: Bool

    /// Creates a source.
    public init(path: String, publicKeyPEM: Data, logName: String? = nil, full: Bool = false) {
        self.path = path
        self.publicKeyPEM = publicKeyPEM
        self.logName = logName
        self.full = full
    }

    /// Loads and checks each org's checkpoint: signature, origin (this database and this org). Orgs whose
    /// checkpoint is missing or fails are left out, with an error in `errors`, so the run is incomplete;
    /// nothing falls back to a weaker check.
    func anchors(for orgs: [OrgIdentity], identity: DatabaseIdentity, errors: inout [String])
        -> ([OrgIdentity], [UUID: SignedCheckpoint])
    {
        let key: Ed25519Key
        let logName = self.logName ?? identity.logName
        do {
            key = try Ed25519Key.publicKey(pem: publicKeyPEM)
        } catch {
            errors.append("cannot check checkpoints: \(error)")
            return ([], [:])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            errors.append("checkpoint \(path) does not exist")
            return ([], [:])
        }
        var kept: [OrgIdentity] = []
        var anchors: [UUID: SignedCheckpoint] = [:]
        var single: SignedCheckpoint?
        if !isDirectory.boolValue {
            do {
                single = try SignedCheckpoint.load(path: path, publicKey: key)
            } catch {
                errors.append(String(describing: error))
                return ([], [:])
            }
        }
        for org in orgs {
            let origin = Checkpoint.origin(logName: logName, org: org.id)
            let file = isDirectory.boolValue ? "\(path)/\(org.id.lowercased).checkpoint" : path
            do {
                let signed: SignedCheckpoint
                if let single {
                    signed = single
                } else {
                    guard FileManager.default.fileExists(atPath: file) else {
                        errors.append("org \(org.slug): checkpoint \(file) does not exist")
                        continue
                    }
                    signed = try SignedCheckpoint.load(path: file, publicKey: key)
                }
                guard signed.checkpoint.origin == origin else {
                    errors.append("org \(org.slug): checkpoint \(file) is for \(signed.checkpoint.origin), not \(origin)")
                    continue
                }
                guard signed.checkpoint.size > 0 else {
                    errors.append("org \(org.slug): checkpoint \(file) commits to an empty chain")
                    continue
                }
                kept.append(org)
                anchors[org.id] = signed
            } catch {
                errors.append("org \(org.slug): \(error)")
            }
        }
        return (kept, anchors)
    }
}
