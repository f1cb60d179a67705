import Foundation
import Testing

/// xmllint (Debian's libxml2-utils), for checking the JUnit reports chain-audit writes.
enum XMLLint {
    /// Validates `xml` against docs/junit.xsd; returns xmllint's complaints, empty when valid.
    static func junitProblems(_ xml: String) throws -> String {
        let r = try CommandRunner.run(
            "/usr/bin/env",
            [
                "xmllint", "--noout", "--schema",
                TestEnvironment.file("docs/junit.xsd").path, "-",
            ], stdin: xml)
        return r.exitCode == 0 ? "" : r.stderr
    }

    /// The string value of an XPath expression over `xml`.
    static func xpath(_ xml: String, _ expression: String) throws -> String {
        let r = try CommandRunner.run("/usr/bin/env", ["xmllint", "--xpath", expression, "-"], stdin: xml)
        return r.stdout.trimmingCharacters(in: .newlines)
    }
}
