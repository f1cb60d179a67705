import ChainVerify
import Foundation

/// Batch SHA-256 of equal-sized messages on one core, against `openssl speed -evp sha256` at that size.
enum HashSpeed {
    struct Result {
        var bytes: Int
        var ours: Double
        var openssl: Double?
        var ratio: Double? { openssl.map { ours / $0 } }
    }

    /// Our rate in bytes per second: hashes `batch` messages of `bytes` each, repeatedly, for `seconds`.
    static func ours(bytes: Int, seconds: Double, batch: Int = 4096) throws -> Double {
        let hasher = try SHA256Hasher()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes * batch, alignment: 64)
        defer { buffer.deallocate() }
        for i in 0..<buffer.count { buffer[i] = UInt8(truncatingIfNeeded: i &* 31) }
        var out = [Digest32Box](repeating: Digest32Box(), count: batch)
        var hashed = 0
        let start = DispatchTime.now()
        var elapsed = 0.0
        while elapsed < seconds {
            for m in 0..<batch {
                let message = UnsafeRawBufferPointer(rebasing: buffer[(m * bytes)..<((m + 1) * bytes)])
                hasher.hash(message, into: &out[m].digest)
            }
            hashed += batch * bytes
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        }
        return Double(hashed) / elapsed
    }

    /// OpenSSL's own figure, from `openssl speed -evp sha256 -bytes N -seconds S`, in bytes per second.
    static func openssl(bytes: Int, seconds: Int) -> Double? {
        let path = "/tmp/chain-audit-bench-openssl-\(getpid()).txt"
        defer { unlink(path) }
        guard let r = try? Spawn.run(["openssl", "speed", "-evp", "sha256", "-bytes", String(bytes), "-seconds",
                                      String(seconds)], stdoutPath: path), r.status == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8)
        else { return nil }
        // The last line reads: "sha256   1040952.12k" (thousands of bytes per second).
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("sha256") }),
              let field = line.split(separator: " ").last, field.hasSuffix("k"),
              let value = Double(field.dropLast())
        else { return nil }
        return value * 1000
    }
}

import EventModel

/// A digest slot for the microbenchmark's output array.
struct Digest32Box {
    var digest = Digest32.zero
}
