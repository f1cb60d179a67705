import ChainVerify

/// chain-audit's exit codes (grep and linter convention; README lists them).
enum ExitCode: Int32 {
    /// Every requested org was fully verified and no error-level finding was made.
    case ok = 0
    /// Verification completed and found problems.
    case findings = 1
    /// Verification could not complete; never 0 after a partial run.
    case incomplete = 2
    /// Bad flags or arguments (`EX_USAGE`).
    case usage = 64

    /// The exit code for a run's status.
    init(_ status: RunReport.Status) {
        switch status {
        case .ok: self = .ok
        case .findings: self = .findings
        case .incomplete: self = .incomplete
        }
    }
}
