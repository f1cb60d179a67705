import ChainVerify
import Foundation

/// Where a run's report goes: the chosen format on stdout or, atomically, to `--output` (stdout then gets the
/// text report, with annotations in GitHub Actions); the metrics file; GitHub's step summary.
struct ReportOutput {
    var format: ReportFormat
    var outputPath: String?
    var metricsPath: String?
    /// `$GITHUB_STEP_SUMMARY`, when set.
    var stepSummaryPath: String?
    /// Whether chain-audit runs in GitHub Actions (`GITHUB_ACTIONS=true`).
    var inGitHubActions: Bool

    /// Writes everything; returns false when a file could not be written (the run is then incomplete).
    func deliver(_ report: RunReport) -> Bool {
        var delivered = true
        let body: String
        switch format {
        case .text: body = report.auditText()
        case .json: body = report.json().serialized() + "\n"
        case .junit: body = report.junitXML()
        case .github: body = report.githubText()
        }
        if let outputPath {
            do {
                try AtomicFile.write(Data(body.utf8), to: outputPath)
            } catch {
                Console.error("--output: \(error)")
                delivered = false
            }
            // stdout is free for people (and, in GitHub Actions, for annotations).
            Console.out(inGitHubActions && format != .github ? report.githubText() : report.auditText())
        } else {
            Console.out(body)
        }
        if let metricsPath {
            let previous = try? String(contentsOfFile: metricsPath, encoding: .utf8)
            let text = report.metricsText(finishedAt: Date(), previous: previous)
            do {
                try AtomicFile.write(Data(text.utf8), to: metricsPath)
            } catch {
                Console.error("--metrics-file: \(error)")
                delivered = false
            }
        }
        if let stepSummaryPath {
            do {
                try AtomicFile.append(Data(report.markdownSummary().utf8), to: stepSummaryPath)
            } catch {
                Console.warning("GITHUB_STEP_SUMMARY: \(error)")
            }
        }
        return delivered
    }
}
