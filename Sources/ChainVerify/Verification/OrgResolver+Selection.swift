import EventModel

extension OrgResolver {
    /// The orgs `selection` names, in order, with `shard` applied. An empty orgs table is an error in
    /// `report` (nothing to `verb`); a name that matches no org is an error, or a warning when `policy`
    /// does not hold unknown orgs strictly.
    func select(_ selection: VerificationRun.Selection, shard: Shard?, policy: VerificationRun.Policy,
                verb: String, into report: inout RunReport) throws -> [OrgIdentity]
    {
        var orgs: [OrgIdentity]
        switch selection {
        case .all:
            orgs = try all()
            if orgs.isEmpty { report.errors.append("\(mapping.orgs.name) holds no orgs: nothing to \(verb)") }
        case .named(let names):
            let resolution = try resolve(names)
            orgs = resolution.orgs
            for name in resolution.unknown {
                let message = "unknown org \(DisplayText.quoted(name)): no \(mapping.orgs.name) row has that slug or id"
                if policy.strictOrgs { report.errors.append(message) } else { report.warnings.append(message) }
            }
        }
        if let shard { orgs = orgs.filter(shard.contains) }
        return orgs
    }
}
