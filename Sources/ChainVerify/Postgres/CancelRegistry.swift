import Synchronization

/// The COPY streams in progress, so that a stop request (Ctrl-C, SIGTERM) can cancel them at once, from
/// any thread, even while a reader waits for the server.
public enum CancelRegistry {
    /// One connection's cancel handle (`PGcancel`), made before its COPY starts.
    final class Canceller: @unchecked Sendable {
        // PQcancel is documented as safe to call from other threads; the handle is freed only on deinit.
        let handle: OpaquePointer

        init?(_ conn: OpaquePointer) {
            guard let handle = LibPQ.makeCanceller(conn) else { return nil }
            self.handle = handle
        }

        deinit {
            LibPQ.freeCanceller(handle)
        }
    }

    private static let active = Mutex<[ObjectIdentifier: Canceller]>([:])

    static func register(_ canceller: Canceller) {
        active.withLock { $0[ObjectIdentifier(canceller)] = canceller }
    }

    static func unregister(_ canceller: Canceller) {
        _ = active.withLock { $0.removeValue(forKey: ObjectIdentifier(canceller)) }
    }

    /// Asks the server to cancel every COPY in progress; returns how many requests were sent.
    @discardableResult
    public static func cancelAll() -> Int {
        let all = active.withLock { Array($0.values) }
        return all.filter { LibPQ.cancel(with: $0.handle) }.count
    }
}
