// The fast paths added for issue 8 keep pysocket's semantics: a big blocking
// recv_into reads straight into the caller's buffer (no byte delayed or lost,
// concurrent callers stay in order, close and EOF as before), readline's
// buffered-line path, and idle sockets made without a reader or writer.

import assert from "node:assert/strict";
import { AF_INET, create_connection, create_server, OSError, socket, TimeoutError } from "../mod.ts";
import { stream_pair } from "./_pairs.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
const BIG = 64 * 1024;

Deno.test("Socket.recv_into() of 64 KiB returns what has arrived at once", async () => {
  const [a, b] = await stream_pair(AF_INET);
  try {
    const buf = new Uint8Array(BIG);
    const p = b.recv_into(buf);
    await a.sendall(enc.encode("hello"));
    assert.equal(await p, 5);
    assert.equal(dec.decode(buf.subarray(0, 5)), "hello");
    await a.sendall(enc.encode("xy"));
    assert.equal(await b.recv_into(buf), 2);
    a.close();
    assert.equal(await b.recv_into(buf), 0);
    assert.equal(await b.recv_into(buf), 0);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.recv_into() of 64 KiB raises EBADF when the socket is closed under it", async () => {
  const [a, b] = await stream_pair(AF_INET);
  try {
    const p = b.recv_into(new Uint8Array(BIG));
    await new Promise((r) => setTimeout(r, 10));
    b.close();
    await assert.rejects(p, (e: unknown) => e instanceof OSError && e.errno === 9);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket.recv_into() of 64 KiB: concurrent callers get the bytes in order, none lost", async () => {
  const [a, b] = await stream_pair(AF_INET);
  try {
    const b1 = new Uint8Array(BIG), b2 = new Uint8Array(BIG);
    const p1 = b.recv_into(b1);
    const p2 = b.recv_into(b2);
    // A timed recv meanwhile gives up and loses nothing.
    b.settimeout(0.05);
    await assert.rejects(b.recv(10), TimeoutError);
    b.settimeout(null);
    await a.sendall(enc.encode("first"));
    const n1 = await p1;
    assert.equal(dec.decode(b1.subarray(0, n1)), "first");
    await a.sendall(enc.encode("second"));
    const n2 = await p2;
    assert.equal(dec.decode(b2.subarray(0, n2)), "second");
    await a.sendall(enc.encode("third"));
    assert.equal(dec.decode(await b.recv(100)), "third");
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("SocketFile.readline() returns long lines and lines split across reads whole", async () => {
  const [a, b] = await stream_pair(AF_INET);
  try {
    const f = b.makefile("rb");
    const long = "x".repeat(5000) + "\n";
    await a.sendall(enc.encode("short\n" + long + "par"));
    assert.equal(dec.decode(await f.readline() as Uint8Array), "short\n");
    assert.equal(dec.decode(await f.readline() as Uint8Array), long);
    const p = f.readline();
    await new Promise((r) => setTimeout(r, 10));
    await a.sendall(enc.encode("tial\nend"));
    assert.equal(dec.decode(await p as Uint8Array), "partial\n");
    a.close();
    assert.equal(dec.decode(await f.readline() as Uint8Array), "end");
    assert.equal((await f.readline()).length, 0);
  } finally {
    a.close();
    b.close();
  }
});

Deno.test("Socket accepted from create_server() shares the listener's options until it sets one", async () => {
  using srv = create_server(["127.0.0.1", 0]);
  const c = await create_connection(srv.getsockname() as [string, number]);
  const [s] = await srv.accept();
  try {
    assert.equal(s.getsockopt(1, 2), 1); // SO_REUSEADDR inherited
    s.setsockopt(6, 1, 1); // TCP_NODELAY on the accepted socket only
    assert.equal(s.getsockopt(6, 1), 1);
    assert.equal(srv.getsockopt(6, 1), 0);
    const t = socket();
    t.close();
    assert.equal(t.fileno(), -1);
  } finally {
    s.close();
    c.close();
  }
});

Deno.test("SocketFile.readline() rejects (never throws) on a closed file or socket, even with lines buffered", async () => {
  const [a, b] = await stream_pair(AF_INET);
  try {
    await a.sendall(enc.encode("one\ntwo\nthree\n"));
    const f = b.makefile("rb");
    assert.equal(dec.decode(await f.readline() as Uint8Array), "one\n");
    b.close();
    const p = f.readline();
    assert.ok(p instanceof Promise);
    await assert.rejects(p, OSError);
    await f.close();
    await assert.rejects(f.readline(), RangeError);
  } finally {
    a.close();
    b.close();
  }
});
