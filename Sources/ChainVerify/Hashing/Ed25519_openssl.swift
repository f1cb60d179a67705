internal import CLibCrypto
import Foundation

/// An Ed25519 key pair (or public key alone), through OpenSSL's EVP interface.
///
/// Keys travel as PEM: PKCS#8 for the private key, SubjectPublicKeyInfo for the public key, as
/// `openssl pkey` reads and writes them.
public final class Ed25519Key {
    private let pkey: OpaquePointer
    /// Whether this key can sign (it holds the private half).
    public let isPrivate: Bool

    private init(pkey: OpaquePointer, isPrivate: Bool) {
        self.pkey = pkey
        self.isPrivate = isPrivate
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// Generates a new key pair from OpenSSL's random generator.
    public static func generate() throws -> Ed25519Key {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil) else {
            throw KeyError("OpenSSL has no Ed25519 (EVP_PKEY_CTX_new_from_name failed)")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(ctx) == 1, EVP_PKEY_generate(ctx, &key) == 1, let key else {
            throw KeyError("OpenSSL could not generate an Ed25519 key")
        }
        return Ed25519Key(pkey: key, isPrivate: true)
    }

    /// Reads a private key from PEM.
    public static func privateKey(pem: Data) throws -> Ed25519Key {
        let key = try withBIO(pem) { PEM_read_bio_PrivateKey($0, nil, nil, nil) }
        guard let key else { throw KeyError("not a PEM private key") }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw KeyError("the private key is not an Ed25519 key")
        }
        return Ed25519Key(pkey: key, isPrivate: true)
    }

    /// Reads a public key from PEM (SubjectPublicKeyInfo).
    public static func publicKey(pem: Data) throws -> Ed25519Key {
        let key = try withBIO(pem) { PEM_read_bio_PUBKEY($0, nil, nil, nil) }
        guard let key else { throw KeyError("not a PEM public key") }
        guard EVP_PKEY_get_id(key) == EVP_PKEY_ED25519 else {
            EVP_PKEY_free(key)
            throw KeyError("the public key is not an Ed25519 key")
        }
        return Ed25519Key(pkey: key, isPrivate: false)
    }

    /// A public key from its 32 raw bytes.
    public static func publicKey(raw: [UInt8]) throws -> Ed25519Key {
        guard raw.count == 32,
              let key = raw.withUnsafeBufferPointer({ EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, $0.baseAddress, 32) })
        else { throw KeyError("not a 32-byte Ed25519 public key") }
        return Ed25519Key(pkey: key, isPrivate: false)
    }

    /// The private key as PEM (PKCS#8, unencrypted: keep the file mode 0600).
    public func privatePEM() throws -> Data {
        guard isPrivate else { throw KeyError("this is a public key") }
        return try Self.writeBIO { PEM_write_bio_PrivateKey($0, pkey, nil, nil, 0, nil, nil) }
    }

    /// The public key as PEM (SubjectPublicKeyInfo).
    public func publicPEM() throws -> Data {
        try Self.writeBIO { PEM_write_bio_PUBKEY($0, pkey) }
    }

    /// The 32 raw bytes of the public key.
    public func rawPublicKey() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 32
        guard EVP_PKEY_get_raw_public_key(pkey, &out, &length) == 1, length == 32 else {
            throw KeyError("OpenSSL could not export the public key")
        }
        return out
    }

    /// Signs `message` (Ed25519 signs the message itself, no separate digest).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        guard isPrivate else { throw KeyError("a public key cannot sign") }
        guard let ctx = EVP_MD_CTX_new() else { throw KeyError("OpenSSL could not allocate a context") }
        defer { EVP_MD_CTX_free(ctx) }
        var signature = [UInt8](repeating: 0, count: 64)
        var length = 64
        let ok = EVP_DigestSignInit(ctx, nil, nil, nil, pkey) == 1
            && message.withUnsafeBufferPointer { EVP_DigestSign(ctx, &signature, &length, $0.baseAddress, $0.count) } == 1
        guard ok, length == 64 else { throw KeyError("OpenSSL could not sign") }
        return signature
    }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func verify(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard signature.count == 64, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, nil, nil, pkey) == 1 else { return false }
        let result = signature.withUnsafeBufferPointer { sig in
            message.withUnsafeBufferPointer { msg in
                EVP_DigestVerify(ctx, sig.baseAddress, 64, msg.baseAddress, msg.count)
            }
        }
        ERR_clear_error()
        return result == 1
    }

    private static func withBIO<R>(_ data: Data, _ body: (OpaquePointer) -> R) throws -> R {
        try data.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else {
                throw KeyError("OpenSSL could not allocate a buffer")
            }
            defer {
                BIO_free(bio)
                ERR_clear_error()
            }
            return body(bio)
        }
    }

    private static func writeBIO(_ body: (OpaquePointer) -> Int32) throws -> Data {
        guard let bio = BIO_new(BIO_s_mem()) else { throw KeyError("OpenSSL could not allocate a buffer") }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { throw KeyError("OpenSSL could not write the key") }
        var out = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = BIO_read(bio, &chunk, Int32(chunk.count))
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<Int(n)])
        }
        return out
    }
}

/// A key that cannot be read, made or used.
public struct KeyError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
