import ChainVerify
import Foundation
import Testing

/// The progress display: plain lines when asked for, a bar on a terminal, nothing when quiet.
@Suite("Progress display", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct ProgressTests {
    static func database() throws -> TestDatabase {
        let db = try TestDatabase("progress")
        try db.makeOrg("big", events: 150_000, payloadBytes: 400)
        return db
    }

    @Test func plainLinesAreWrittenWhenAskedForWithoutATerminal() throws {
        let db = try Self.database()
        let r = try CommandRunner.chainAudit(["verify", "--org", "big", "--db", db.auditorDSN, "--progress",
                                              "--progress-interval", "0.1", "--hash-threads", "0"])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let lines = r.stderr.split(separator: "\n")
        #expect(!lines.isEmpty, "expected progress lines")
        for line in lines {
            #expect(line.hasPrefix("chain-audit: progress: "), "\(line)")
            #expect(line.contains("/150,000 events ("), "\(line)")
            #expect(line.contains("events/s"))
        }
        #expect(!r.stderr.contains("\r"))
        #expect(r.stdout.contains("verified: 150000 events"))
    }

    @Test func nothingIsWrittenWithoutATerminalUnlessAskedOrWithQuiet() throws {
        let db = try Self.database()
        for extra in [[], ["--quiet"]] {
            let r = try CommandRunner.chainAudit(["verify", "--org", "big", "--db", db.auditorDSN] + extra)
            #expect(r.exitCode == 0)
            #expect(r.stderr.isEmpty, "\(extra): \(r.stderr)")
        }
    }

    @Test func aTerminalGetsABarRedrawnAtMostFourTimesASecond() throws {
        let db = try Self.database()
        // Run chain-audit on a pseudo-terminal (Python's pty module) and record what it draws.
        let script = """
            import os, pty, sys, time
            out = bytearray()
            start = time.time()
            pid, fd = pty.fork()
            if pid == 0:
                os.execv(sys.argv[1], sys.argv[1:])
            while True:
                try:
                    data = os.read(fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                out += data
            _, status = os.waitpid(pid, 0)
            sys.stdout.write("%d %.3f\\n" % (os.waitstatus_to_exitcode(status), time.time() - start))
            sys.stdout.write(out.decode("utf-8", "replace"))
            """
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pty-\(UUID().uuidString).py")
        try script.write(to: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: path) }
        let chainAudit = try CommandRunner.chainAuditPath()
        var draws = 0
        var seconds = 0.0
        var output = ""
        // Slow the run down with a tiny batch on one thread, so the bar has time to be drawn.
        for _ in 0..<3 where draws == 0 {
            let r = try CommandRunner.run("/usr/bin/python3", [path.path, chainAudit, "verify", "--org", "big", "--db",
                                                               db.auditorDSN, "--hash-threads", "0"])
            let header = r.stdout.prefix { $0 != "\n" }.split(separator: " ")
            #expect(header.first == "0", "\(r.allOutput)")
            seconds = Double(header.last ?? "0") ?? 0
            output = r.stdout
            draws = output.components(separatedBy: "\r\u{1b}[K[").count - 1
        }
        #expect(draws >= 1, "a bar was drawn: \(output.prefix(300))")
        #expect(Double(draws) <= seconds * 4 + 1, "\(draws) draws in \(seconds) s")
        #expect(output.contains("] "))
        #expect(output.contains("verified: 150000 events"))
    }
}
