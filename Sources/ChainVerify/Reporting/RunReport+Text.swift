import EventModel

extension RunReport {
    /// The report as human text: one summary line per org, its findings beneath, and a closing verdict.
    ///
    /// Run-level `errors` are not repeated here: the command line prints them on stderr.
    public func text() -> String {
        var out = ""
        for org in orgs {
            let name = "\(org.org.slug) (\(org.org.id.lowercased))"
            switch org.status {
            case .ok:
                let head = org.headHash.map { ", head seq \(org.headSeq) \($0.hex)" } ?? ""
                var anchored = ""
                if let anchor = org.anchor {
                    anchored = org.verifiedFromSeq > 1 ? " from the signed checkpoint at seq \(anchor.seq)"
                                                       : ", holding the signed checkpoint at seq \(anchor.seq)"
                }
                let resumed = org.resumes > 0 ? " (resumed \(org.resumes) time\(org.resumes == 1 ? "" : "s"))" : ""
                out += "\(name): verified: \(org.eventsVerified) events\(anchored)\(head)\(resumed)\n"
            case .findings:
                let stopped = org.stoppedEarly ? ", stopped at the first error" : ""
                out += "\(name): \(org.log.total) finding\(org.log.total == 1 ? "" : "s") in \(org.eventsVerified) "
                    + "events read\(stopped)\n"
            case .incomplete:
                out += "\(name): INCOMPLETE after \(org.eventsVerified) events: \(org.error ?? "unknown error")\n"
            }
            for finding in org.findings {
                let place = finding.seq.map { "seq \($0)" } ?? "chain"
                out += "  \(finding.severity.rawValue): \(finding.kind.rawValue) at \(place): \(finding.detail)\n"
            }
            if org.log.omitted > 0 {
                let counts = Finding.Kind.allCases.compactMap { kind in org.log.counts[kind].map { "\(kind.rawValue) \($0)" } }
                out += "  ... \(org.log.omitted) more findings not shown (all findings: \(counts.joined(separator: ", ")))\n"
            }
        }
        let events = orgs.reduce(Int64(0)) { $0 + $1.eventsVerified }
        let summary = "\(orgs.count) org\(orgs.count == 1 ? "" : "s"), \(events) events"
        switch status {
        case .ok: out += "OK: \(summary) verified\n"
        case .findings: out += "FINDINGS: \(summary) read, \(orgs.filter { $0.status == .findings }.count) with findings\n"
        case .incomplete: out += "INCOMPLETE: \(summary) read; verification did not complete\n"
        }
        return out
    }
}
