extension OrgReport.Status {
    /// The worse of two statuses: incomplete, then findings, then ok.
    public func combined(with other: OrgReport.Status) -> OrgReport.Status {
        switch (self, other) {
        case (.incomplete, _), (_, .incomplete): return .incomplete
        case (.findings, _), (_, .findings): return .findings
        default: return .ok
        }
    }
}
