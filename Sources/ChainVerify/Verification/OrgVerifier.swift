import EventModel
import Foundation

/// Verifies one org's chain on one connection: one read-only snapshot, one streaming COPY, every check.
public struct OrgVerifier {
    /// What to do, besides checking everything.
    public struct Options: Sendable {
        /// The most findings kept per org (0 keeps all); counts stay exact either way.
        public var maxFindings: Int
        /// Stop streaming at the first error-level finding.
        public var stopAtFirstError: Bool
        /// The events and chain_heads tables to read (samples/schema.sql's unless a config maps others).
        public var mapping: SchemaMapping = .reference

        /// Creates options.
        public init(maxFindings: Int = 10_000, stopAtFirstError: Bool = false) {
            self.maxFindings = maxFindings
            self.stopAtFirstError = stopAtFirstError
        }
    }

    private let connection: Connection
    private let options: Options
    private let hasher: SHA256Hasher

    /// Creates a verifier that uses `connection`.
    public init(connection: Connection, options: Options = Options()) throws {
        self.connection = connection
        self.options = options
        self.hasher = try SHA256Hasher()
    }

    /// Verifies `org`. Never throws: a failure part-way is an `incomplete` report with what was verified.
    ///
    /// A connection left mid-COPY (by a failure or an early stop) is closed; the caller reconnects.
    public func verify(_ org: OrgIdentity) -> OrgReport {
        let started = DispatchTime.now()
        var sink = ChainSink(hasher: hasher, org: UUIDWords(org.id), maxFindings: options.maxFindings,
                             stopAtFirstError: options.stopAtFirstError)
        var failure: String?
        var stoppedEarly = false
        do {
            try ReadOnlySession.run(on: connection) {
                let head = try recordedHead(of: org)
                try stream(org, into: &sink)
                sink.checker.checkHead(recorded: head, into: &sink.log)
            }
        } catch is ChainSink.StopRequested {
            stoppedEarly = true
        } catch {
            failure = String(describing: error)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let status: OrgReport.Status
        if failure != nil {
            status = .incomplete
        } else if sink.log.errorCount > 0 {
            status = .findings
        } else {
            status = .ok
        }
        return OrgReport(
            org: org, status: status, eventsVerified: sink.checker.rowCount, headSeq: sink.checker.lastSeq ?? 0,
            headHash: sink.checker.lastHash?.digest, log: sink.log, stoppedEarly: stoppedEarly, error: failure,
            durationSeconds: elapsed)
    }

    private func stream(_ org: OrgIdentity, into sink: inout ChainSink) throws {
        let copy = try connection.copyOut(VerifyQuery.copyEvents(org: org.id, mapping: options.mapping))
        let decoder = CopyBinaryDecoder(fieldCount: VerifyQuery.Column.count)
        do {
            while try copy.nextChunk({ try decoder.feed($0, into: &sink) }) != nil {}
            let sent = try copy.finish()
            try decoder.finish()
            guard sent == decoder.tupleCount else {
                throw VerificationError(
                    "the server reported COPY \(sent) but the stream held \(decoder.tupleCount) rows")
            }
        } catch {
            // The connection may be mid-COPY; it cannot be reused.
            connection.close()
            throw error
        }
    }

    private func recordedHead(of org: OrgIdentity) throws -> (seq: Int64, hash: HashValue)? {
        let result = try connection.query(VerifyQuery.chainHead(mapping: options.mapping), [org.id.lowercased])
        guard result.rowCount > 0 else { return nil }
        guard let seqText = result.value(0, 0), let seq = Int64(seqText) else {
            throw VerificationError("events.chain_heads.last_seq is NULL or not a number for this org")
        }
        guard let hex = result.value(0, 1) else { return (seq, .null) }
        guard let bytes = Hex.decode(hex) else { throw VerificationError("events.chain_heads.last_hash is unreadable") }
        let hash = bytes.withUnsafeBytes { HashValue(field: $0) }
        return (seq, hash)
    }
}
