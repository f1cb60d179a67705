import Foundation

/// promtool from Debian's prometheus package, when installed (scripts/lib/deps.sh installs it when it can).
enum Promtool {
    static let path: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Runs `promtool check metrics` on `text`; nil when promtool is not installed.
    static func check(_ text: String) throws -> CommandResult? {
        guard let path else { return nil }
        return try CommandRunner.run(path, ["check", "metrics"], stdin: text)
    }
}
