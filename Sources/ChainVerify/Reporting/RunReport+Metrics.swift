import Foundation

extension RunReport {
    /// The metric names, as docs/report.md lists them.
    public static let metricNames = [
        "chain_audit_events_verified", "chain_audit_findings", "chain_audit_run_duration_seconds",
        "chain_audit_last_success_timestamp_seconds",
    ]

    /// The run as a node_exporter textfile (Prometheus text exposition format 0.0.4), with no sample timestamps.
    ///
    /// - Parameters:
    ///   - finishedAt: the time an org's success is recorded at.
    ///   - previous: the file's current contents, if any: an org that did not succeed this time keeps the
    ///     `chain_audit_last_success_timestamp_seconds` it had, so the metric always says when it last passed.
    public func metricsText(finishedAt: Date, previous: String?) -> String {
        var out = ""
        func family(_ name: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            let rendered = labels.map { "\($0.0)=\"\(Self.labelValue($0.1))\"" }.joined(separator: ",")
            out += "\(name){\(rendered)} \(value)\n"
        }
        func orgLabels(_ org: OrgReport) -> [(String, String)] {
            [("org", org.org.slug), ("org_id", org.org.id.lowercased)]
        }
        family("chain_audit_events_verified", "Events whose hash chain-audit recomputed and checked in its last run.")
        for org in orgs where org.chainVerified {
            sample("chain_audit_events_verified", orgLabels(org), String(org.eventsVerified))
        }
        family(
            "chain_audit_findings",
            "Findings of chain-audit's last run that were not accepted, by check and severity.")
        for org in orgs {
            for check in org.allChecks(strict: strict) {
                for (severity, count) in [("error", check.log.openErrorCount), ("warning", check.log.openWarningCount)]
                {
                    sample(
                        "chain_audit_findings",
                        [("scope", "org")] + orgLabels(org) + [
                            ("check", check.check.rawValue), ("severity", severity),
                        ],
                        String(count))
                }
            }
        }
        for check in databaseChecks {
            for (severity, count) in [("error", check.log.openErrorCount), ("warning", check.log.openWarningCount)] {
                sample(
                    "chain_audit_findings",
                    [("scope", "database"), ("check", check.check.rawValue), ("severity", severity)], String(count))
            }
        }
        family("chain_audit_run_duration_seconds", "Wall time chain-audit's last run spent on each org's checks.")
        for org in orgs {
            let seconds = org.allChecks(strict: strict).reduce(0) { $0 + $1.durationSeconds }
            sample("chain_audit_run_duration_seconds", orgLabels(org), String(format: "%.6f", seconds))
        }
        family(
            "chain_audit_last_success_timestamp_seconds",
            "Unix time of the last run in which every check of the org passed.")
        let databaseOK = databaseChecks.allSatisfy { $0.status == .ok }
        var written = Set<String>()
        for org in orgs where org.status == .ok && databaseOK {
            sample(
                "chain_audit_last_success_timestamp_seconds", orgLabels(org),
                String(format: "%.3f", finishedAt.timeIntervalSince1970))
            written.insert(org.org.id.lowercased)
        }
        for kept in Self.lastSuccesses(in: previous ?? "") where !written.contains(kept.orgID) {
            sample(
                "chain_audit_last_success_timestamp_seconds", [("org", kept.org), ("org_id", kept.orgID)], kept.value)
            written.insert(kept.orgID)
        }
        return out
    }

    /// A label value escaped as the exposition format requires: backslash, double quote and line feed.
    static func labelValue(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// The `chain_audit_last_success_timestamp_seconds` samples of a previous file; lines that do not parse
    /// are dropped.
    static func lastSuccesses(in text: String) -> [(org: String, orgID: String, value: String)] {
        var found: [(String, String, String)] = []
        let prefix = "chain_audit_last_success_timestamp_seconds{"
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            var labels: [String: String] = [:]
            var rest = Substring(line.dropFirst(prefix.count))
            var ok = true
            while ok, let eq = rest.firstIndex(of: "=") {
                let name = String(rest[..<eq]).trimmingCharacters(in: CharacterSet(charactersIn: ","))
                rest = rest[rest.index(after: eq)...]
                guard rest.first == "\"" else {
                    ok = false
                    break
                }
                rest = rest.dropFirst()
                var value = ""
                var closed = false
                while let c = rest.first {
                    rest = rest.dropFirst()
                    if c == "\\", let next = rest.first {
                        rest = rest.dropFirst()
                        value.append(next == "n" ? "\n" : next)
                    } else if c == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(c)
                    }
                }
                guard closed else {
                    ok = false
                    break
                }
                labels[name] = value
                if rest.first == "}" { break }
            }
            guard ok, rest.first == "}", let org = labels["org"], let id = labels["org_id"],
                let value = rest.dropFirst().split(separator: " ").first, Double(value) != nil,
                rest.dropFirst().split(separator: " ").count == 1
            else { continue }
            found.append((org, id, String(value)))
        }
        return found
    }
}
