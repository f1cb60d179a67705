internal import CLibCrypto
import EventModel

/// The SHA-256 algorithm, fetched from OpenSSL's default provider once per process.
struct SHA256Algorithm: @unchecked Sendable {
    // An EVP_MD is immutable and reference-counted once fetched; OpenSSL allows sharing it across threads.
    let md: OpaquePointer

    static let shared: SHA256Algorithm? = {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { return nil }
        return SHA256Algorithm(md: md)
    }()
}

/// A reusable SHA-256 context (one `EVP_MD_CTX`), for one thread at a time.
///
/// Create one per worker and hash many messages with it: no allocation per message, and the algorithm is
/// fetched once per process rather than per call as the one-shot `SHA256()` does.
public final class SHA256Hasher {
    private let ctx: OpaquePointer
    private let md: OpaquePointer

    /// Creates a context.
    ///
    /// - Throws: `HashingError` when OpenSSL has no SHA-256 (a broken or FIPS-restricted installation).
    public init() throws {
        guard let algorithm = SHA256Algorithm.shared else {
            throw HashingError(message: "OpenSSL could not provide SHA-256 (EVP_MD_fetch failed)")
        }
        guard let ctx = EVP_MD_CTX_new() else {
            throw HashingError(message: "OpenSSL could not allocate a digest context")
        }
        self.ctx = ctx
        self.md = algorithm.md
    }

    deinit {
        EVP_MD_CTX_free(ctx)
    }

    /// The SHA-256 of `bytes`.
    @inline(__always)
    public func hash(_ bytes: UnsafeRawBufferPointer) -> Digest32 {
        var out = Digest32.zero
        hash(bytes, into: &out)
        return out
    }

    /// Writes the SHA-256 of `bytes` into `out`.
    public func hash(_ bytes: UnsafeRawBufferPointer, into out: inout Digest32) {
        var length: UInt32 = 0
        let ok = withUnsafeMutableBytes(of: &out) { outBytes in
            EVP_DigestInit_ex2(ctx, md, nil) == 1
                && EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count) == 1
                && EVP_DigestFinal_ex(ctx, outBytes.baseAddress!.assumingMemoryBound(to: UInt8.self), &length) == 1
        }
        precondition(ok && length == 32, "OpenSSL SHA-256 failed")
    }

    /// The SHA-256 of a byte array.
    public func hash(_ bytes: [UInt8]) -> Digest32 {
        bytes.withUnsafeBytes { hash($0) }
    }
}

/// OpenSSL could not provide SHA-256.
public struct HashingError: Error, CustomStringConvertible {
    /// What failed.
    public var message: String
    public var description: String { message }
}
