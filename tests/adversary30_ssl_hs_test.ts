// adv30 (siblings of A28-1, fixed: ssl.ts handshake_seconds/wait_handshake): a TLS handshake against a slow peer
// (it starts its side 2.5 s after the TCP connect: a loaded machine's delays stay inside the 0.5 s timeouts' margin), driven not by do_handshake() but by the first recv(), send(),
// sendall() or makefile().read() after wrap_socket(..., do_handshake_on_connect=False), with settimeout() changes
// between a call that timed out and the next; and a wrap whose own handshake times out (CPython closes the socket).
// Client and server side; each row runs with a CPython actor, then a pysocket actor, against the same python3 peer.
// The ops' results (or exception class, errno, str) and the peer's outcome are compared. Adapted from
// tests/adversary28_ssl_hs_timeout_test.ts.

import { make_certs } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { slow_peer_compare, type SlowRow as Row } from "./_ssl_hostile.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();

const ROWS: Row[] = [];
for (const role of ["client", "server"] as const) {
  for (const op of ["recv", "send", "sendall", "fread"]) {
    // The implicit handshake of the first read or write: timed out, then retried with a longer timeout.
    ROWS.push({
      id: `${role}/${op}_short_then_long`,
      role,
      steps: ["timeout 0.5", "wrap", op, "timeout 5", op, "recv"],
      finding: null,
    });
    ROWS.push({
      id: `${role}/${op}_none_then_short`,
      role,
      steps: ["timeout None", "wrap", "timeout 0.5", op, "timeout None", "recv"],
      finding: null,
    });
  }
  // The wrap's own handshake timing out: CPython closes the socket.
  ROWS.push({
    id: `${role}/wrap_hs_short_closed`,
    role,
    steps: ["timeout 0.5", "wrap_hs", "closed", "recv"],
    finding: null,
  });
  // do_handshake timed out, then a read with a longer timeout completes it.
  ROWS.push({
    id: `${role}/hs_short_then_recv`,
    role,
    steps: ["timeout 0.5", "wrap", "hs", "timeout 5", "recv", "hs"],
    finding: null,
  });
  // Short, short, long: two timed-out waits, then the handshake completes.
  ROWS.push({
    id: `${role}/hs_twice_then_long`,
    role,
    steps: ["timeout 0.3", "wrap", "hs", "recv", "timeout 5", "hs", "recv"],
    finding: null,
  });
}

/** Every row at once, against the slow peer, as CPython's (a row with a finding prints both sides). */
const compare = (rows: Row[]) => slow_peer_compare(certs!, rows);

// A30-6 (fixed: SSLSocket._file_read_error maps every file read error as the socket's recv does): a makefile() read
// on a timed SSLSocket that timed out raised TimeoutError 'timed out'; CPython's 'The read operation timed out'.
test("adv30: the implicit handshake of recv/send/sendall and makefile reads with changing timeouts, a timed-out wrap closes, as CPython's", async () => {
  await compare(ROWS);
});
