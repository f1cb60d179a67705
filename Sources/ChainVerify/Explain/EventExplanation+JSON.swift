import EventModel

extension EventExplanation {
    /// The explanation as JSON: per row its columns, canonical bytes (hex) and fields, the server's bytes, the
    /// hashes and the verdicts (docs/report.md).
    public func json() -> JSONValue {
        func fields(_ list: [Field]) -> JSONValue {
            .array(
                list.map { field in
                    .object([
                        ("name", .string(field.name)), ("offset", .int(Int64(field.offset))),
                        ("length", .int(Int64(field.length))), ("hex", .string(Hex.encode(field.bytes))),
                        ("value", .string(field.value)),
                    ])
                })
        }
        func hash(_ value: HashValue) -> JSONValue { .string(value.digest?.hex ?? value.description) }
        return .object([
            ("version", .int(Int64(ToolInfo.reportVersion))),
            ("tool", .string(ToolInfo.name)),
            ("command", .string("explain")),
            ("org_id", .string(org.id.lowercased)),
            ("slug", .string(org.slug)),
            ("seq", .int(seq)),
            ("table", .string(table)),
            ("intact", .bool(isIntact)),
            ("server_note", .string(serverNote)),
            (
                "rows",
                .array(
                    rows.map { row in
                        .object([
                            ("ctid", .string(row.ctid)),
                            ("columns", .object(row.columns.map { ($0.name, JSONValue.string($0.value)) })),
                            ("prev_hash", hash(row.prevHash)),
                            ("stored_hash", hash(row.storedHash)),
                            ("recomputed_hash", .string(row.recomputed?.hex)),
                            ("canonical_hex", .string(Hex.encode(row.canonical))),
                            ("fields", fields(row.fields)),
                            (
                                "server",
                                row.server.map { server in
                                    .object([
                                        ("function", .string(server.function)),
                                        ("canonical_hex", .string(server.bytes.map { Hex.encode($0) })),
                                        ("error", .string(server.error)),
                                        ("hash", .string(server.hash?.hex)),
                                        ("identical", .bool(server.bytes == row.canonical)),
                                    ])
                                } ?? .null
                            ),
                            (
                                "first_difference",
                                row.difference.map { d in
                                    .object([
                                        ("offset", .int(Int64(d.offset))), ("field", .string(d.field)),
                                        ("within", .string(d.within)),
                                    ])
                                } ?? .null
                            ),
                            ("successor_links_here", row.successorLinksHere.map { .bool($0) } ?? .null),
                            ("content", .string(row.content.rawValue)),
                            ("link", .string(row.link.rawValue)),
                            ("verdict", .string(Self.verdict(row, seq: seq))),
                        ])
                    })
            ),
        ])
    }
}
