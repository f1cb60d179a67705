import ChainVerify
import Foundation
import Testing

/// docs/report.md, docs/report.schema.json and the README stay true to the code.
@Suite("docs/report.md and the report schema")
struct ReportDocumentTests {
    static func document(_ path: String) throws -> String {
        try String(contentsOf: TestEnvironment.file(path), encoding: .utf8)
    }

    @Test func everyFindingCodeIsDocumentedOnceWithItsSeverity() throws {
        let doc = try Self.document("docs/report.md")
        var documented: [String: String] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2, cells[1] == "error" || cells[1] == "warning" else { continue }
            let code = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            #expect(documented[code] == nil, "\(code) is documented twice")
            documented[code] = cells[1]
        }
        for kind in Finding.Kind.allCases {
            #expect(
                documented[kind.rawValue] == kind.severity.rawValue, "\(kind.rawValue) as \(kind.severity.rawValue)")
            #expect(!kind.remediation.isEmpty)
        }
        #expect(Set(documented.keys) == Set(Finding.Kind.allCases.map(\.rawValue)), "no code the tool does not have")
    }

    @Test func theSchemaNamesEveryCodeAndIsItselfValid() throws {
        let schema = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.document("docs/report.schema.json").utf8))
                as? [String: Any])
        let defs = try #require(schema["$defs"] as? [String: Any])
        let codes = try #require((defs["code"] as? [String: Any])?["enum"] as? [String])
        #expect(codes == Finding.Kind.allCases.map(\.rawValue))
        let checks = try #require((defs["check_name"] as? [String: Any])?["enum"] as? [String])
        #expect(checks == AuditCheck.allCases.map(\.rawValue))
    }

    @Test func theMetricsAndTheConfigKeysAreDocumented() throws {
        let doc = try Self.document("docs/report.md")
        for name in RunReport.metricNames { #expect(doc.contains("| `\(name)` |"), "\(name)") }
        for key in SchemaMapping.configKeys { #expect(doc.contains("\"\(key)\""), "config key \(key)") }
        for spec in SchemaMapping.tableSpecs {
            #expect(doc.contains("\"\(spec.key)\""), "table \(spec.key)")
            for column in spec.columns {
                #expect(doc.contains("\"\(column.role)\": \"\(column.role)\""), "\(spec.key).\(column.role)")
            }
        }
    }

    @Test func theReadmeShowsEveryCommandAndTheGate() throws {
        let readme = try Self.document("README.md")
        for word in [
            "chain-audit tenants", "chain-audit sessions", "chain-audit check", "chain-audit explain",
            "chain-audit --org smoke", "docs/report.md", "samples/kamal/post-deploy",
            "samples/github/post-deploy-gate.yml",
        ] {
            #expect(readme.contains(word), "README mentions \(word)")
        }
    }
}
