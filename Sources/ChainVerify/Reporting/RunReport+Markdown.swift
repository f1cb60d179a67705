extension RunReport {
    /// The most findings the markdown summary lists; the rest are counted.
    public static let markdownFindingLimit = 50

    /// A markdown summary for `$GITHUB_STEP_SUMMARY`: the verdict, a table of orgs by check, and the findings.
    /// Every value from the database is escaped, so none can add markup.
    public func markdownSummary() -> String {
        func status(_ check: CheckReport?) -> String {
            guard let check else { return "–" }
            switch check.status {
            case .ok:
                return check.log.total > 0 ? "✅ ok (\(DisplayText.plural(check.log.openWarningCount, "warning")))" : "✅ ok"
            case .findings:
                return "❌ \(DisplayText.plural(check.log.openErrorCount + (strict ? check.log.openWarningCount : 0), "finding"))"
            case .incomplete:
                return "⚠️ incomplete"
            }
        }
        let verdict: String
        switch self.status {
        case .ok: verdict = "✅ OK"
        case .findings: verdict = "❌ FINDINGS"
        case .incomplete: verdict = "⚠️ INCOMPLETE"
        }
        var out = "## chain-audit \(Self.md(command)): \(verdict)\n\n"
        out += "\(DisplayText.plural(openErrorCount, "error")), \(DisplayText.plural(openWarningCount, "warning")), \(acceptedCount) accepted"
        if let db = database { out += " · database \(Self.md(db.name))" }
        out += "\n\n"
        for error in errors { out += "- ⚠️ \(Self.md(error))\n" }
        if !errors.isEmpty { out += "\n" }
        if !orgs.isEmpty || !databaseChecks.isEmpty {
            out += "| org | " + checks.map(\.rawValue).joined(separator: " | ") + " |\n"
            out += "| --- |" + String(repeating: " --- |", count: checks.count) + "\n"
            for org in orgs {
                let all = org.allChecks(strict: strict)
                out +=
                    "| \(Self.md(org.org.slug)) | "
                    + checks.map { c in status(all.first { $0.check == c }) }.joined(separator: " | ") + " |\n"
            }
            if !databaseChecks.isEmpty {
                out +=
                    "| *database* | "
                    + checks.map { c in status(databaseChecks.first { $0.check == c }) }.joined(separator: " | ")
                    + " |\n"
            }
            out += "\n"
        }
        var rows: [String] = []
        var total = 0
        func add(_ checks: [CheckReport], scope: String) {
            for check in checks {
                if let error = check.error {
                    total += 1
                    rows.append("| incomplete | \(Self.md(scope)) | \(check.check.rawValue) | | | \(Self.md(error)) |")
                }
                for finding in check.log.findings {
                    total += 1
                    let level = finding.accepted ? "accepted" : finding.severity.rawValue
                    rows.append(
                        "| \(level) | \(Self.md(scope)) | \(check.check.rawValue) | \(finding.code) | "
                            + "\(Self.md(finding.place ?? "")) | \(Self.md(finding.detail)) |")
                }
                total += check.log.omitted
            }
        }
        add(databaseChecks, scope: "database")
        for org in orgs { add(org.allChecks(strict: strict), scope: org.org.slug) }
        if !rows.isEmpty {
            out += "| severity | org | check | code | target | detail |\n| --- | --- | --- | --- | --- | --- |\n"
            out += rows.prefix(Self.markdownFindingLimit).joined(separator: "\n") + "\n"
            if total > min(rows.count, Self.markdownFindingLimit) {
                out += "\n\(total - min(rows.count, Self.markdownFindingLimit)) more not shown.\n"
            }
            out += "\n"
        }
        return out
    }

    /// Text safe in a markdown table cell: markup characters as HTML entities, line breaks as spaces.
    static func md(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "|": out += "&#124;"
            case "`": out += "&#96;"
            case "*": out += "&#42;"
            case "_": out += "&#95;"
            case "[": out += "&#91;"
            case "]": out += "&#93;"
            case "\\": out += "&#92;"
            case "#": out += "&#35;"
            case "!": out += "&#33;"
            case "~": out += "&#126;"
            case "\n", "\r", "\t": out += " "
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
