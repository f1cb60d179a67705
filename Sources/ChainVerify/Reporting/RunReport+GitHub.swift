extension RunReport {
    /// GitHub Actions annotations: `::error` for each open error (and each open warning under `--strict`),
    /// `::warning` for other open warnings, `::notice` for accepted findings, `::error` for each check that did
    /// not complete and for each run-level error, `::warning` for each run-level warning.
    public func githubAnnotations() -> String {
        var out = ""
        for error in errors {
            out += WorkflowCommand.annotation(
                "error", title: "chain-audit: \(command) could not complete", message: error)
        }
        for warning in warnings {
            out += WorkflowCommand.annotation("warning", title: "chain-audit: \(command)", message: warning)
        }
        func add(_ checks: [CheckReport], scope: String) {
            for check in checks {
                if let error = check.error {
                    out += WorkflowCommand.annotation(
                        "error", title: "chain-audit: \(scope) \(check.check.rawValue) incomplete", message: error)
                }
                for finding in check.log.findings {
                    let level: String
                    if finding.accepted {
                        level = "notice"
                    } else if finding.severity == .error || strict {
                        level = "error"
                    } else {
                        level = "warning"
                    }
                    let place = finding.place.map { " at \($0)" } ?? ""
                    let title =
                        "chain-audit: \(scope) \(check.check.rawValue): \(finding.code)\(place)"
                        + (finding.accepted ? " (accepted)" : "")
                    out += WorkflowCommand.annotation(
                        level, title: title, message: "\(finding.detail)\nfix: \(finding.kind.remediation)")
                }
                if check.log.omitted > 0 {
                    out += WorkflowCommand.annotation(
                        "warning", title: "chain-audit: \(scope) \(check.check.rawValue)",
                        message: "\(check.log.omitted) more findings not listed (--max-findings)")
                }
            }
        }
        add(databaseChecks, scope: "database")
        for org in orgs { add(org.allChecks(strict: strict), scope: "org \(org.org.slug)") }
        return out
    }

    /// The `github` format: the annotations, then the text report for the log.
    public func githubText() -> String {
        githubAnnotations() + auditText()
    }
}
