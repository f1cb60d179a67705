import ChainVerify
import Foundation

/// A chain-audit run in the background, its output in files, for tests that act on it while it runs.
final class BackgroundRun {
    let process = Process()
    private let dir: String
    private let started = Date()

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("bg-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(dir)/out", contents: nil)
        _ = FileManager.default.createFile(atPath: "\(dir)/err", contents: nil)
        process.executableURL = URL(fileURLWithPath: try CommandRunner.chainAuditPath())
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent",
                   "PGPASSFILE": "/nonexistent"]
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(dir)/err"))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Waits for the run to end and returns what it wrote.
    func wait() -> CommandResult {
        process.waitUntilExit()
        return CommandResult(
            exitCode: process.terminationStatus,
            stdout: (try? String(contentsOfFile: "\(dir)/out", encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: "\(dir)/err", encoding: .utf8)) ?? "")
    }

    /// Sends a signal.
    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }
}

enum ServerActivity {
    /// Waits until a backend of `user` on `database` runs a COPY; returns its pid, or nil after `timeout`.
    static func waitForCopy(adminDSN: String, user: String, database: String, timeout: Double = 20) throws -> Int32? {
        let c = try Connection(TestEnvironment.spec(adminDSN))
        defer { c.close() }
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let r = try c.query(
                """
                SELECT pid FROM pg_stat_activity
                WHERE usename = $1 AND datname = $2 AND state = 'active' AND query ILIKE 'COPY%'
                """, [user, database])
            if r.rowCount > 0, let pid = r.value(0, 0).flatMap({ Int32($0) }) { return pid }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return nil
    }

    /// The number of backends of `user` on `database`.
    static func backends(adminDSN: String, user: String, database: String) throws -> Int {
        let c = try Connection(TestEnvironment.spec(adminDSN))
        defer { c.close() }
        let r = try c.query("SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND datname = $2", [user, database])
        return Int(r.value(0, 0) ?? "0") ?? 0
    }
}
