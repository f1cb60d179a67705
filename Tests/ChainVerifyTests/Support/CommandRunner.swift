import Foundation

/// Runs a program (the built chain-audit, psql) and captures its exit code and output.
struct CommandResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String

    /// Both streams, for searching all output.
    var allOutput: String { stdout + stderr }
}

enum CommandRunner {
    /// The chain-audit executable built beside the test bundle.
    static func chainAuditPath() throws -> String {
        let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let path = URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("chain-audit").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSetupError("\(path) is missing: build it first (scripts/test runs swift build --build-tests)")
        }
        return path
    }

    /// Runs chain-audit with `arguments` and an environment holding only PATH, HOME and `environment`.
    static func chainAudit(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) throws
        -> CommandResult
    {
        try run(chainAuditPath(), arguments, environment: environment, stdin: stdin)
    }

    /// Runs psql (from PATH) with `arguments`.
    static func psql(_ arguments: [String], environment: [String: String] = [:], stdinData: Data? = nil) throws
        -> CommandResult
    {
        try run("/usr/bin/env", ["psql"] + arguments, environment: environment, stdinData: stdinData)
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                    stdin: String? = nil, stdinData: Data? = nil) throws -> CommandResult
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": "/nonexistent",
                   "LANG": "C.UTF-8"]
        // Keep libpq from finding a password file or service file of the machine's.
        env["PGPASSFILE"] = "/nonexistent"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ca-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: out), errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        if let input = stdinData ?? stdin.map({ Data($0.utf8) }) {
            let inFile = dir.appendingPathComponent("in")
            try input.write(to: inFile)
            process.standardInput = try FileHandle(forReadingFrom: inFile)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try outHandle.close()
        try errHandle.close()
        return CommandResult(
            exitCode: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}
