import EventModel
import Foundation

/// A whole `verify` run: connect, resolve the orgs, verify each, collect one report.
public struct VerificationRun {
    /// Which orgs to verify.
    public enum Selection: Sendable, Equatable {
        /// The named orgs (slugs or uuids), in order.
        case named([String])
        /// Every org in `public.orgs`.
        case all
    }

    private let spec: ConnectionSpec
    private let options: OrgVerifier.Options

    /// Creates a run against the database `spec` names.
    public init(spec: ConnectionSpec, options: OrgVerifier.Options = .init()) {
        self.spec = spec
        self.options = options
    }

    /// Runs it. Never throws: everything that goes wrong is in the report, which is then `incomplete`.
    public func run(_ selection: Selection) -> RunReport {
        let started = Date()
        let clock = DispatchTime.now()
        var report = RunReport(startedAt: started)
        func finish() -> RunReport {
            report.durationSeconds = Double(DispatchTime.now().uptimeNanoseconds - clock.uptimeNanoseconds) / 1e9
            return report
        }
        var connection: Connection
        do {
            connection = try Connection(spec)
        } catch {
            report.errors.append(String(describing: error))
            return finish()
        }
        let target = connection.target
        report.database = .init(user: target.user, name: target.database, host: target.host, port: target.port,
                                serverVersion: connection.serverVersion)
        let orgs: [OrgIdentity]
        do {
            let resolver = OrgResolver(connection: connection)
            switch selection {
            case .all:
                orgs = try resolver.all()
                if orgs.isEmpty { report.errors.append("public.orgs holds no orgs: nothing to verify") }
            case .named(let names):
                let resolution = try resolver.resolve(names)
                orgs = resolution.orgs
                for name in resolution.unknown {
                    report.errors.append("unknown org \(quoted(name)): no public.orgs row has that slug or id")
                }
            }
        } catch {
            report.errors.append("cannot list orgs: \(error)")
            return finish()
        }
        for org in orgs {
            if !connection.isOpen {
                do {
                    connection = try Connection(spec)
                } catch {
                    report.errors.append("cannot reconnect for org \(org.slug): \(error)")
                    return finish()
                }
            }
            let verifier: OrgVerifier
            do {
                verifier = try OrgVerifier(connection: connection, options: options)
            } catch {
                report.errors.append(String(describing: error))
                return finish()
            }
            let result = verifier.verify(org)
            report.orgs.append(result)
            if options.stopAtFirstError && result.log.errorCount > 0 { break }
        }
        return finish()
    }

    /// A user-typed name, quoted and with control characters escaped, safe to print on one line.
    private func quoted(_ name: String) -> String {
        var out = "'"
        for scalar in name.unicodeScalars {
            switch scalar {
            case "'": out += "\\'"
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}
