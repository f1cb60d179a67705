import ChainVerify
import Foundation

/// A PostgreSQL cluster of a test's own (scripts/lib/cluster-ctl), for tests that restart or stop a server.
final class OwnCluster {
    let directory: String
    let port: String
    let dsn: String

    /// Starts a new primary with samples/schema.sql and samples/roles.sql loaded.
    convenience init() throws {
        try self.init(arguments: ["start"], loadSchema: true)
    }

    /// Starts a streaming hot standby of `primary`, with extra server settings.
    convenience init(replicaOf primary: OwnCluster, settings: [String] = []) throws {
        try self.init(arguments: ["replica", primary.directory], extra: settings, loadSchema: false)
    }

    private init(arguments: [String], extra: [String] = [], loadSchema: Bool) throws {
        directory = "/tmp/ca-own-\(UUID().uuidString.prefix(8).lowercased())"
        var argv = [Self.script, arguments[0]]
        if arguments[0] == "replica" { argv += [arguments[1], directory] + extra } else { argv.append(directory) }
        let r = try CommandRunner.run("/bin/bash", argv)
        guard r.exitCode == 0 else { throw TestSetupError("cannot start a cluster: \(r.allOutput)") }
        let values = Dictionary(uniqueKeysWithValues: r.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let eq = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<eq]), String(line[line.index(after: eq)...]))
        })
        guard let port = values["PORT"], let dsn = values["DSN"] else { throw TestSetupError("cluster-ctl said \(r.stdout)") }
        self.port = port
        self.dsn = dsn
        guard loadSchema else { return }
        let c = try Connection(TestEnvironment.spec(dsn))
        defer { c.close() }
        try c.execute(try String(contentsOf: TestEnvironment.file("samples/schema.sql"), encoding: .utf8))
        try c.execute(try String(contentsOf: TestEnvironment.file("samples/roles.sql"), encoding: .utf8))
    }

    /// The cluster as samples/roles.sql's chain_auditor.
    var auditorDSN: String { dsn.replacingOccurrences(of: "user=postgres", with: "user=chain_auditor") }

    static var script: String { TestEnvironment.file("scripts/lib/cluster-ctl").path }

    /// Stops the server by its pid and starts it again on the same port.
    func restart() throws {
        let r = try CommandRunner.run("/bin/bash", [Self.script, "restart", directory])
        guard r.exitCode == 0 else { throw TestSetupError("cannot restart: \(r.allOutput)") }
    }

    deinit {
        _ = try? CommandRunner.run("/bin/bash", [Self.script, "stop", directory])
    }
}
