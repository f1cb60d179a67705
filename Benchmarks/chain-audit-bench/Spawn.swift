import Foundation

/// Runs a program to completion and reports its exit status, wall time and resource use (`wait4`).
///
/// The peak resident set comes from GNU time (`/usr/bin/time -f %M`), which forks and execs the program:
/// a child started by `posix_spawn` straight from this process shares its memory until `exec`, and Linux
/// carries this process's own peak into the child's `ru_maxrss`, so every figure would be at least the
/// benchmark's own size. Through `time` the floor is `time`'s (about 1 MiB). CPU times are still `wait4`'s:
/// `time` reaps the program, so its usage includes the program's.
enum Spawn {
    /// GNU time, which the benchmark needs for honest peak RSS (Benchmarks/run installs Debian's `time`).
    static let gnuTime = "/usr/bin/time"

    struct Result {
        var status: Int32
        var wall: Double
        var userCPU: Double
        var systemCPU: Double
        /// Peak resident set, in KiB.
        var maxRSSKiB: Int
        var clientCPU: Double { userCPU + systemCPU }
    }

    /// Runs `argv` with `environment` added to this process's, stdout and stdin on /dev/null, stderr to
    /// `stderrPath` (or /dev/null).
    static func run(_ argv: [String], environment: [String: String] = [:], stdoutPath: String = "/dev/null",
                    stderrPath: String = "/dev/null") throws -> Result {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envStrings = env.map { "\($0)=\($1)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let rssFile = FileManager.default.temporaryDirectory.appendingPathComponent("bench-rss-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: rssFile) }
        guard FileManager.default.isExecutableFile(atPath: gnuTime) else {
            throw BenchError("\(gnuTime) (Debian's time package) is needed to measure peak RSS")
        }
        let wrapped = [gnuTime, "-f", "%M", "-o", rssFile, "--"] + argv
        var cArgs = wrapped.map { strdup($0) } + [nil]
        var cEnv = envStrings.map { strdup($0) } + [nil]
        defer {
            cArgs.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = DispatchTime.now()
        let rc = posix_spawnp(&pid, gnuTime, &actions, nil, &cArgs, &cEnv)
        guard rc == 0 else { throw BenchError("cannot start \(argv[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 failed for \(argv[0])") }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let exit = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        // time writes "Command exited with non-zero status N" before the figure when the program fails.
        let rssText = (try? String(contentsOfFile: rssFile, encoding: .utf8)) ?? ""
        guard let peak = rssText.split(whereSeparator: \.isNewline).last.flatMap({ Int($0) }) else {
            throw BenchError("no peak RSS from \(gnuTime) for \(argv[0]) (exit \(exit))")
        }
        return Result(status: exit, wall: wall,
                      userCPU: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
                      systemCPU: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6,
                      maxRSSKiB: peak)
    }
}

/// A benchmark step that could not run.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
