import EventModel
import Foundation

/// Explains the chain at one event: reads the rows at (org, seq) in one read-only snapshot, through the same
/// binary COPY the verifier hashes, and compares them with the schema's own canonical-bytes function.
public struct EventExplainer {
    private let connection: Connection
    private let mapping: SchemaMapping

    /// Creates an explainer that reads on `connection` under `mapping`.
    public init(connection: Connection, mapping: SchemaMapping = .reference) {
        self.connection = connection
        self.mapping = mapping
    }

    /// Explains `seq` of `org`.
    ///
    /// - Throws: `VerificationError` when the org has no row at that seq, or whatever the database reports.
    public func explain(_ org: OrgIdentity, seq: Int64) throws -> EventExplanation {
        let hasher = try SHA256Hasher()
        return try ReadOnlySession.run(on: connection) {
            let tuples = try copyRows(org, seq: seq)
            guard !tuples.isEmpty else {
                throw VerificationError("org \(org.slug) has no event at seq \(seq) in \(mapping.events.name)")
            }
            let columns = try textColumns(org, seq: seq)
            let (function, serverNote) = try serverFunction()
            var server: [String: (bytes: [UInt8]?, error: String?)] = [:]
            var serverFailure: String?
            if let function { (server, serverFailure) = try serverBytes(org, seq: seq, function: function) }
            let predecessors = seq > 1 ? try hashes("hash", org, seq - 1) : []
            let successors = try hashes("prev_hash", org, seq + 1)
            let rows = tuples.map { tuple -> EventExplanation.Row in
                var recomputed: Digest32?
                if let prev = tuple.prevHash.digest { recomputed = hasher.hash(prev.bytes + tuple.canonical) }
                let fields = CanonicalFields.parse(tuple.canonical)
                var serverView: EventExplanation.ServerBytes?
                var difference: EventExplanation.Difference?
                if let function {
                    let side = server[tuple.ctid] ?? (nil, serverFailure ?? "the function returned no row")
                    var hash: Digest32?
                    if let bytes = side.bytes, let prev = tuple.prevHash.digest {
                        hash = hasher.hash(prev.bytes + bytes)
                    }
                    serverView = .init(
                        function: function.description, bytes: side.bytes, error: side.error,
                        fields: side.bytes.map(CanonicalFields.parse) ?? [], hash: hash)
                    if let bytes = side.bytes, bytes != tuple.canonical {
                        let offset =
                            zip(bytes, tuple.canonical).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                            ?? min(bytes.count, tuple.canonical.count)
                        let place = CanonicalFields.locate(offset, in: fields)
                        difference = .init(offset: offset, field: place?.field, within: place?.within)
                    }
                }
                let content = Self.content(
                    stored: tuple.storedHash, prev: tuple.prevHash, recomputed: recomputed,
                    server: serverView)
                let link: EventExplanation.LinkVerdict
                if seq == 1 {
                    link = tuple.prevHash == .digest(ChainFormatV1.genesisPrevHash) ? .ok : .genesisMismatch
                } else if predecessors.isEmpty {
                    link = .predecessorMissing
                } else {
                    link = predecessors.contains(tuple.prevHash) && tuple.prevHash.digest != nil ? .ok : .mismatch
                }
                return .init(
                    ctid: tuple.ctid, columns: columns[tuple.ctid] ?? [], prevHash: tuple.prevHash,
                    storedHash: tuple.storedHash, canonical: tuple.canonical, fields: fields,
                    recomputed: recomputed, server: serverView, difference: difference,
                    predecessorHashes: predecessors, successorLinks: successors, content: content, link: link)
            }
            return EventExplanation(
                org: org, seq: seq, table: mapping.events.name.description, rows: rows,
                serverNote: serverNote)
        }
    }

    static func content(
        stored: HashValue, prev: HashValue, recomputed: Digest32?,
        server: EventExplanation.ServerBytes?
    ) -> EventExplanation.ContentVerdict {
        guard let recomputed else { return .malformed }
        let matches = stored == .digest(recomputed)
        guard let server, server.bytes != nil else { return matches ? .intact : .mismatchUnexplained }
        let agree = server.hash == recomputed
        switch (matches, agree) {
        case (true, true): return .intact
        case (true, false): return .functionDrift
        case (false, true): return .tampered
        case (false, false):
            return server.hash.map { stored == .digest($0) } == true ? .canonicalisationDrift : .driftAndMismatch
        }
    }

    // MARK: - Reading

    private struct Tuple {
        var ctid: String
        var prevHash: HashValue
        var storedHash: HashValue
        var canonical: [UInt8]
    }

    /// Collects each tuple's stored hashes and the canonical bytes exactly as the verifier's sink sees them.
    private struct Collector: CopyTupleSink {
        var tuples: [Tuple] = []

        mutating func consume(_ t: CopyTuple) throws {
            typealias C = VerifyQuery.Column
            let start = t.pointer(C.orgID) - 4
            let end = t.pointer(C.payload) + max(0, t.length(C.payload))
            let canonical = Array(UnsafeRawBufferPointer(start: start, count: end - start))
            let ctid = t.field(C.count).map { String(decoding: $0, as: UTF8.self) } ?? ""
            tuples.append(
                Tuple(
                    ctid: ctid, prevHash: HashValue(field: t.field(C.prevHash)),
                    storedHash: HashValue(field: t.field(C.hash)), canonical: canonical))
        }
    }

    private func copyRows(_ org: OrgIdentity, seq: Int64) throws -> [Tuple] {
        let copy = try connection.copyOut(VerifyQuery.copyEvent(org: org.id, seq: seq, mapping: mapping))
        let decoder = CopyBinaryDecoder(fieldCount: VerifyQuery.Column.count + 1)
        var collector = Collector()
        do {
            while try copy.nextChunk({ try decoder.feed($0, into: &collector) }) != nil {}
            _ = try copy.finish()
            try decoder.finish()
        } catch {
            connection.close()
            throw error
        }
        return collector.tuples
    }

    /// Every column of the rows as text, in table order, by ctid.
    private func textColumns(_ org: OrgIdentity, seq: Int64) throws -> [String: [(name: String, value: String?)]] {
        let events = mapping.events
        let names = try connection.query(
            """
            SELECT a.attname::text FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [events.name.schema.name, events.name.name.name])
        let columns = try (0..<names.rowCount).map { try SQLIdentifier(names.value($0, 0) ?? "") }
        guard !columns.isEmpty else { return [:] }
        let list = columns.map { "e.\($0.quoted)::text" }.joined(separator: ", ")
        let result = try connection.query(
            "SELECT e.ctid::text, \(list) FROM \(events.name.quoted) e "
                + "WHERE \(events.column("org_id", alias: "e")) = $1::uuid "
                + "AND \(events.column("seq", alias: "e")) = $2::bigint", [org.id.lowercased, String(seq)])
        var byCTID: [String: [(name: String, value: String?)]] = [:]
        for row in 0..<result.rowCount {
            byCTID[result.value(row, 0) ?? ""] = columns.enumerated().map { ($1.name, result.value(row, $0 + 1)) }
        }
        return byCTID
    }

    /// The mapped canonical-bytes function, when the schema has it with chain format v1's eight arguments.
    private func serverFunction() throws -> (QualifiedName?, String?) {
        let function = mapping.canonicalBytesFunction
        let found = try connection.query(
            """
            SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = $1 AND p.proname = $2 AND oidvectortypes(p.proargtypes)
                  = 'uuid, bigint, text, text, uuid, uuid, timestamp with time zone, jsonb'
            """, [function.schema.name, function.name.name])
        guard found.rowCount > 0 else {
            return (
                nil,
                "the schema has no \(function)(uuid, bigint, text, text, uuid, uuid, timestamptz, jsonb): "
                    + "the server's bytes cannot be compared, so tampering cannot be told from drift"
            )
        }
        return (function, nil)
    }

    private func serverBytes(
        _ org: OrgIdentity, seq: Int64, function: QualifiedName
    ) throws
        -> ([String: (bytes: [UInt8]?, error: String?)], String?)
    {
        let e = mapping.events
        let arguments = ChainFormatV1.hashedColumns.map { e.column($0, alias: "e") }.joined(separator: ", ")
        try connection.execute("SAVEPOINT chain_audit_explain")
        do {
            let result = try connection.query(
                "SELECT e.ctid::text, encode(\(function.quoted)(\(arguments)), 'hex') FROM \(e.name.quoted) e "
                    + "WHERE \(e.column("org_id", alias: "e")) = $1::uuid "
                    + "AND \(e.column("seq", alias: "e")) = $2::bigint",
                [org.id.lowercased, String(seq)])
            try connection.execute("RELEASE SAVEPOINT chain_audit_explain")
            var out: [String: (bytes: [UInt8]?, error: String?)] = [:]
            for row in 0..<result.rowCount {
                let hex = result.value(row, 1)
                out[result.value(row, 0) ?? ""] = (
                    hex.flatMap(Hex.decode), hex == nil ? "the function returned NULL" : nil
                )
            }
            return (out, nil)
        } catch let error as PostgresError where error.kind == .server {
            try connection.execute("ROLLBACK TO SAVEPOINT chain_audit_explain; RELEASE SAVEPOINT chain_audit_explain")
            return ([:], "\(function) failed: \(error)")
        }
    }

    /// The stored values of a hash column (`hash` or `prev_hash`) at one seq.
    private func hashes(_ role: String, _ org: OrgIdentity, _ seq: Int64) throws -> [HashValue] {
        let e = mapping.events
        let result = try connection.query(
            "SELECT encode(\(e.column(role)), 'hex') FROM \(e.name.quoted) WHERE \(e.column("org_id")) = $1::uuid "
                + "AND \(e.column("seq")) = $2::bigint", [org.id.lowercased, String(seq)])
        return (0..<result.rowCount).map { row in
            guard let hex = result.value(row, 0), let bytes = Hex.decode(hex) else { return .null }
            return bytes.withUnsafeBytes { HashValue(field: $0) }
        }
    }
}
