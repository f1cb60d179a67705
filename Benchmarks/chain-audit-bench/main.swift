import ChainVerify
import EventModel
import Foundation

// chain-audit-bench: the benchmark's own tool. Benchmarks/run drives it on a throwaway cluster.
//
//   generate --org UUID --events N [--seed S] [--filler BYTES]      binary COPY of one org's chain on stdout
//   prove --db DSN --org UUID [--sample 1000] [--seed S]            sampled rows equal pgcrypto's digest in SQL
//   hash-speed [--bytes 600] [--seconds 3]                          batch SHA-256 vs openssl speed
//   read --db DSN --org UUID                                         read the COPY and discard it (transfer alone)
//   measure --db DSN --org UUID --medium-org UUID --postmaster PID --chain-audit PATH
//           --baseline PATH [--python PATH] [--rounds 3] [--jobs 2,4] [--json FILE]
//                                                                   the whole matrix, the table and the targets

/// Options as `--name value` pairs.
struct Options {
    var values: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) throws {
        var i = arguments.startIndex
        while i < arguments.endIndex {
            let name = arguments[i]
            guard name.hasPrefix("--"), i + 1 < arguments.endIndex else { throw BenchError("bad argument \(name)") }
            values[String(name.dropFirst(2))] = arguments[i + 1]
            i += 2
        }
    }

    func string(_ name: String) throws -> String {
        guard let v = values[name] else { throw BenchError("--\(name) is required") }
        return v
    }

    func int(_ name: String, default value: Int) throws -> Int {
        guard let text = values[name] else { return value }
        guard let n = Int(text) else { throw BenchError("--\(name) needs a number") }
        return n
    }

    func uuid(_ name: String) throws -> UUID {
        guard let id = UUID(uuidString: try string(name)) else { throw BenchError("--\(name) needs a uuid") }
        return id
    }
}

func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func run() throws -> Int32 {
    let arguments = CommandLine.arguments
    guard arguments.count >= 2 else { throw BenchError("usage: chain-audit-bench generate|prove|hash-speed|measure …") }
    let options = try Options(arguments[2...])
    switch arguments[1] {
    case "generate":
        let generator = Generator(org: try options.uuid("org"), events: try options.int("events", default: 1_000_000),
                                  seed: UInt64(try options.int("seed", default: 20261203)),
                                  fillerBytes: try options.int("filler", default: 300))
        try generator.write(to: FileHandle.standardOutput)
        return 0
    case "prove":
        let spec = try ConnectionSpec(option: try options.string("db"))
        let sample = try options.int("sample", default: 1000)
        let seed = UInt64(try options.int("seed", default: Int(UInt32.random(in: 1...UInt32.max))))
        let (checked, bad) = try Prove.run(spec: spec, org: try options.uuid("org"), sample: sample, seed: seed)
        print("proved: \(checked - bad) of \(checked) sampled rows (seed \(seed)) have hash = "
              + "pgcrypto digest(prev_hash || events.canonical_bytes(row)) and prev_hash = the previous row's hash")
        return bad == 0 && checked == sample ? 0 : 1
    case "hash-speed":
        let bytes = try options.int("bytes", default: 600)
        let seconds = try options.int("seconds", default: 3)
        let ours = try HashSpeed.ours(bytes: bytes, seconds: Double(seconds))
        let theirs = HashSpeed.openssl(bytes: bytes, seconds: seconds)
        print(String(format: "SHA-256 of %d-byte messages, one core: chain-audit %.1f MB/s, openssl speed %@ MB/s",
                     bytes, ours / 1e6, theirs.map { String(format: "%.1f", $0 / 1e6) } ?? "n/a"))
        return 0
    case "measure":
        return try Suite(options: options).run()
    case "read":
        // Reads the org's COPY through chain-audit's connection and discards it: the cost of transfer alone.
        let spec = try ConnectionSpec(option: try options.string("db"))
        let (events, bytes) = try Suite.size(spec: spec, org: try options.uuid("org"))
        print("read \(events) events, \(bytes) bytes")
        return 0
    default:
        throw BenchError("unknown command \(arguments[1])")
    }
}

do {
    exit(try run())
} catch {
    log("chain-audit-bench: error: \(error)")
    exit(2)
}
