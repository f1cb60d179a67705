import Foundation

/// CPU time the PostgreSQL server has used: its postmaster's children, live (from /proc) and already reaped
/// (the postmaster's cutime and cstime), so short-lived backends and parallel workers all count.
enum ServerCPU {
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Total CPU seconds so far.
    static func total(postmaster: Int32) -> Double {
        guard let own = fields(postmaster) else { return 0 }
        var ticksUsed = (Int(own[11]) ?? 0) + (Int(own[12]) ?? 0) + (Int(own[13]) ?? 0) + (Int(own[14]) ?? 0)
        let parent = String(postmaster)
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") {
            for entry in entries where entry.first?.isNumber == true {
                guard let pid = Int32(entry), let f = fields(pid), f[1] == parent else { continue }
                ticksUsed += (Int(f[11]) ?? 0) + (Int(f[12]) ?? 0)
            }
        }
        return Double(ticksUsed) / ticks
    }

    /// The fields of /proc/PID/stat after the command name: index 0 is the state, 1 the parent pid, 11 utime,
    /// 12 stime, 13 cutime, 14 cstime (fields 3, 4, 14, 15, 16 and 17 of proc(5)).
    private static func fields(_ pid: Int32) -> [String]? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        return text[text.index(close, offsetBy: 2)...].split(separator: " ").map(String.init)
    }
}
