import Synchronization

/// Events verified so far across every connection of a run, for the progress display.
public final class ProgressCounter: Sendable {
    private let done = Atomic<Int64>(0)
    private let expected = Atomic<Int64>(0)

    /// Creates a counter at zero.
    public init() {}

    /// Adds verified events (called once per batch, not per row).
    public func add(_ events: Int64) {
        done.wrappingAdd(events, ordering: .relaxed)
    }

    /// Adds to the number of events the run expects to verify.
    public func expect(_ events: Int64) {
        expected.wrappingAdd(events, ordering: .relaxed)
    }

    /// Events verified so far.
    public var completed: Int64 { done.load(ordering: .relaxed) }

    /// Events the run expects in all (from the recorded chain heads; an estimate until the end).
    public var total: Int64 { expected.load(ordering: .relaxed) }
}
