import EventModel
import Foundation

/// A C2SP signed note (c2sp.org/signed-note): UTF-8 text, a blank line, and signature lines
/// `— <key name> <base64(key ID || signature)>`.
///
/// chain-audit signs with Ed25519 (signature type 0x01), whose key ID is the first four bytes of
/// SHA-256(key name || "\n" || 0x01 || public key), so standard note verifiers and witnesses can check it.
public struct SignedNote: Sendable, Equatable {
    /// One signature line.
    public struct Signature: Sendable, Equatable {
        /// The signer's key name.
        public var keyName: String
        /// The key ID: the first four bytes of the signature's base64 payload.
        public var keyID: UInt32
        /// The signature bytes after the key ID.
        public var signature: [UInt8]
    }

    /// The signed text, ending in a newline.
    public var text: String
    /// The signature lines, in order.
    public var signatures: [Signature]

    static let dash = "\u{2014} "

    /// Creates a note.
    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    /// Parses a signed note strictly: valid UTF-8, text of non-empty lines ending in a newline, a blank line,
    /// one or more well-formed signature lines and nothing else.
    public init(parsing data: Data) throws {
        guard let whole = String(data: data, encoding: .utf8) else { throw NoteError("the note is not UTF-8") }
        guard !whole.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7f }) else {
            throw NoteError("the note holds control characters")
        }
        guard let split = whole.range(of: "\n\n") else { throw NoteError("the note has no blank line before its signatures") }
        text = String(whole[..<split.lowerBound]) + "\n"
        let signatureBlock = whole[split.upperBound...]
        guard signatureBlock.hasSuffix("\n") else { throw NoteError("the note does not end with a newline") }
        var signatures: [Signature] = []
        for line in signatureBlock.dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix(Self.dash) else { throw NoteError("a signature line does not start with an em dash") }
            let parts = line.dropFirst(Self.dash.count).split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains("+"),
                  let payload = Self.strictBase64(parts[1]), payload.count > 4
            else { throw NoteError("a signature line is malformed") }
            let bytes = [UInt8](payload)
            let id = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(keyName: String(parts[0]), keyID: id, signature: Array(bytes[4...])))
        }
        guard !signatures.isEmpty else { throw NoteError("the note has no signature") }
        guard !text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
            throw NoteError("the note's text has an empty line")
        }
        self.signatures = signatures
    }

    /// The note as bytes: text, blank line, signature lines.
    public var serialized: Data {
        var out = text + "\n"
        for s in signatures {
            let payload = [UInt8(s.keyID >> 24), UInt8(s.keyID >> 16 & 0xff), UInt8(s.keyID >> 8 & 0xff),
                           UInt8(s.keyID & 0xff)] + s.signature
            out += Self.dash + s.keyName + " " + Data(payload).base64EncodedString() + "\n"
        }
        return Data(out.utf8)
    }

    /// Decodes standard base64 only in its one canonical spelling (padding present, unused bits zero), so
    /// that no two texts decode to the same bytes.
    static func strictBase64(_ text: Substring) -> Data? {
        guard let data = Data(base64Encoded: String(text)), data.base64EncodedString() == text else { return nil }
        return data
    }

    /// The key ID of an Ed25519 key under `name`.
    public static func keyID(name: String, publicKey: [UInt8]) throws -> UInt32 {
        let digest = try SHA256Hasher().hash(Array(name.utf8) + [0x0a, 0x01] + publicKey)
        return digest.bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    /// Signs `text` as `name` with an Ed25519 private key.
    public static func sign(text: String, name: String, key: Ed25519Key) throws -> SignedNote {
        guard text.hasSuffix("\n"), !name.isEmpty, !name.contains(" "), !name.contains("+") else {
            throw NoteError("cannot sign: the text must end in a newline and the key name have no spaces or '+'")
        }
        let signature = try key.sign(Array(text.utf8))
        let id = try keyID(name: name, publicKey: key.rawPublicKey())
        return SignedNote(text: text, signatures: [Signature(keyName: name, keyID: id, signature: signature)])
    }

    /// The name of the first signature that `key` verifies, or `nil` when none does.
    public func verifiedSigner(_ key: Ed25519Key) -> String? {
        guard let raw = try? key.rawPublicKey() else { return nil }
        for s in signatures {
            guard let id = try? Self.keyID(name: s.keyName, publicKey: raw), id == s.keyID else { continue }
            if key.verify(s.signature, of: Array(text.utf8)) { return s.keyName }
        }
        return nil
    }
}

/// A signed note or checkpoint that cannot be read or trusted.
public struct NoteError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
