import EventModel
import Foundation

extension RunReport {
    /// The report of a `check`, `tenants` or `sessions` run as human text: per org, one line per check with its
    /// findings beneath; the database's own checks; how to fix each code found; and a closing verdict.
    ///
    /// Run-level `errors` are not repeated here: the command line prints them on stderr.
    public func auditText() -> String {
        var out = ""
        var codes: [Finding.Kind] = []
        func add(_ checks: [CheckReport], org: OrgReport?) {
            for check in checks {
                let label = check.check.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)
                let status: String
                switch check.status {
                case .ok: status = "ok"
                case .findings: status = "FINDINGS"
                case .incomplete: status = "INCOMPLETE"
                }
                var line = "  \(label) \(status.padding(toLength: 10, withPad: " ", startingAt: 0)) "
                if let error = check.error {
                    line += error
                } else {
                    line += Self.facts(check, org: org)
                }
                while line.last == " " { line.removeLast() }
                out += line + "\n"
                for finding in check.log.findings {
                    let level = finding.accepted ? "accepted" : finding.severity.rawValue
                    let place = finding.place.map { " at \($0)" } ?? ""
                    out += "    \(level): \(finding.code)\(place): \(finding.detail)\n"
                    if !finding.accepted, !codes.contains(finding.kind) { codes.append(finding.kind) }
                }
                if check.log.omitted > 0 {
                    out += "    ... \(check.log.omitted) more findings not shown (--max-findings)\n"
                }
            }
        }
        for org in orgs {
            out += "\(org.org.slug) (\(org.org.id.lowercased))\n"
            add(org.allChecks(strict: strict), org: org)
        }
        if !databaseChecks.isEmpty {
            out += "database\(database.map { " (\($0.name))" } ?? "")\n"
            add(databaseChecks, org: nil)
        }
        if !codes.isEmpty {
            out += "how to fix:\n"
            for code in codes { out += "  \(code.rawValue): \(code.remediation)\n" }
        }
        let names = checks.map(\.rawValue).joined(separator: ", ")
        let counts =
            "\(DisplayText.plural(openErrorCount, "error")), \(DisplayText.plural(openWarningCount, "warning")), "
            + "\(acceptedCount) accepted"
        let scope = DisplayText.plural(orgs.count, "org")
        switch status {
        case .ok: out += "OK: \(scope); \(names) passed (\(counts))\n"
        case .findings: out += "FINDINGS: \(scope); \(counts)\n"
        case .incomplete: out += "INCOMPLETE: \(scope); the \(names) check did not complete (\(counts))\n"
        }
        return out
    }

    /// What a check looked at, from its stats.
    static func facts(_ check: CheckReport, org: OrgReport?) -> String {
        func n(_ name: String) -> Int64 { check.stat(name) ?? 0 }
        var text: String
        switch check.check {
        case .chain:
            text = "\(DisplayText.plural(Int(n("events_verified")), "event")) verified"
            if let org, let hash = org.headHash { text += ", head seq \(org.headSeq) \(hash.hex)" }
            if org?.stoppedEarly == true { text += ", stopped at the first error" }
        case .tenants where org == nil:
            text =
                "\(DisplayText.plural(Int(n("org_scoped_tables")), "org-scoped table")), "
                + "\(n("policies")) polic\(n("policies") == 1 ? "y" : "ies")"
        case .tenants:
            if check.stat("probe_tables") == nil {
                text = "cross-org references checked; no live probe"
            } else {
                text =
                    "cross-org references checked; probe: \(n("probe_tables")) tables "
                    + "(\(n("probe_tables_with_other_orgs")) with other orgs' rows)"
            }
        case .sessions:
            text =
                "\(DisplayText.plural(Int(n("sessions")), "session")) "
                + "(\(n("sessions_closed")) closed, \(n("sessions_open")) open), "
                + "\(DisplayText.plural(Int(n("users_with_sessions")), "user")) with sessions"
        }
        let log = check.log
        if log.total > 0 {
            text += "; \(DisplayText.plural(log.openErrorCount, "error")), \(DisplayText.plural(log.openWarningCount, "warning"))"
            if log.acceptedCount > 0 { text += ", \(log.acceptedCount) accepted" }
        }
        return text
    }
}
