#!/usr/bin/env python3
"""Baseline (f): verify one org's chain with psycopg2 and hashlib, the way a careful script would.

Streams the same binary COPY chain-audit uses, parses each tuple, recomputes
sha256(prev_hash || canonical) (prev_hash's bytes and the eight canonical fields with their length words,
one contiguous slice of the tuple, exactly as chain format v1 defines it), and checks content, links, seq
order and the chain head. Prints one line and exits 0 (verified), 1 (findings) or 2 (error).

usage: verify_psycopg2.py DSN ORG_UUID
"""
import hashlib
import struct
import sys
import uuid

import psycopg2

QUERY = (
    "COPY (SELECT prev_hash, org_id, seq, event_type, aggregate_type, aggregate_id, actor_id, occurred_at, "
    "payload, hash FROM events.domain_events WHERE org_id = '{org}'::uuid ORDER BY seq) TO STDOUT (FORMAT binary)"
)
SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


class Verifier:
    def __init__(self):
        self.buffer = bytearray()
        self.header_done = False
        self.ended = False
        self.rows = 0
        self.findings = 0
        self.expected_seq = 1
        self.last_hash = b"\x00" * 32
        self.sha256 = hashlib.sha256

    def write(self, data):
        self.buffer += data
        self.parse()
        return len(data)

    def parse(self):
        buf = self.buffer
        pos = 0
        if not self.header_done:
            if len(buf) < 19:
                return
            if buf[:11] != SIGNATURE:
                raise ValueError("bad COPY signature")
            ext = struct.unpack_from(">I", buf, 15)[0]
            pos = 19 + ext
            self.header_done = True
        unpack = struct.unpack_from
        n = len(buf)
        while pos + 2 <= n:
            (count,) = unpack(">h", buf, pos)
            if count == -1:
                self.ended = True
                pos += 2
                break
            if count != 10:
                raise ValueError("unexpected field count %d" % count)
            p = pos + 2
            fields = []
            complete = True
            for _ in range(10):
                if p + 4 > n:
                    complete = False
                    break
                (length,) = unpack(">i", buf, p)
                p += 4
                if length < 0:
                    fields.append((p, -1))
                    continue
                if p + length > n:
                    complete = False
                    break
                fields.append((p, length))
                p += length
            if not complete:
                break
            self.check(buf, fields)
            pos = p
        del buf[:pos]

    def check(self, buf, fields):
        self.rows += 1
        prev_start, prev_len = fields[0]
        seq_start, _ = fields[2]
        payload_start, payload_len = fields[8]
        hash_start, hash_len = fields[9]
        (seq,) = struct.unpack_from(">q", buf, seq_start)
        stored = bytes(buf[hash_start:hash_start + hash_len]) if hash_len >= 0 else None
        prev = bytes(buf[prev_start:prev_start + prev_len]) if prev_len >= 0 else None
        if seq != self.expected_seq:
            self.findings += 1
        if prev != self.last_hash:
            self.findings += 1
        if prev_len == 32:
            computed = self.sha256(buf[prev_start:payload_start + payload_len]).digest()
            if computed != stored:
                self.findings += 1
        self.expected_seq = seq + 1
        self.last_hash = stored


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    dsn, org = sys.argv[1], str(uuid.UUID(sys.argv[2]))
    conn = psycopg2.connect(dsn)
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    cur = conn.cursor()
    cur.execute("SET client_encoding = 'UTF8'; SET jit = off")
    cur.execute("SELECT last_seq, last_hash FROM events.chain_heads WHERE org_id = %s", (org,))
    head = cur.fetchone()
    verifier = Verifier()
    cur.copy_expert(QUERY.format(org=org), verifier)
    if not verifier.ended:
        print("incomplete: the COPY stream ended before its trailer", file=sys.stderr)
        return 2
    if head is None or head[0] != verifier.expected_seq - 1 or bytes(head[1]) != verifier.last_hash:
        verifier.findings += 1
    conn.rollback()
    print("%s: %d events, %d findings" % (org, verifier.rows, verifier.findings))
    return 1 if verifier.findings else 0


if __name__ == "__main__":
    sys.exit(main())
