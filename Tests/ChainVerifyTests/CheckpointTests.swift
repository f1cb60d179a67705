import ChainVerify
import EventModel
import Foundation
import Testing

/// Signed checkpoints: the format, the keys, and the attacks only they catch.
@Suite("Checkpoint format and keys")
struct CheckpointFormatTests {
    @Test func aSignedCheckpointRoundTripsAndVerifies() throws {
        let key = try Ed25519Key.generate()
        let pub = try Ed25519Key.publicKey(pem: key.publicPEM())
        let checkpoint = Checkpoint(origin: "chain-audit/pg-1-db/org/00000000-0000-4000-8000-000000000001", size: 42,
                                    root: try #require(Digest32(hex: String(repeating: "ab", count: 32))))
        let note = try SignedNote.sign(text: checkpoint.text, name: "auditor.example", key: key)
        let text = String(decoding: note.serialized, as: UTF8.self)
        #expect(text.hasPrefix("chain-audit/pg-1-db/org/00000000-0000-4000-8000-000000000001\n42\nq6ur"))
        #expect(text.contains("\n\n\u{2014} auditor.example "))
        let loaded = try SignedCheckpoint.verify(data: note.serialized, path: "x", publicKey: pub)
        #expect(loaded.checkpoint == checkpoint)
        #expect(loaded.signer == "auditor.example")
    }

    @Test func everyFlippedByteIsRejected() throws {
        let key = try Ed25519Key.generate()
        let pub = try Ed25519Key.publicKey(raw: key.rawPublicKey())
        let checkpoint = Checkpoint(origin: "chain-audit/x/org/y", size: 7, root: .zero)
        let bytes = [UInt8](try SignedNote.sign(text: checkpoint.text, name: "k", key: key).serialized)
        for i in bytes.indices {
            var flipped = bytes
            flipped[i] ^= 0x01
            #expect(throws: NoteError.self, "byte \(i)") {
                try SignedCheckpoint.verify(data: Data(flipped), path: "c", publicKey: pub)
            }
        }
    }

    @Test func aCheckpointSignedByAnotherKeyIsRejected() throws {
        let key = try Ed25519Key.generate(), other = try Ed25519Key.generate()
        let note = try SignedNote.sign(text: Checkpoint(origin: "o", size: 1, root: .zero).text, name: "k", key: key)
        #expect { try SignedCheckpoint.verify(data: note.serialized, path: "f.checkpoint", publicKey: other) } throws: {
            "\($0)".contains("f.checkpoint has no valid signature")
        }
    }

    @Test(arguments: ["", "o\n1\n", "o\n01\nAAAA\n\n\u{2014} k AAAAAAAA\n", "o x\n1\n\(Data(count: 32).base64EncodedString())\n\n",
                      "o\n-1\n\(Data(count: 32).base64EncodedString())\n", "o\n1\nAAAA\n"])
    func malformedCheckpointsAreRejected(_ text: String) {
        let note = text.contains("\u{2014}") ? text : text + "\n\u{2014} k AAAAAAAAAAAA\n"
        let key = try! Ed25519Key.generate()
        #expect(throws: NoteError.self) { try SignedCheckpoint.verify(data: Data(note.utf8), path: nil, publicKey: key) }
    }

    @Test func keyIDsAndVerifierKeysFollowC2SP() throws {
        // Key ID = first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), checked against Python's hashlib.
        let raw = [UInt8](repeating: 7, count: 32)
        let script = "import hashlib; print(hashlib.sha256(b'example.com/log\\n\\x01' + bytes([7] * 32)).hexdigest()[:8])"
        let python = try CommandRunner.run("/usr/bin/python3", ["-c", script])
        let id = try SignedNote.keyID(name: "example.com/log", publicKey: raw)
        #expect(String(format: "%08x", id) == python.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let vkey = try NoteVerifierKey(name: "example.com/log", publicKey: raw).text
        #expect(vkey == "example.com/log+\(String(format: "%08x", id))+\(Data([1] + raw).base64EncodedString())")
    }

    @Test func keygenWritesKeysThatOpenSSLReadsAndSignaturesOpenSSLVerifies() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("keygen-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try CommandRunner.chainAudit(["keygen", "--out", "\(dir)/audit.key", "--name", "auditor.example"])
        #expect(r.exitCode == 0, "\(r.allOutput)")
        #expect(r.stdout.contains("verifier key: auditor.example+"))
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(dir)/audit.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let again = try CommandRunner.chainAudit(["keygen", "--out", "\(dir)/audit.key"])
        #expect(again.exitCode == 2)
        #expect(again.stderr.contains("exists already"))
        let check = try CommandRunner.run("/usr/bin/env", ["openssl", "pkey", "-in", "\(dir)/audit.key", "-noout", "-text"])
        #expect(check.exitCode == 0 && check.stdout.contains("ED25519"), "\(check.allOutput)")
        // A signature chain-audit makes verifies with openssl pkeyutl and the public key file.
        let key = try Ed25519Key.privateKey(pem: Data(contentsOf: URL(fileURLWithPath: "\(dir)/audit.key")))
        let message = "chain-audit/x/org/y\n5\n\(Data(count: 32).base64EncodedString())\n"
        try Data(message.utf8).write(to: URL(fileURLWithPath: "\(dir)/msg"))
        try Data(try key.sign(Array(message.utf8))).write(to: URL(fileURLWithPath: "\(dir)/sig"))
        let verify = try CommandRunner.run("/usr/bin/env", ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                                                            "\(dir)/audit.key.pub", "-rawin", "-in", "\(dir)/msg",
                                                            "-sigfile", "\(dir)/sig"])
        #expect(verify.exitCode == 0, "\(verify.allOutput)")
        #expect(verify.stdout.contains("Signature Verified Successfully"))
    }
}

@Suite("Checkpoints against the real server", .enabled(if: TestEnvironment.databaseTestsEnabled))
struct CheckpointDatabaseTests {
    /// A database with an org of 40 events, a key pair, and a checkpoint store holding its checkpoint at 40.
    struct Fixture {
        let db: TestDatabase
        let org: OrgIdentity
        let dir: String
        var key: String { "\(dir)/audit.key" }
        var pub: String { "\(dir)/audit.key.pub" }
        var store: String { "\(dir)/checkpoints" }
        var file: String { "\(store)/\(org.id.lowercased).checkpoint" }

        init() throws {
            db = try TestDatabase("checkpoint")
            org = try db.makeOrg("audited", events: 40)
            try db.makeOrg("other", events: 5)
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("cp-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let keygen = try CommandRunner.chainAudit(["keygen", "--out", "\(dir)/audit.key"])
            try #require(keygen.exitCode == 0, "\(keygen.allOutput)")
            let made = try checkpoint()
            try #require(made.exitCode == 0, "\(made.allOutput)")
        }

        func checkpoint(_ extra: [String] = []) throws -> CommandResult {
            try CommandRunner.chainAudit(["checkpoint", "--org", "audited", "--db", db.auditorDSN, "--key", key, "--out", store]
                                         + extra)
        }

        func verify(_ extra: [String] = [], checkpoint: String? = nil, pubkey: String? = nil) throws -> (CommandResult, [String: Any]) {
            let r = try CommandRunner.chainAudit(["verify", "--org", "audited", "--db", db.auditorDSN, "--format", "json",
                                                  "--checkpoint", checkpoint ?? store, "--pubkey", pubkey ?? pub] + extra)
            let doc = (try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
            return (r, doc)
        }

        func plainVerify() throws -> OrgReport { try db.verify(org) }

        func kinds(_ doc: [String: Any]) -> [String] {
            let org = (doc["orgs"] as? [[String: Any]])?.first
            return (org?["findings"] as? [[String: Any]] ?? []).map { "\($0["kind"]!)@\($0["seq"] ?? "-")" }
        }
    }

    @Test func aFullRewriteFromSomeSeqPassesPlainVerifyButNotTheCheckpoint() throws {
        let f = try Fixture()
        // Rewrite history from seq 25 on, recomputing every hash with pgcrypto and moving the chain head.
        try f.db.tamper("""
            DO $$
            DECLARE r record; prev bytea;
            BEGIN
                SELECT hash INTO prev FROM events.domain_events WHERE org_id = '\(f.org.id.lowercased)' AND seq = 24;
                FOR r IN SELECT id, seq FROM events.domain_events WHERE org_id = '\(f.org.id.lowercased)' AND seq >= 25
                         ORDER BY seq LOOP
                    UPDATE events.domain_events e SET
                        event_type = CASE WHEN e.seq = 25 THEN 'rewritten.history' ELSE e.event_type END,
                        prev_hash = prev,
                        hash = public.digest(prev || events.canonical_bytes(e.org_id, e.seq,
                            CASE WHEN e.seq = 25 THEN 'rewritten.history' ELSE e.event_type END, e.aggregate_type,
                            e.aggregate_id, e.actor_id, e.occurred_at, e.payload), 'sha256')
                    WHERE e.id = r.id RETURNING e.hash INTO prev;
                END LOOP;
                UPDATE events.chain_heads SET last_hash = prev WHERE org_id = '\(f.org.id.lowercased)';
            END $$
            """)
        #expect(try f.plainVerify().status == .ok, "plain verification cannot tell")
        let (incremental, doc) = try f.verify()
        #expect(incremental.exitCode == 1, "\(incremental.allOutput)")
        #expect(f.kinds(doc) == ["checkpoint_mismatch@40"])
        let (full, fullDoc) = try f.verify(["--full"])
        #expect(full.exitCode == 1)
        #expect(f.kinds(fullDoc) == ["checkpoint_mismatch@40"])
        // The store is not advanced past a rewrite.
        let before = try Data(contentsOf: URL(fileURLWithPath: f.file))
        let again = try f.checkpoint()
        #expect(again.exitCode == 1)
        #expect(again.stdout.contains("no checkpoint written"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.file)) == before)
    }

    @Test func aTruncatedTailWithTheHeadMovedBackIsCaughtOnlyWithTheCheckpoint() throws {
        let f = try Fixture()
        try f.db.tamper("""
            DELETE FROM events.domain_events WHERE org_id = '\(f.org.id.lowercased)' AND seq > 33;
            UPDATE events.chain_heads h SET last_seq = e.seq, last_hash = e.hash FROM events.domain_events e
            WHERE h.org_id = e.org_id AND e.org_id = '\(f.org.id.lowercased)' AND e.seq = 33
            """)
        #expect(try f.plainVerify().status == .ok)
        let (r, doc) = try f.verify()
        #expect(r.exitCode == 1, "\(r.allOutput)")
        #expect(f.kinds(doc) == ["chain_truncated@40"])
        let (full, fullDoc) = try f.verify(["--full"])
        #expect(full.exitCode == 1)
        #expect(f.kinds(fullDoc) == ["chain_truncated@40"])
    }

    @Test func incrementalVerificationReadsOnlyTheNewEvents() throws {
        let f = try Fixture()
        try f.db.insertEvents(f.org.id, count: 15)
        let (r, doc) = try f.verify()
        #expect(r.exitCode == 0, "\(r.allOutput)")
        let org = try #require((doc["orgs"] as? [[String: Any]])?.first)
        #expect(org["events_verified"] as? Int == 16, "the checkpoint's own event and the 15 after it")
        #expect(org["verified_from_seq"] as? Int == 40)
        #expect(org["head_seq"] as? Int == 55)
        #expect((org["checkpoint"] as? [String: Any])?["seq"] as? Int == 40)
        #expect(try JSONSchemaCheck.problems(r.stdout) == "")
        let json = try f.checkpoint(["--format", "json"])
        #expect(json.exitCode == 0)
        #expect(try JSONSchemaCheck.problems(json.stdout) == "", "\(json.stdout)")
        #expect(json.stdout.contains("\"action\": \"written\""))
        // The checkpoint advanced, and then a content change in the new part is caught incrementally.
        #expect(try String(contentsOfFile: f.file, encoding: .utf8).split(separator: "\n")[1] == "55")
        try f.db.insertEvents(f.org.id, count: 5)
        try f.db.tamper("UPDATE events.domain_events SET payload = '{}' WHERE org_id = '\(f.org.id.lowercased)' AND seq = 58")
        let (broken, brokenDoc) = try f.verify()
        #expect(broken.exitCode == 1)
        #expect(f.kinds(brokenDoc) == ["content_mismatch@58"])
        // And one in the checkpoint's own event too.
        try f.db.tamper("UPDATE events.domain_events SET payload = '{}' WHERE org_id = '\(f.org.id.lowercased)' AND seq = 55")
        #expect(f.kinds(try f.verify().1) == ["content_mismatch@55", "content_mismatch@58"])
    }

    @Test func aSplitIncrementalRunMatchesASingleOne() throws {
        let f = try Fixture()
        try f.db.insertEvents(f.org.id, count: 300)
        try f.db.tamper("UPDATE events.domain_events SET payload = '{}' WHERE org_id = '\(f.org.id.lowercased)' AND seq IN (41, 200, 340)")
        let anchorLine = try String(contentsOfFile: f.file, encoding: .utf8).split(separator: "\n")
        let anchor = ChainChecker.Anchor(seq: Int64(anchorLine[1])!, hash: Digest32(Data(base64Encoded: String(anchorLine[2]))!)!)
        let one = try f.db.verify(f.org, options: .init(anchor: anchor, incremental: true))
        let split = try f.db.verify(f.org, options: .init(jobs: 4, splitThreshold: 1, anchor: anchor, incremental: true))
        #expect(one.findings == split.findings)
        #expect(one.hasExactly([(.contentMismatch, 41), (.contentMismatch, 200), (.contentMismatch, 340)]))
        #expect(split.eventsVerified == 301)
    }

    @Test func aTamperedOrForeignCheckpointIsAnErrorNamingTheFileNeverAFallback() throws {
        let f = try Fixture()
        let original = try String(contentsOfFile: f.file, encoding: .utf8)
        // One flipped byte in the root line.
        var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = String(lines[2].prefix(5)) + (lines[2].dropFirst(5).first == "A" ? "B" : "A") + lines[2].dropFirst(6)
        let flipped = "\(f.dir)/flipped.checkpoint"
        try lines.joined(separator: "\n").write(toFile: flipped, atomically: true, encoding: .utf8)
        let (r, doc) = try f.verify(checkpoint: flipped)
        #expect(r.exitCode == 2)
        #expect(r.stderr.contains("checkpoint \(flipped) has no valid signature"), "\(r.stderr)")
        #expect(doc["status"] as? String == "incomplete")
        #expect((doc["orgs"] as? [Any])?.isEmpty == true, "nothing is verified against a bad checkpoint")
        // The wrong public key.
        let other = try CommandRunner.chainAudit(["keygen", "--out", "\(f.dir)/other.key"])
        #expect(other.exitCode == 0)
        let (wrong, _) = try f.verify(pubkey: "\(f.dir)/other.key.pub")
        #expect(wrong.exitCode == 2)
        #expect(wrong.stderr.contains("has no valid signature by the given public key"))
        // A checkpoint of another org, or of another database.
        let (foreign, _) = try CommandRunner.chainAudit(["verify", "--org", "other", "--db", f.db.auditorDSN, "--checkpoint",
                                                         f.file, "--pubkey", f.pub]).asPair()
        #expect(foreign.exitCode == 2)
        #expect(foreign.stderr.contains("is for chain-audit/"), "\(foreign.stderr)")
        let (otherLog, _) = try f.verify(["--log-name", "somewhere-else"])
        #expect(otherLog.exitCode == 2)
        #expect(otherLog.stderr.contains("not chain-audit/somewhere-else/org/"))
        // A missing checkpoint in a store is an error too.
        let empty = "\(f.dir)/empty-store"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let (missing, _) = try f.verify(checkpoint: empty)
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("does not exist"))
    }

    @Test func theStoreRefusesACheckpointThatDoesNotExtendItsOwn() throws {
        let f = try Fixture()
        let key = try Ed25519Key.privateKey(pem: Data(contentsOf: URL(fileURLWithPath: f.key)))
        let pub = try Ed25519Key.publicKey(raw: key.rawPublicKey())
        let store = try CheckpointStore(directory: f.store)
        let current = try #require(try store.load(f.org.id, publicKey: pub))
        let shorter = Checkpoint(origin: current.checkpoint.origin, size: 39, root: .zero)
        let forked = Checkpoint(origin: current.checkpoint.origin, size: 40, root: .zero)
        for bad in [shorter, forked] {
            let note = try SignedNote.sign(text: bad.text, name: "chain-audit", key: key)
            #expect(throws: NoteError.self) { try store.save(note, for: f.org.id, replacing: current, publicKey: pub) }
        }
        // A second run on a locked store is refused.
        #expect(throws: NoteError.self) { _ = try CheckpointStore(directory: f.store) }
    }
}

extension CommandResult {
    func asPair() -> (CommandResult, [String: Any]) {
        (self, (try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]) ?? [:])
    }
}
