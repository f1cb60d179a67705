import ChainVerify
import Dispatch
import Foundation

/// SIGINT and SIGTERM stop a run cleanly: the first asks every run to stop and cancels every COPY in
/// progress on the server (so a reader waiting for rows wakes at once), the reports then say what was
/// verified and mark the rest incomplete (exit 2); a second signal exits at once.
enum Signals {
    /// Keeps the signal sources alive for the life of the process.
    private final class Sources: @unchecked Sendable {
        // Written once, at initialisation; never read again.
        let all: [any DispatchSourceSignal]

        init(_ all: [any DispatchSourceSignal]) {
            self.all = all
        }
    }

    private static let sources = Sources([SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            if Cancellation.isRequested { _exit(128 + number) }
            Cancellation.request(signal: number)
            CancelRegistry.cancelAll()
        }
        source.resume()
        return source
    })

    /// Installs the handlers (once).
    static func install() {
        _ = sources.all.count
    }
}
