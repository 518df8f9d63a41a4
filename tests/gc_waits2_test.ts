// Waits that survive garbage collection, the rest of the class (tests/selectors_gc_test.ts has the first
// eleven): every other kind of pending call (recv_into, recvfrom, makefile read and text readline, sendall on
// a full buffer, accept, connect with a timeout and happy eyeballs, getaddrinfo, UDP and Unix datagrams, TLS
// handshakes both sides, TLS recv/readline/sendall/select, handle_request, serve_forever of each server),
// each started in a frame that alone holds what it waits on, and woken by every state change (peer data, EOF,
// SHUT_WR, reset, close() or shutdown() from another task, a timeout, an abort), with forced full GCs in the
// middle. The child prints what each waiter saw; each must wake, with the outcome pysocket documents. CPython
// has no twin to run for the GC itself (a waiting call's C frame holds its objects); the outcomes are pinned.

import assert from "node:assert/strict";
import { localhost_cert } from "./_ssl_fixtures.ts";
import { run_gc_child, test_needing } from "./_socket_fixtures.ts";

test_needing("openssl")("every other kind of wait wakes, by every state change, after full GCs mid-wait", async () => {
  const { cert, key } = await localhost_cert("pysocket_gc2_");
  const dir = await Deno.makeTempDir({ prefix: "pysocket_gc2_" });
  try {
    // The child exits by itself: a wait left pending (a leaked read or write) would keep it alive.
    const text = await run_gc_child(
      new URL("./fixtures/gc_waits2.ts", import.meta.url).pathname,
      [cert, key, dir],
      240_000,
    );
    const rows = text.split("\n").map((l) => JSON.parse(l) as { name: string; ok: boolean; detail: string });
    assert.ok(rows.length >= 74, text);
    const hung = rows.filter((r) => !r.ok).map((r) => r.name);
    assert.deepEqual(hung, [], `these waits never woke after a GC:\n${text}`);
    const got = Object.fromEntries(rows.map((r) => [r.name, r.detail]));
    for (const k of ["tcp", "unix"]) {
      assert.equal(got[`${k}: recv_into() woken by data`], "2:7");
      assert.equal(got[`${k}: recv() woken by EOF`], "eof:0");
      assert.equal(got[`${k}: recv() woken by the peer's shutdown(SHUT_WR)`], "eof:0");
      assert.equal(got[`${k}: recv() woken by a reset`], "ConnectionResetError(104)");
      assert.equal(got[`${k}: recv() woken by close() from another task`], "OSError(9)");
      assert.equal(got[`${k}: recv() woken by shutdown(SHUT_RD) from another task`], "data:0");
      assert.equal(got[`${k}: recv() with a timeout woken by the timeout`], "TimeoutError");
      assert.equal(got[`${k}: two concurrent recv() calls, each woken`], "1,2");
      assert.equal(got[`${k}: makefile("r") text readline() woken by data`], JSON.stringify("h\u00e9llo\n"));
      assert.equal(got[`${k}: readline() woken by EOF`], "partial");
      assert.equal(got[`${k}: sendall() blocked on a full buffer, woken by the peer reading`], "sent");
      assert.equal(got[`${k}: sendall() blocked on a full buffer, woken by close() from another task`], "OSError(9)");
      assert.equal(got[`${k}: DefaultSelector.select() woken by EOF`], "1:0");
    }
    assert.equal(
      got["tcp: sendall() blocked on a full buffer, woken by a reset/close of the peer"],
      "ConnectionResetError(104)",
    );
    assert.equal(
      got["unix: sendall() blocked on a full buffer, woken by a reset/close of the peer"],
      "BrokenPipeError(32)",
    );
    assert.equal(got["bound-then-connected socket: recv() woken by data"], "data:3");
    assert.equal(got["bound-then-connected socket: DefaultSelector.select() woken by EOF"], "1:0");
    // A5-1: the send hung forever when its socket was closed.
    assert.equal(got["unix datagram send() waiting for room, woken by the receiver reading"], "sent:7");
    assert.equal(got["unix datagram send() waiting for room, woken by close() from another task"], "OSError(9)");
    assert.equal(got["TLS: server handshake (wrap_socket) woken by a late client hello"], "tls:3");
    assert.equal(got["TLS: client do_handshake() woken by a late server"], "tls:4");
    assert.equal(got["TLS: recv() woken by close() from another task"], "OSError(9)");
    assert.equal(got["TLS: sendall() blocked on a full buffer, woken by the peer reading"], "sent");
    assert.equal(got["TCPServer.serve_forever() woken by shutdown() (server held only by its loop)"], "stopped");
    assert.equal(got["UDPServer.serve_forever() with no poll timeout"], "ping stopped");
    assert.equal(got["UnixStreamServer.serve_forever() with no poll timeout"], "pong stopped");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
