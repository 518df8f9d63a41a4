// adv28 (A28-1): a TLS handshake against a slow peer (it starts its side 2.5 s after the TCP connect: a loaded machine's delays stay inside the 0.5 s timeouts' margin) and
// settimeout() changes between wrap_socket(..., do_handshake_on_connect=False) and do_handshake(), or between a
// do_handshake() that timed out and a second one. CPython's timeout is per operation and read at each call: the
// handshake state survives a timed-out do_handshake(), and a later call with a longer timeout (or none) completes it.
// Each row runs with a CPython actor, then a pysocket actor, both against the same python3 peer; client and server
// side. The ops' results (or exception class, errno, str) are compared.
//
// A28-1 (fixed: ssl.ts handshake_seconds/wait_handshake): the handshake's bound is taken from
// the socket's timeout when the session starts (at the wrap of a connected socket) and counted from then; a later
// settimeout() is not seen, and the handshake is abandoned when that bound passes. So (a) wrap with a 0.5 s timeout,
// settimeout(5) or settimeout(None), do_handshake(): TimeoutError "_ssl.c:989: The handshake operation timed out"
// after 0.5 s where CPython completes the handshake when the peer starts; (b) a do_handshake() that timed out leaves the
// session dead: the retry (and every later recv/send) raises the same TimeoutError at once, where CPython's retry
// completes the handshake. The peer sees the connection closed mid-handshake (its SSLEOFError). A common pattern
// (connect with a short connect timeout, wrap without handshaking, settimeout(read_timeout), do_handshake()) fails
// against any peer slower than the connect timeout.

import { make_certs } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { slow_peer_compare, type SlowRow as Row } from "./_ssl_hostile.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();

const ROWS: Row[] = [];
for (const role of ["client", "server"] as const) {
  ROWS.push(
    // Agreeing rows: a timeout that is too short is honoured, at the wrap and at do_handshake().
    { id: `${role}/wrap_hs_short`, role, steps: ["timeout 0.5", "wrap_hs", "recv"], finding: null },
    { id: `${role}/none_then_short`, role, steps: ["timeout None", "wrap", "timeout 0.5", "hs"], finding: null },
    { id: `${role}/long_at_wrap`, role, steps: ["timeout 5", "wrap", "hs", "recv"], finding: null },
    // A28-1: a longer timeout set after the wrap, or after a timed-out do_handshake().
    {
      id: `${role}/short_then_long`,
      role,
      steps: ["timeout 0.5", "wrap", "timeout 5", "hs", "recv"],
      finding: "A28-1",
    },
    {
      id: `${role}/short_then_none`,
      role,
      steps: ["timeout 0.5", "wrap", "timeout None", "hs", "recv"],
      finding: "A28-1",
    },
    {
      id: `${role}/retry_after_timeout`,
      role,
      steps: ["timeout 0.5", "wrap", "hs", "timeout 5", "hs", "recv"],
      finding: "A28-1",
    },
  );
}
// Agreeing: a longer timeout set between wrap and do_handshake with the session started by then, no time lost.
ROWS.push({
  id: "client/none_then_retry",
  role: "client",
  steps: ["timeout None", "wrap", "timeout 0.5", "hs", "timeout 5", "hs", "recv"],
  finding: null,
});

/** Every row at once, against the slow peer, as CPython's (a row with a finding prints both sides). */
const compare = (rows: Row[]) => slow_peer_compare(certs!, rows);

test("adv28: handshake timeouts against a slow peer, client and server side, as CPython's (rows that agree)", async () => {
  await compare(ROWS.filter((r) => r.finding === null));
});

test({
  name: "adv28: settimeout() after wrap_socket(do_handshake_on_connect=False), or after a timed-out do_handshake(), " +
    "governs the handshake as CPython's (A28-1, fixed: the bound set at the wrap abandoned the handshake)",
}, async () => {
  await compare(ROWS.filter((r) => r.finding === "A28-1"));
});
