import Foundation

/// Known findings to accept (`--accept CODE[:TARGET]`, `--accept-file`): each becomes an accepted note that
/// does not fail the run.
public struct AcceptanceList: Sendable {
    /// One accepted code, optionally at one place.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
        /// The finding code.
        public var kind: Finding.Kind
        /// The place it is accepted at (`Finding.place`, or a bare seq number), or `nil` for everywhere.
        public var target: String?
        /// Where the rule came from, e.g. `--accept` or `accepted.txt:3`.
        public var source: String

        /// `CODE` or `CODE:TARGET`.
        public var description: String { target.map { "\(kind.rawValue):\($0)" } ?? kind.rawValue }

        /// Parses `CODE` or `CODE:TARGET` (split at the first colon).
        public init(parsing text: String, source: String) throws(AcceptanceError) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let code: Substring
            var target: String?
            if let colon = trimmed.firstIndex(of: ":") {
                code = trimmed[..<colon]
                let rest = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                guard !rest.isEmpty else {
                    throw AcceptanceError("\(source): \(DisplayText.quoted(text)) has an empty target after the colon")
                }
                target = rest
            } else {
                code = Substring(trimmed)
            }
            guard let kind = Finding.Kind(rawValue: String(code)) else {
                throw AcceptanceError(
                    "\(source): unknown finding code \(DisplayText.quoted(String(code))) "
                        + "(docs/report.md lists the codes)")
            }
            self.kind = kind
            self.target = target
            self.source = source
        }

        /// Whether this rule accepts `finding`.
        func accepts(_ finding: Finding) -> Bool {
            guard finding.kind == kind else { return false }
            guard let target else { return true }
            if target == finding.place || target == finding.target { return true }
            if let seq = finding.seq, finding.target == nil, Int64(target) == seq { return true }
            return false
        }
    }

    /// The rules, in the order given.
    public private(set) var rules: [Rule] = []

    /// Creates an empty list.
    public init() {}

    /// Whether there is nothing to accept.
    public var isEmpty: Bool { rules.isEmpty }

    /// Adds a rule.
    public mutating func add(_ rule: Rule) {
        rules.append(rule)
    }

    /// Adds the rules of an accept file: one `CODE[:TARGET]` per line; blank lines and `#` comments ignored.
    public mutating func addFile(contents: String, name: String) throws(AcceptanceError) {
        for (i, line) in contents.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var text = Substring(line)
            if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            add(try Rule(parsing: trimmed, source: "\(name):\(i + 1)"))
        }
    }

    /// The first rule that accepts `finding`.
    func rule(accepting finding: Finding) -> Rule? {
        rules.first { $0.accepts(finding) }
    }

    /// The first rule that accepts every finding of `kind`.
    func rule(acceptingAll kind: Finding.Kind) -> Rule? {
        rules.first { $0.kind == kind && $0.target == nil }
    }
}
