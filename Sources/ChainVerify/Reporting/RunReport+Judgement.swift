extension RunReport {
    /// Marks the findings `acceptance` accepts, then sets every check's, org's and the run's status, with open
    /// warnings failing only when `strict`. Rules that matched nothing are listed in `unusedAcceptances`.
    public mutating func judge(acceptance: AcceptanceList, strict: Bool) {
        self.strict = strict
        var matched = Set<AcceptanceList.Rule>()
        for i in orgs.indices {
            if orgs[i].chainVerified { matched.formUnion(orgs[i].log.accept(acceptance)) }
            for j in orgs[i].checks.indices {
                matched.formUnion(orgs[i].checks[j].log.accept(acceptance))
                orgs[i].checks[j].judge(strict: strict)
            }
            orgs[i].status = orgs[i].allChecks(strict: strict).reduce(OrgReport.Status.ok) {
                $0.combined(with: $1.status)
            }
        }
        for i in databaseChecks.indices {
            matched.formUnion(databaseChecks[i].log.accept(acceptance))
            databaseChecks[i].judge(strict: strict)
        }
        unusedAcceptances = acceptance.rules.filter { !matched.contains($0) }.map { "\($0) (\($0.source))" }
    }

    /// Open error-level findings in the whole run.
    public var openErrorCount: Int {
        allLogs.reduce(0) { $0 + $1.openErrorCount }
    }

    /// Open warnings in the whole run.
    public var openWarningCount: Int {
        allLogs.reduce(0) { $0 + $1.openWarningCount }
    }

    /// Accepted findings in the whole run.
    public var acceptedCount: Int {
        allLogs.reduce(0) { $0 + $1.acceptedCount }
    }

    /// Every finding log of the run: each org's checks and the database checks.
    var allLogs: [FindingLog] {
        orgs.flatMap { $0.allChecks(strict: strict).map(\.log) } + databaseChecks.map(\.log)
    }
}
