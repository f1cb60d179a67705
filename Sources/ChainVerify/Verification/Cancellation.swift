import Synchronization

/// A process-wide request to stop: set from a signal handler (an atomic store, async-signal-safe), checked
/// by every reading loop after each CopyData message, so Ctrl-C or SIGTERM stops a run within moments.
public enum Cancellation {
    private static let flag = Atomic<Int32>(0)

    /// Asks every run to stop; `signal` is the signal number that asked (0 for none in particular).
    public static func request(signal: Int32 = 15) {
        flag.store(signal == 0 ? 15 : signal, ordering: .relaxed)
    }

    /// Whether a stop was requested.
    public static var isRequested: Bool { flag.load(ordering: .relaxed) != 0 }

    /// The signal that asked to stop, or 0.
    public static var signal: Int32 { flag.load(ordering: .relaxed) }

    /// Clears the request (tests, and watch between rounds when it keeps going).
    public static func reset() {
        flag.store(0, ordering: .relaxed)
    }
}

/// Thrown when a run stops because `Cancellation` was requested.
public struct CancelledError: Error, CustomStringConvertible {
    public var description: String {
        let name = Cancellation.signal == 2 ? "SIGINT" : (Cancellation.signal == 15 ? "SIGTERM" : "a signal")
        return "interrupted by \(name) before the org was fully verified"
    }
}
