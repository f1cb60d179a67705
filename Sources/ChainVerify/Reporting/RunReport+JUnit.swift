import Foundation

extension RunReport {
    /// The report as JUnit XML, the format CI systems ingest (schema: docs/junit.xsd): one `testsuite` per
    /// org with one `testcase` per check, one for the database's own checks, and one for run-level errors.
    ///
    /// An open error-level finding is a `failure` (so is an open warning under `--strict`); a check that could
    /// not complete is an `error`; warnings and accepted findings are listed in `system-out`.
    public func junitXML() -> String {
        struct Case {
            var name: String
            var time: Double
            var failure: (message: String, type: String, body: String)?
            var error: (message: String, body: String)?
            var output: String
        }
        struct Suite {
            var name: String
            var className: String
            var properties: [(String, String)]
            var cases: [Case]
        }
        func testcase(_ check: CheckReport, scope: String) -> Case {
            var failing: [Finding] = []
            var notes: [String] = []
            for finding in check.log.findings {
                let place = finding.place.map { " at \($0)" } ?? ""
                let line = "\(finding.code)\(place): \(finding.detail)"
                if finding.accepted {
                    notes.append("accepted: \(line)")
                } else if finding.severity == .error || strict {
                    failing.append(finding)
                } else {
                    notes.append("warning: \(line)")
                }
            }
            if check.log.omitted > 0 { notes.append("\(check.log.omitted) more findings not listed (--max-findings)") }
            var result = Case(
                name: check.check.rawValue, time: check.durationSeconds, failure: nil, error: nil,
                output: notes.joined(separator: "\n"))
            if let error = check.error {
                result.error = ("\(scope) \(check.check.rawValue) did not complete: \(error)", error)
            } else if check.status == .findings {
                let codes = failing.reduce(into: [String]()) { if !$0.contains($1.code) { $0.append($1.code) } }
                let open = check.log.openErrorCount + (strict ? check.log.openWarningCount : 0)
                let body = failing.map { finding in
                    let place = finding.place.map { " at \($0)" } ?? ""
                    return "\(finding.severity.rawValue): \(finding.code)\(place): \(finding.detail)\n"
                        + "  fix: \(finding.kind.remediation)"
                }
                result.failure = (
                    "\(DisplayText.plural(open, "finding")): \(codes.joined(separator: ", "))",
                    codes.first ?? "findings", body.joined(separator: "\n")
                )
            }
            return result
        }
        var suites: [Suite] = []
        if !errors.isEmpty {
            suites.append(
                Suite(
                    name: "run", className: "chain-audit.run", properties: [],
                    cases: [
                        Case(
                            name: command, time: durationSeconds, failure: nil,
                            error: (errors[0], errors.joined(separator: "\n")), output: "")
                    ]))
        }
        if !databaseChecks.isEmpty {
            let name = database?.name ?? ""
            suites.append(
                Suite(
                    name: "database", className: "chain-audit.database",
                    properties: [("database", name)],
                    cases: databaseChecks.map { testcase($0, scope: "database") }))
        }
        for org in orgs {
            suites.append(
                Suite(
                    name: "org \(org.org.slug)", className: "chain-audit.\(org.org.slug)",
                    properties: [("org_id", org.org.id.lowercased), ("slug", org.org.slug)],
                    cases: org.allChecks(strict: strict).map { testcase($0, scope: "org \(org.org.slug)") }))
        }
        let stamp = String(Self.iso8601(startedAt).prefix(19))
        func a(_ text: String) -> String { XMLText.escape(text, attribute: true) }
        func t(_ seconds: Double) -> String { String(format: "%.3f", seconds) }
        let all = suites.flatMap(\.cases)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out +=
            "<testsuites name=\"\(a("chain-audit \(command)"))\" tests=\"\(all.count)\" "
            + "failures=\"\(all.filter { $0.failure != nil }.count)\" "
            + "errors=\"\(all.filter { $0.error != nil }.count)\" "
            + "time=\"\(t(durationSeconds))\">\n"
        for (i, suite) in suites.enumerated() {
            out +=
                "  <testsuite name=\"\(a(suite.name))\" id=\"\(i)\" tests=\"\(suite.cases.count)\" "
                + "failures=\"\(suite.cases.filter { $0.failure != nil }.count)\" "
                + "errors=\"\(suite.cases.filter { $0.error != nil }.count)\" skipped=\"0\" "
                + "time=\"\(t(suite.cases.reduce(0) { $0 + $1.time }))\" timestamp=\"\(stamp)\">\n"
            if !suite.properties.isEmpty {
                out += "    <properties>\n"
                for (name, value) in suite.properties {
                    out += "      <property name=\"\(a(name))\" value=\"\(a(value))\"/>\n"
                }
                out += "    </properties>\n"
            }
            for c in suite.cases {
                out += "    <testcase name=\"\(a(c.name))\" classname=\"\(a(suite.className))\" time=\"\(t(c.time))\""
                if c.failure == nil && c.error == nil && c.output.isEmpty {
                    out += "/>\n"
                    continue
                }
                out += ">\n"
                if let error = c.error {
                    out +=
                        "      <error message=\"\(a(error.message))\" type=\"incomplete\">"
                        + XMLText.escape(error.body) + "</error>\n"
                }
                if let failure = c.failure {
                    out +=
                        "      <failure message=\"\(a(failure.message))\" type=\"\(a(failure.type))\">"
                        + XMLText.escape(failure.body) + "</failure>\n"
                }
                if !c.output.isEmpty {
                    out += "      <system-out>" + XMLText.escape(c.output) + "</system-out>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }
}
