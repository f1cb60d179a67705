import Foundation
import Testing

/// The JSON report's findings, flattened.
struct JSONReport {
    let document: [String: Any]

    init(_ text: String) throws {
        document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    var orgs: [[String: Any]] { document["orgs"] as? [[String: Any]] ?? [] }

    var databaseChecks: [[String: Any]] { document["database_checks"] as? [[String: Any]] ?? [] }

    /// Every finding, org and database.
    var findings: [[String: Any]] {
        orgs.flatMap { $0["findings"] as? [[String: Any]] ?? [] }
            + databaseChecks.flatMap { $0["findings"] as? [[String: Any]] ?? [] }
    }

    /// The codes of every finding, as a set.
    var codes: Set<String> { Set(findings.compactMap { $0["code"] as? String }) }

    /// The org named `slug`.
    func org(_ slug: String) -> [String: Any]? { orgs.first { $0["slug"] as? String == slug } }

    /// The status of `check` for the org `slug`.
    func checkStatus(_ slug: String, _ check: String) -> String? {
        (org(slug)?["checks"] as? [[String: Any]])?.first { $0["check"] as? String == check }?["status"] as? String
    }
}
