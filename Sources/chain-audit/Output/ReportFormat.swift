/// The report formats `check`, `tenants` and `sessions` write.
enum ReportFormat: String, CaseIterable {
    /// Human text.
    case text
    /// The JSON document of docs/report.md.
    case json
    /// JUnit XML for CI test reports.
    case junit
    /// GitHub Actions annotations, then the text report.
    case github
}
