import Foundation

/// A C2SP note verifier key, `<name>+<key ID in hex>+<base64(0x01 || Ed25519 public key)>`, the form
/// transparency-log tooling and witnesses are configured with.
public struct NoteVerifierKey: Sendable, Equatable {
    /// The key name.
    public var name: String
    /// The 32-byte Ed25519 public key.
    public var publicKey: [UInt8]

    /// Creates a verifier key.
    public init(name: String, publicKey: [UInt8]) throws {
        guard publicKey.count == 32 else { throw NoteError("an Ed25519 public key is 32 bytes") }
        self.name = name
        self.publicKey = publicKey
    }

    /// The text form.
    public var text: String {
        let id = (try? SignedNote.keyID(name: name, publicKey: publicKey)) ?? 0
        let hex = String(id, radix: 16)
        return "\(name)+\(String(repeating: "0", count: 8 - hex.count) + hex)+\(Data([0x01] + publicKey).base64EncodedString())"
    }
}
