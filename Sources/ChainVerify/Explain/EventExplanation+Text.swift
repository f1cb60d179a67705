import EventModel
import Foundation

extension EventExplanation {
    /// The explanation for an operator: the row's fields, its canonical bytes annotated field by field, the
    /// server function's bytes and where they differ, the stored and recomputed hashes, and a verdict.
    public func text() -> String {
        var out =
            "org \(org.slug) (\(org.id.lowercased)), seq \(seq) in \(table): "
            + "\(rows.count) row\(rows.count == 1 ? "" : "s")\n"
        for (i, row) in rows.enumerated() {
            if rows.count > 1 { out += "\n== row \(i + 1) of \(rows.count)\n" }
            out += "\nfields (ctid \(row.ctid)):\n"
            let width = max(14, (row.columns.map(\.name.count).max() ?? 0) + 2)
            for (name, value) in row.columns {
                out +=
                    "  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + (value.map { DisplayText.controlsEscaped(Self.cut($0, 200)) } ?? "NULL") + "\n"
            }
            out +=
                "\ncanonical bytes as the verifier hashes them (the row's binary COPY tuple), "
                + "\(row.canonical.count) bytes:\n"
            out += Self.annotate(row.fields)
            if let server = row.server {
                out += "\nserver function \(server.function)(\(ChainFormatV1.hashedColumns.joined(separator: ", "))):\n"
                if let bytes = server.bytes {
                    if let difference = row.difference {
                        let ours =
                            difference.offset < row.canonical.count
                            ? String(format: "%02x", row.canonical[difference.offset]) : "(end)"
                        let theirs =
                            difference.offset < bytes.count ? String(format: "%02x", bytes[difference.offset]) : "(end)"
                        out +=
                            "  \(bytes.count) bytes; they differ from the verifier's first at byte \(difference.offset)"
                        if let field = difference.field { out += " (\(field), \(difference.within ?? ""))" }
                        out += ": verifier \(ours), server \(theirs)\n"
                        out += "  verifier bytes there: \(Self.window(row.canonical, at: difference.offset))\n"
                        out += "  server bytes there:   \(Self.window(bytes, at: difference.offset))\n"
                        out += "  the server's bytes, field by field:\n"
                        out += Self.annotate(server.fields)
                    } else {
                        out += "  \(bytes.count) bytes, identical to the verifier's\n"
                    }
                } else {
                    out += "  no bytes: \(server.error ?? "unknown error")\n"
                }
            } else if let note = serverNote {
                out += "\nserver function: \(note)\n"
            }
            out += "\nhashes:\n"
            out += "  prev_hash             \(row.prevHash)  \(Self.linkText(row.link, seq: seq))\n"
            out += "  stored hash           \(row.storedHash)\n"
            if let recomputed = row.recomputed {
                out +=
                    "  recomputed            \(recomputed.hex)  SHA-256(prev_hash || canonical): "
                    + (row.storedHash == .digest(recomputed) ? "matches" : "MISMATCH") + "\n"
            }
            if let hash = row.server?.hash, row.difference != nil {
                out +=
                    "  over server bytes     \(hash.hex)  SHA-256(prev_hash || server bytes): "
                    + (row.storedHash == .digest(hash) ? "matches" : "does not match") + "\n"
            }
            switch row.successorLinksHere {
            case true?: out += "  seq \(seq + 1)'s prev_hash links to the stored hash\n"
            case false?: out += "  seq \(seq + 1)'s prev_hash does NOT link to the stored hash\n"
            case nil: out += "  no row at seq \(seq + 1)\n"
            }
            out += "\nverdict: \(Self.verdict(row, seq: seq))\n"
        }
        return out
    }

    /// The verdict in words, content first, then the links.
    static func verdict(_ row: Row, seq: Int64) -> String {
        var parts: [String] = []
        switch row.content {
        case .intact:
            parts.append(
                "intact: the stored hash is SHA-256 of prev_hash and bytes the verifier and the server agree on")
        case .tampered:
            parts.append(
                "tampered (content_mismatch): the stored hash does not match bytes that both the verifier and "
                    + "the server function agree on, so the row's content or its hash changed after it was written, "
                    + "behind the trigger; this is not canonicalisation drift")
        case .canonicalisationDrift:
            parts.append(
                "canonicalisation drift (content_mismatch): the verifier's bytes and the server function's "
                    + "bytes differ, and the stored hash is over the server's, so the trigger hashed bytes chain "
                    + "format v1 does not define: a trigger or verifier bug, not an attack")
        case .functionDrift:
            parts.append(
                "the row is intact, but the server function no longer gives chain format v1's bytes: rows "
                    + "the trigger writes through it will fail verification (canonicalisation drift to come)")
        case .driftAndMismatch:
            parts.append(
                "the verifier's and the server's bytes differ and the stored hash matches neither: "
                    + "canonicalisation drift, and the row or its hash changed too")
        case .mismatchUnexplained:
            parts.append(
                "content_mismatch: the stored hash does not match the verifier's bytes; without the server "
                    + "function, tampering cannot be told from drift")
        case .malformed:
            parts.append("malformed_hash: prev_hash is \(row.prevHash), so no hash can be recomputed")
        }
        switch row.link {
        case .ok: break
        case .mismatch:
            parts.append(
                "link_mismatch: prev_hash is not the hash of seq \(seq - 1): the row before was rewritten, "
                    + "or this row was spliced in")
        case .predecessorMissing: parts.append("seq_gap: the org has no row at seq \(seq - 1)")
        case .genesisMismatch: parts.append("genesis_mismatch: seq 1's prev_hash is not 32 zero bytes")
        }
        if row.successorLinksHere == false, row.content == .intact {
            parts.append("seq \(seq + 1) does not link here: this row was rewritten with its hash recomputed")
        }
        return parts.joined(separator: "; ")
    }

    static func linkText(_ link: LinkVerdict, seq: Int64) -> String {
        switch link {
        case .ok: return seq == 1 ? "genesis (32 zero bytes)" : "= hash of seq \(seq - 1)"
        case .mismatch: return "!= hash of seq \(seq - 1)"
        case .predecessorMissing: return "(no row at seq \(seq - 1))"
        case .genesisMismatch: return "!= 32 zero bytes (genesis)"
        }
    }

    /// Fields as a table: offset, name, length word, value bytes (wrapped, cut at 256), rendered value.
    static func annotate(_ fields: [Field]) -> String {
        var out = "  offset  field           length    bytes\n"
        for field in fields {
            let length =
                field.name == "unparsed" ? "        " : String(format: "%08x", UInt32(bitPattern: field.length))
            let shown = Array(field.bytes.prefix(256))
            var lines = stride(from: 0, to: shown.count, by: 32).map {
                Hex.encode(shown[$0..<min($0 + 32, shown.count)])
            }
            if field.bytes.count > 256 { lines.append("… \(field.bytes.count - 256) more bytes") }
            if lines.isEmpty { lines = [""] }
            out +=
                String(format: "  %6d  ", field.offset) + field.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                + length + "  " + lines[0] + "\n"
            for line in lines.dropFirst() { out += String(repeating: " ", count: 36) + line + "\n" }
            out += String(repeating: " ", count: 36) + "= \(field.value)\n"
        }
        return out
    }

    /// Up to 8 bytes either side of `offset`, in hex, with the byte at `offset` bracketed.
    static func window(_ bytes: [UInt8], at offset: Int) -> String {
        let start = max(0, offset - 8)
        let end = min(bytes.count, offset + 9)
        guard start < end else { return "(end)" }
        return (start..<end).map { i in
            let hex = String(format: "%02x", bytes[i])
            return i == offset ? "[\(hex)]" : hex
        }.joined(separator: " ") + (offset >= bytes.count ? " [end]" : "")
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        text.count > limit ? String(text.prefix(limit)) + "… (\(text.utf8.count) bytes)" : text
    }
}
