// SOCK_DGRAM sockets (_dgram.ts) against Python's semantics, for AF_INET,
// AF_INET6 and AF_UNIX: one scenario table run against all three families,
// python3 as a real peer, and the missing --unstable-net path in a subprocess.

import assert from "node:assert/strict";
import {
  type Address,
  type AddressInput,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  errno,
  IP_ADD_MEMBERSHIP,
  IP_DROP_MEMBERSHIP,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IP_TOS,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPV6_JOIN_GROUP,
  IPV6_LEAVE_GROUP,
  IPV6_MULTICAST_LOOP,
  MSG_DONTWAIT,
  MSG_PEEK,
  OSError,
  PermissionError,
  SO_BROADCAST,
  SO_REUSEADDR,
  SOCK_DGRAM,
  SOCK_STREAM,
  type Socket,
  socket,
  SOL_SOCKET,
  TimeoutError,
} from "../mod.ts";
import { DatagramRequestHandler, UnixDatagramServer } from "../socketserver.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3");

const enc = new TextEncoder();
const dec = new TextDecoder();
const b = (s: string) => enc.encode(s);
const s_of = (u: Uint8Array) => dec.decode(u);

/** True when this host can bind ::1. */
const HAS_IPV6 = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

interface Family {
  readonly name: string;
  readonly family: number;
  readonly host: string;
}

const FAMILIES: readonly Family[] = [
  { name: "AF_INET", family: AF_INET, host: "127.0.0.1" },
  ...(HAS_IPV6 ? [{ name: "AF_INET6", family: AF_INET6, host: "::1" }] : []),
  { name: "AF_UNIX", family: AF_UNIX, host: "" },
];
const IP_FAMILIES = FAMILIES.filter((f) => f.family !== AF_UNIX);
if (!HAS_IPV6) console.log("AF_INET6 rows skipped: this host cannot bind ::1");

/** A temp dir for AF_UNIX paths, and every socket of a test, closed on dispose. */
class Scope implements Disposable {
  readonly dir: string = Deno.makeTempDirSync({ prefix: "pysocket-dgram-" });
  #socks: Socket[] = [];
  #n = 0;
  constructor(readonly fam: Family) {}
  /** A datagram socket of the family, unbound. */
  sock(): Socket {
    const s = socket(this.fam.family, SOCK_DGRAM);
    this.#socks.push(s);
    return s;
  }
  /** A fresh local address (port 0 or a new path). */
  addr(): AddressInput {
    return this.fam.family === AF_UNIX ? `${this.dir}/s${this.#n++}.sock` : [this.fam.host, 0];
  }
  /** A datagram socket bound to a fresh local address. */
  bound(): Socket {
    const s = this.sock();
    s.bind(this.addr());
    return s;
  }
  [Symbol.dispose](): void {
    for (const s of this.#socks) s.close();
    try {
      Deno.removeSync(this.dir, { recursive: true });
    } catch { /* gone already */ }
  }
}

/** The address shape check of a family. */
function assert_shape(fam: Family, a: Address | null, expected: Address): void {
  if (fam.family === AF_INET) assert.equal((a as unknown[]).length, 2);
  if (fam.family === AF_INET6) assert.equal((a as unknown[]).length, 4);
  assert.deepEqual(a, expected);
}

/** Let a pending receive that close() rejected settle before the test ends (op sanitizer). */
const settle = () => new Promise((r) => setTimeout(r, 0));

for (const fam of FAMILIES) {
  test(`Socket.sendto()/recvfrom() carry datagrams with the sender's address (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    assert.equal(await tx.sendto(b("hello"), rx.getsockname()), 5);
    assert.equal(await tx.sendto(b("flags"), 0, rx.getsockname()), 5);
    const [d1, from1] = await rx.recvfrom(100);
    assert.equal(s_of(d1), "hello");
    assert_shape(fam, from1, tx.getsockname());
    const [d2, from2] = await rx.recvfrom(100);
    assert.equal(s_of(d2), "flags");
    assert.deepEqual(from2, from1);
    // recv_into / recvfrom_into / recv and a zero-length datagram.
    await tx.sendto(b("into"), rx.getsockname());
    const buf = new Uint8Array(16);
    const [n, from3] = await rx.recvfrom_into(buf);
    assert.equal(n, 4);
    assert.equal(s_of(buf.subarray(0, 4)), "into");
    assert.deepEqual(from3, from1);
    await tx.sendto(new Uint8Array(0), rx.getsockname());
    await tx.sendto(b("after-empty"), rx.getsockname());
    assert.equal((await rx.recv(10)).length, 0);
    assert.equal(await rx.recv_into(buf), 11);
    assert.equal(rx.type, SOCK_DGRAM);
    await settle();
  });

  test(`Socket.connect() on a datagram socket sets the default peer and drops other senders (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const a = sc.bound(), peer = sc.bound(), other = sc.bound();
    assert.throws(() => a.getpeername(), (e: unknown) => e instanceof OSError && e.errno === errno.ENOTCONN);
    await a.connect(peer.getsockname());
    assert.deepEqual(a.getpeername(), peer.getsockname());
    await other.sendto(b("intruder"), a.getsockname());
    await peer.sendto(b("from-peer"), a.getsockname());
    const [d, from] = await a.recvfrom(100);
    assert.equal(s_of(d), "from-peer");
    assert.deepEqual(from, peer.getsockname());
    assert.equal(await a.send(b("reply")), 5);
    const [r, rfrom] = await peer.recvfrom(100);
    assert.equal(s_of(r), "reply");
    assert.deepEqual(rfrom, a.getsockname());
    // sendto elsewhere still works while connected, as on Linux.
    await a.sendto(b("aside"), other.getsockname());
    assert.equal(s_of(await other.recv(100)), "aside");
    // Re-target: now `other` is the peer and `peer` is dropped.
    await a.connect(other.getsockname());
    assert.deepEqual(a.getpeername(), other.getsockname());
    await peer.sendto(b("old-peer"), a.getsockname());
    await other.sendto(b("new-peer"), a.getsockname());
    assert.equal(s_of(await a.recv(100)), "new-peer");
    await a.send(b("to-new"));
    assert.equal(s_of(await other.recv(100)), "to-new");
    a.settimeout(0.1);
    await assert.rejects(a.recv(100), TimeoutError);
    await settle();
  });

  test(`Socket.recv() keeps datagram boundaries: truncates and MSG_PEEK leaves the datagram (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    const to = rx.getsockname();
    await tx.sendto(b("0123456789"), to);
    await tx.sendto(b("abcdefghij"), to);
    await tx.sendto(b("ABCDEFGHIJ"), to);
    await tx.sendto(b("KLMNOPQRST"), to);
    assert.equal(s_of(await rx.recv(4, MSG_PEEK)), "0123");
    assert.equal(s_of(await rx.recv(100, MSG_PEEK)), "0123456789");
    assert.equal(s_of(await rx.recv(4)), "0123"); // the other 6 bytes are discarded
    const [d, from] = await rx.recvfrom(3);
    assert.equal(s_of(d), "abc");
    assert.deepEqual(from, tx.getsockname());
    const buf = new Uint8Array(32);
    assert.equal(await rx.recv_into(buf, 5), 5);
    assert.equal(s_of(buf.subarray(0, 5)), "ABCDE");
    const [n] = await rx.recvfrom_into(buf.subarray(0, 2));
    assert.equal(n, 2);
    assert.equal(s_of(buf.subarray(0, 2)), "KL");
    // recv(0) returns b'' without looking at the socket (CPython), so the datagram stays;
    // recvfrom(0) does receive, and discards, one (CPython calls recvfrom(2)).
    await tx.sendto(b("kept"), to);
    await tx.sendto(b("gone"), to);
    await tx.sendto(b("next"), to);
    assert.equal((await rx.recv(0)).length, 0);
    assert.equal(s_of(await rx.recv(100)), "kept");
    assert.equal((await rx.recvfrom(0))[0].length, 0);
    assert.equal(s_of(await rx.recv(100)), "next");
    await settle();
  });

  test(`Socket.recvfrom() after a timeout or an abort returns the datagram that arrived later (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    rx.settimeout(0.05);
    for (let i = 0; i < 3; i++) await assert.rejects(rx.recvfrom(100), TimeoutError);
    await tx.sendto(b("late"), rx.getsockname());
    const [d, from] = await rx.recvfrom(100);
    assert.equal(s_of(d), "late");
    assert.deepEqual(from, tx.getsockname());
    // The same with an AbortSignal on a blocking socket.
    rx.settimeout(null);
    const ac = new AbortController();
    const p = rx.recvfrom(100, { signal: ac.signal });
    const reason = new Error("stop");
    ac.abort(reason);
    await assert.rejects(p, (e) => e === reason);
    await assert.rejects(rx.recv(100, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
    await tx.sendto(b("after-abort"), rx.getsockname());
    assert.equal(s_of(await rx.recv(100)), "after-abort");
    // Several timeouts in a row, then a burst: every datagram in order.
    rx.settimeout(0.02);
    await assert.rejects(rx.recv(100), TimeoutError);
    for (let i = 0; i < 5; i++) await tx.sendto(b(`n${i}`), rx.getsockname());
    for (let i = 0; i < 5; i++) assert.equal(s_of(await rx.recv(100)), `n${i}`);
    await settle();
  });

  test(`Socket.recv() on a non-blocking datagram socket raises BlockingIOError and loses nothing (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    rx.setblocking(false);
    await assert.rejects(rx.recv(100), BlockingIOError);
    await assert.rejects(rx.recvfrom(100), (e) => e instanceof BlockingIOError && e.errno === errno.EAGAIN);
    await tx.sendto(b("x"), rx.getsockname());
    let got: Uint8Array | null = null;
    for (let i = 0; i < 50 && got === null; i++) {
      try {
        got = await rx.recv(100);
      } catch (e) {
        if (!(e instanceof BlockingIOError)) throw e;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    assert.equal(s_of(got!), "x");
    // MSG_DONTWAIT on a blocking socket.
    rx.setblocking(true);
    await assert.rejects(rx.recv(100, MSG_DONTWAIT), BlockingIOError);
    await tx.sendto(b("y"), rx.getsockname());
    assert.equal(s_of(await rx.recv(100)), "y");
    await settle();
  });

  test(`Socket.recvfrom() receives 2,000 datagrams on loopback in count and order (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    rx.settimeout(5);
    tx.settimeout(5);
    const to = rx.getsockname();
    const TOTAL = 2000, WINDOW = 50;
    let received = 0;
    const t0 = performance.now();
    // Lockstep windows: UDP drops what an overrun receive buffer cannot hold, so the
    // sender waits for each window to be read; the receiver runs concurrently because
    // an AF_UNIX receive queue holds only ~10 datagrams on Linux (its sender waits).
    const windows = Array.from({ length: TOTAL / WINDOW }, () => Promise.withResolvers<void>());
    const sender = (async () => {
      for (let w = 0; w < windows.length; w++) {
        for (let i = w * WINDOW; i < (w + 1) * WINDOW; i++) {
          const msg = new Uint8Array(8);
          new DataView(msg.buffer).setUint32(0, i);
          assert.equal(await tx.sendto(msg, to), 8);
        }
        await windows[w]!.promise;
      }
    })();
    for (let i = 0; i < TOTAL; i++) {
      const [d, from] = await rx.recvfrom(64);
      assert.equal(d.length, 8);
      assert.equal(new DataView(d.buffer, d.byteOffset).getUint32(0), i);
      if (i === 0) assert.deepEqual(from, tx.getsockname());
      received++;
      if (received % WINDOW === 0) windows[received / WINDOW - 1]!.resolve();
    }
    await sender;
    assert.equal(received, TOTAL);
    const ms = performance.now() - t0;
    console.log(`${fam.name}: ${TOTAL} datagrams in ${ms.toFixed(0)} ms (${(TOTAL / ms * 1000).toFixed(0)}/s)`);
    await settle();
  });

  test(`Socket datagram methods raise Python's errors (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const s = sc.sock();
    // send() with no peer. Linux binds a UDP socket to an ephemeral port before it finds no destination (P14-5).
    const s0 = sc.sock();
    await assert.rejects(
      s0.send(b("x")),
      (e) => e instanceof OSError && e.errno === (fam.family === AF_UNIX ? errno.ENOTCONN : errno.EDESTADDRREQ),
    );
    if (fam.family !== AF_UNIX) assert.notEqual((s0.getsockname() as [string, number])[1], 0);
    // Wrong address shapes.
    const bad: unknown = fam.family === AF_UNIX ? ["x", 1] : "/tmp/x";
    await assert.rejects(s.sendto(b("x"), bad as AddressInput), TypeError);
    if (fam.family !== AF_UNIX) {
      await assert.rejects(s.sendto(b("x"), [fam.host, 70000]), RangeError);
      assert.throws(() => s.bind([fam.host, -1]), RangeError);
    }
    assert.throws(() => s.listen(), (e: unknown) => e instanceof OSError && e.errno === errno.EOPNOTSUPP);
    await assert.rejects(s.sendto("text" as unknown as Uint8Array, sc.addr()), TypeError);
    s.bind(sc.addr());
    assert.throws(() => s.bind(sc.addr()), (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL);
    if (fam.family === AF_UNIX) {
      await assert.rejects(
        s.sendto(b("x"), `${sc.dir}/missing.sock`),
        (e) => e instanceof OSError && e.errno === errno.ENOENT,
      );
      await assert.rejects(
        s.connect(`${sc.dir}/missing.sock`),
        (e) => e instanceof OSError && e.errno === errno.ENOENT,
      );
    }
    s.close();
    await assert.rejects(s.sendto(b("x"), sc.addr()), (e) => e instanceof OSError && e.errno === errno.EBADF);
    await assert.rejects(s.recvfrom(1), (e) => e instanceof OSError && e.errno === errno.EBADF);
    assert.throws(() => s.getsockname(), (e: unknown) => e instanceof OSError && e.errno === errno.EBADF);
    s.close();
    // A recv waiting when the socket closes fails with EBADF.
    const w = sc.bound();
    const p = w.recv(10);
    w.close();
    await assert.rejects(p, (e) => e instanceof OSError && e.errno === errno.EBADF);
    await settle();
  });

  test(`Socket.getsockopt() on a datagram socket has Linux's defaults; unknown options raise ENOPROTOOPT (${fam.name})`, () => {
    using sc = new Scope(fam);
    const s = sc.sock();
    assert.equal(s.getsockopt(SOL_SOCKET, SO_BROADCAST), 0);
    s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
    assert.equal(s.getsockopt(SOL_SOCKET, SO_BROADCAST), 1);
    s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
    assert.equal(s.getsockopt(SOL_SOCKET, SO_REUSEADDR), 1);
    if (fam.family === AF_INET) {
      assert.equal(s.getsockopt(IPPROTO_IP, IP_MULTICAST_TTL), 1);
      assert.equal(s.getsockopt(IPPROTO_IP, IP_MULTICAST_LOOP), 1);
      s.setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 4);
      assert.equal(s.getsockopt(IPPROTO_IP, IP_MULTICAST_TTL), 4);
      assert.throws(
        () => s.setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 300),
        (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL,
      );
      assert.throws(
        () => s.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, b("abc")),
        (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL,
      );
      const not_mc = concat(aton("10.1.2.3"), aton("0.0.0.0"));
      assert.throws(
        () => s.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, not_mc),
        (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL,
      );
      const never = concat(aton("239.9.9.9"), aton("127.0.0.1"));
      assert.throws(
        () => s.setsockopt(IPPROTO_IP, IP_DROP_MEMBERSHIP, never),
        (e: unknown) => e instanceof OSError && e.errno === errno.EADDRNOTAVAIL,
      );
      assert.throws(
        () => s.getsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP),
        (e: unknown) => e instanceof OSError && e.errno === errno.ENOPROTOOPT,
      );
    }
    if (fam.family === AF_INET6) assert.equal(s.getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 1);
    assert.throws(
      () => s.setsockopt(IPPROTO_IP, IP_TOS, 16),
      (e: unknown) => e instanceof OSError && e.errno === errno.ENOPROTOOPT,
    );
  });

  test(`select readiness of a datagram socket follows arriving datagrams (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    const poll = rx._pollable();
    assert.equal(poll.readable, false);
    assert.equal(poll.writable, true);
    const ready = poll.wait_readable();
    await tx.sendto(b("ping"), rx.getsockname());
    // A pollable's wait holds nothing itself (a select() holds the process while it waits: _alive.ts): a timer does.
    const hold = setTimeout(() => {}, 5000);
    await ready;
    clearTimeout(hold);
    assert.equal(poll.readable, true);
    assert.equal(s_of(await rx.recv(10)), "ping");
    assert.equal(poll.readable, false);
    await settle();
  });
}

/** socket.inet_aton for dotted quads (kept local: the test needs no more). */
function aton(s: string): Uint8Array {
  return new Uint8Array(s.split(".").map(Number));
}

/** Concatenate byte arrays (struct.pack('4s4s', ...)). */
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

for (const fam of IP_FAMILIES) {
  test(`Socket.sendto() on an unbound socket binds an ephemeral port (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.sock();
    const wildcard = fam.family === AF_INET ? ["0.0.0.0", 0] : ["::", 0, 0, 0];
    assert.deepEqual(tx.getsockname(), wildcard);
    await tx.sendto(b("auto"), rx.getsockname());
    const name = tx.getsockname() as [string, number];
    assert.equal(name[0], wildcard[0]);
    assert.ok(name[1] > 0);
    const [, from] = await rx.recvfrom(10);
    assert.equal((from as [string, number])[1], name[1]);
    // Linux refuses bind() once the socket has been bound implicitly.
    assert.throws(() => tx.bind([fam.host, 0]), (e: unknown) => e instanceof OSError && e.errno === errno.EINVAL);
    // connect() on an unbound socket picks the loopback source for a loopback peer.
    const c = sc.sock();
    await c.connect(rx.getsockname());
    assert.equal((c.getsockname() as [string, number])[0], fam.host);
    await settle();
  });

  test(`Socket.sendto() of more than the largest UDP payload raises EMSGSIZE (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const rx = sc.bound(), tx = sc.bound();
    const max = fam.family === AF_INET ? 65507 : 65527;
    await assert.rejects(
      tx.sendto(new Uint8Array(max + 1), rx.getsockname()),
      (e) => e instanceof OSError && e.errno === errno.EMSGSIZE,
    );
    assert.equal(await tx.sendto(new Uint8Array(max).fill(7), rx.getsockname()), max);
    const d = await rx.recv(70000);
    assert.equal(d.length, max);
    assert.equal(d[max - 1], 7);
    await settle();
  });
}

test("Socket.recvfrom() on AF_INET6 reports an IPv4 sender in mapped form, as a 4-tuple", {
  ignore: !HAS_IPV6,
}, async () => {
  using s6 = socket(AF_INET6, SOCK_DGRAM);
  s6.bind(["::", 0]);
  using s4 = socket(AF_INET, SOCK_DGRAM);
  s4.bind(["127.0.0.1", 0]);
  const port = s6.getsockname()[1];
  await s4.sendto(b("v4"), ["127.0.0.1", port]);
  const [d, from] = await s6.recvfrom(10);
  assert.equal(s_of(d), "v4");
  assert.deepEqual(from, ["::ffff:127.0.0.1", (s4.getsockname() as [string, number])[1], 0, 0]);
  await s6.sendto(b("back"), from as Address);
  assert.equal(s_of(await s4.recv(10)), "back");
  s6.close();
  s4.close();
  await settle();
});

test("Socket.sendto() to a broadcast address needs SO_BROADCAST (EACCES otherwise)", async () => {
  using s = socket(AF_INET, SOCK_DGRAM);
  for (const host of ["255.255.255.255", "127.255.255.255", "<broadcast>"]) {
    await assert.rejects(
      s.sendto(b("x"), [host, 9]),
      (e) => e instanceof PermissionError && e.errno === errno.EACCES,
    );
  }
  await assert.rejects(s.connect(["255.255.255.255", 9]), PermissionError);
  s.setsockopt(SOL_SOCKET, SO_BROADCAST, 1);
  // lo's broadcast address is delivered locally to a socket bound to the wildcard.
  using rx = socket(AF_INET, SOCK_DGRAM);
  rx.bind(["0.0.0.0", 0]);
  const port = (rx.getsockname() as [string, number])[1];
  assert.equal(await s.sendto(b("bcast"), ["127.255.255.255", port]), 5);
  rx.settimeout(1);
  try {
    assert.equal(s_of(await rx.recv(10)), "bcast");
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    console.log("broadcast delivery on lo not checked: this host did not loop 127.255.255.255 back");
  }
  s.close();
  rx.close();
  await settle();
});

test("Socket.recvfrom() on AF_UNIX reports an unbound sender as null (Python's None)", async () => {
  using sc = new Scope(FAMILIES.at(-1)!);
  const rx = sc.bound(), tx = sc.sock();
  assert.equal(tx.getsockname(), "");
  await tx.sendto(b("anon"), rx.getsockname());
  const [d, from] = await rx.recvfrom(10);
  assert.equal(s_of(d), "anon");
  assert.equal(from, null);
  assert.equal(tx.getsockname(), "");
  // An unbound AF_UNIX sender may still bind afterwards (no autobind on Linux).
  const path = sc.addr() as string;
  tx.bind(path);
  await tx.sendto(b("named"), rx.getsockname());
  assert.deepEqual(await rx.recvfrom(10), [b("named"), path]);
  await settle();
});

test("Socket.sendto() on AF_UNIX to a full receive queue raises BlockingIOError; nothing is lost or sent twice", async () => {
  using sc = new Scope(FAMILIES.at(-1)!);
  const rx = sc.bound(), tx = sc.bound();
  tx.setblocking(false);
  let accepted = 0, blocked = false;
  for (let i = 0; i < 200 && !blocked; i++) {
    try {
      await tx.sendto(b(`m${accepted}`), rx.getsockname());
      accepted++;
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      blocked = true;
    }
  }
  assert.ok(blocked, "the receive queue never filled");
  assert.equal(tx._pollable().writable, false);
  // A timed send waits for room and times out without sending.
  tx.settimeout(0.05);
  await assert.rejects(tx.sendto(b("late"), rx.getsockname()), TimeoutError);
  rx.settimeout(1);
  for (let i = 0; i < accepted; i++) assert.equal(s_of(await rx.recv(10)), `m${i}`);
  rx.settimeout(0.1);
  await assert.rejects(rx.recv(10), TimeoutError);
  await tx._pollable().wait_writable();
  assert.equal(tx._pollable().writable, true);
  console.log(`AF_UNIX: ${accepted} datagrams accepted before EAGAIN`);
  await settle();
});

// ---- AF_UNIX: one operation at a time on a Deno unixpacket conn ------------
// Deno 2.9.6 refuses a send while a receive is pending on the same unixpacket
// DatagramConn (and the reverse) with `Busy`; UDP has no such limit. The engine
// serialises them: a send waits for the pending receive (within its deadline).

const UNIX = FAMILIES.at(-1)!;

test("Socket.sendto() on AF_UNIX after a recvfrom() that timed out waits for the pending receive, then sends; nothing is lost", async () => {
  using sc = new Scope(UNIX);
  const a = sc.bound(), peer = sc.bound();
  peer.settimeout(2);
  // Receive, then reply: no receive is pending when the reply is sent.
  await peer.sendto(b("request"), a.getsockname());
  assert.deepEqual(await a.recvfrom(100), [b("request"), peer.getsockname()]);
  await a.sendto(b("reply"), peer.getsockname());
  assert.deepEqual(await peer.recvfrom(100), [b("reply"), a.getsockname()]);
  // A timed-out recvfrom leaves its receive pending: a send with a timeout waits for it, and times out.
  a.settimeout(0.05);
  await assert.rejects(a.recvfrom(100), TimeoutError);
  assert.equal(a._pollable().writable, false);
  await assert.rejects(a.sendto(b("not sent"), peer.getsockname()), TimeoutError);
  // Once a datagram completes the pending receive, the waiting send goes out (from our path).
  a.settimeout(2);
  const sending = a.sendto(b("after"), peer.getsockname());
  await peer.sendto(b("unblock"), a.getsockname());
  assert.equal(await sending, 5);
  assert.deepEqual(await peer.recvfrom(100), [b("after"), a.getsockname()]);
  assert.equal(a._pollable().writable, true);
  // The datagram that completed the receive is the next recvfrom's; the timed-out send never went out.
  assert.deepEqual(await a.recvfrom(100), [b("unblock"), peer.getsockname()]);
  peer.settimeout(0.05);
  await assert.rejects(peer.recvfrom(100), TimeoutError);
  await settle();
});

test("Socket.sendto() on a non-blocking AF_UNIX socket with a receive pending raises BlockingIOError; select sees it writable once a datagram arrives", async () => {
  using sc = new Scope(UNIX);
  const a = sc.bound(), peer = sc.bound();
  a.setblocking(false);
  await assert.rejects(a.recv(100), BlockingIOError);
  await assert.rejects(
    a.sendto(b("x"), peer.getsockname()),
    (e) => e instanceof BlockingIOError && e.errno === errno.EAGAIN,
  );
  const poll = a._pollable();
  assert.equal(poll.writable, false);
  const writable = poll.wait_writable();
  await peer.sendto(b("wake"), a.getsockname());
  await writable;
  assert.equal(poll.writable, true);
  assert.equal(await a.sendto(b("x"), peer.getsockname()), 1);
  a.setblocking(true);
  assert.equal(s_of(await a.recv(100)), "wake");
  peer.settimeout(1);
  assert.deepEqual(await peer.recvfrom(100), [b("x"), a.getsockname()]);
  await settle();
});

test("Socket.sendto() on AF_UNIX: concurrent sends on one socket all go out, in call order", async () => {
  using sc = new Scope(UNIX);
  const a = sc.bound(), peer = sc.bound();
  peer.settimeout(2);
  const counts = await Promise.all(Array.from({ length: 8 }, (_, i) => a.sendto(b(`c${i}`), peer.getsockname())));
  assert.deepEqual(counts, Array(8).fill(2));
  for (let i = 0; i < 8; i++) assert.equal(s_of(await peer.recv(10)), `c${i}`);
  await settle();
});

test("Socket.recv() on AF_UNIX while a kept send waits for room times out instead of failing; it receives once the send is out", async () => {
  using sc = new Scope(UNIX);
  const rx = sc.bound(), tx = sc.bound();
  tx.setblocking(false);
  let accepted = 0;
  for (let i = 0; i < 200; i++) {
    try {
      await tx.sendto(b(`m${i}`), rx.getsockname());
      accepted++;
    } catch (e) {
      if (!(e instanceof BlockingIOError)) throw e;
      break;
    }
  }
  assert.equal(tx._pollable().writable, false, "the receive queue never filled");
  // The last accepted datagram is still in flight (the one-datagram send buffer): the conn is held.
  tx.settimeout(0.05);
  await assert.rejects(tx.recvfrom(10), TimeoutError);
  rx.settimeout(1);
  for (let i = 0; i < accepted; i++) assert.equal(s_of(await rx.recv(10)), `m${i}`);
  await rx.sendto(b("back"), tx.getsockname());
  tx.settimeout(1);
  assert.deepEqual(await tx.recvfrom(10), [b("back"), rx.getsockname()]);
  await settle();
});

test("Socket.sendto() on an unbound AF_UNIX socket with a receive pending sends at once (as an unbound sender)", async () => {
  using sc = new Scope(UNIX);
  const rx = sc.bound(), tx = sc.sock();
  await tx.sendto(b("first"), rx.getsockname()); // opens the unbound conn
  tx.settimeout(0.02);
  await assert.rejects(tx.recv(10), TimeoutError); // a receive stays pending (no one can address it)
  assert.equal(tx._pollable().writable, true);
  assert.equal(await tx.sendto(b("second"), rx.getsockname()), 6);
  rx.settimeout(1);
  assert.deepEqual(await rx.recvfrom(10), [b("first"), null]);
  assert.deepEqual(await rx.recvfrom(10), [b("second"), null]);
  await settle();
});

for (const fam of IP_FAMILIES) {
  test(`Socket.sendto() after a recvfrom() that timed out sends at once: UDP has no pending-receive limit (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const a = sc.bound(), peer = sc.bound();
    a.settimeout(0.05);
    await assert.rejects(a.recvfrom(100), TimeoutError);
    assert.equal(a._pollable().writable, true);
    assert.equal(await a.sendto(b("now"), peer.getsockname()), 3);
    peer.settimeout(1);
    assert.deepEqual(await peer.recvfrom(100), [b("now"), a.getsockname()]);
    await settle();
  });
}

test("UnixDatagramServer echo handler replies to 20 clients while the serving loop polls", async () => {
  using sc = new Scope(UNIX);
  const path = sc.addr() as string;
  class Echo extends DatagramRequestHandler {
    override handle() {
      this.wfile.write(this.rfile.read());
    }
  }
  await using server = new UnixDatagramServer(path, Echo);
  const serving = server.serve_forever(0.02);
  try {
    // Let a few poll ticks pass: each leaves a receive pending on the server socket.
    await new Promise((r) => setTimeout(r, 80));
    const t0 = performance.now();
    const replies = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const c = sc.bound();
      c.settimeout(5);
      await c.sendto(b(`client ${i}`), path);
      const [d, from] = await c.recvfrom(100);
      assert.equal(from, path);
      return s_of(d);
    }));
    assert.deepEqual(replies, Array.from({ length: 20 }, (_, i) => `client ${i}`));
    console.log(`UnixDatagramServer: 20 echo round trips in ${(performance.now() - t0).toFixed(1)} ms`);
  } finally {
    await server.shutdown();
    await serving;
  }
});

const PY_UNIX_CLIENT = `
import socket, sys
c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
c.settimeout(5)
c.bind(sys.argv[2])
c.connect(sys.argv[1])  # connected: only the server's own socket may answer
for i in range(5):
    c.send(b"py-%d" % i)
    assert c.recv(100) == b"PY-%d" % i
c2 = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # unbound: the server sees None
c2.settimeout(5)
c2.sendto(b"anon", sys.argv[1])
print("ok", flush=True)
`;

test("UnixDatagramServer answers a connected python3 AF_UNIX SOCK_DGRAM client", async () => {
  using sc = new Scope(UNIX);
  const path = sc.addr() as string;
  const seen: (Address | null)[] = [];
  class Upper extends DatagramRequestHandler {
    override async handle() {
      seen.push(this.client_address);
      this.wfile.write(b(s_of(this.rfile.read()).toUpperCase()));
      await Promise.resolve();
    }
    override async finish() {
      // An unbound sender cannot be answered (Python's finish() would raise TypeError on None).
      if (this.client_address !== null) await super.finish();
    }
  }
  await using server = new UnixDatagramServer(path, Upper);
  const serving = server.serve_forever(0.02);
  try {
    await new Promise((r) => setTimeout(r, 50));
    const out = await new Deno.Command("python3", {
      args: ["-c", PY_UNIX_CLIENT, path, sc.addr() as string],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(15_000),
    }).output();
    assert.equal(out.code, 0, s_of(out.stderr));
    assert.equal(s_of(out.stdout).trim(), "ok");
    for (let i = 0; i < 100 && seen.length < 6; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.length, 6);
    assert.equal(seen[5], null);
  } finally {
    await server.shutdown();
    await serving;
  }
});

// ---- multicast -----------------------------------------------------------
//
// Loopback only: every membership is on the loopback interface (127.0.0.1, ifindex 1) and every sender is bound to
// 127.0.0.1, so Linux routes the group's datagrams through `lo` (a multicast destination with a bound source goes out
// the source's device): nothing is sent to another interface, and no membership report leaves the host. On `lo` the
// device itself loops what it sends back, so IP_MULTICAST_LOOP 0 does not stop delivery there: that row compares
// pysocket with CPython doing the same on `lo`.

/** The IPv4 multicast scenario, as python3 runs it (the twin of the test below); prints one outcome a line. */
const PY_MULTICAST = `
import socket, struct
g = "239.42.42.43"
rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
rx.bind(("", 0)); port = rx.getsockname()[1]
mreq = struct.pack("4s4s", socket.inet_aton(g), socket.inet_aton("127.0.0.1"))
rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
try:
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq); print("join again: ok")
except OSError as e: print("join again:", e.errno)
tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); tx.bind(("127.0.0.1", 0))
tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 2)
def get(label, t):
    rx.settimeout(t)
    try:
        d, a = rx.recvfrom(10); print(label, d.decode(), a[0], a[1] == tx.getsockname()[1])
    except TimeoutError: print(label, "timeout")
tx.sendto(b"mc1", (g, port)); get("mc1:", 2)
tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0); print("loop:", tx.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP))
tx.sendto(b"mc2", (g, port)); get("mc2:", 2)
tx.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
rx.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq)
try:
    rx.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, mreq); print("drop again: ok")
except OSError as e: print("drop again:", e.errno)
tx.sendto(b"mc4", (g, port)); get("mc4:", 0.3)
`;

test("Socket.setsockopt(IP_ADD_MEMBERSHIP) receives IPv4 multicast on the loopback interface; IP_DROP_MEMBERSHIP stops it (as CPython)", async () => {
  const py = await new Deno.Command("python3", { args: ["-c", PY_MULTICAST], stdout: "piped", stderr: "piped" })
    .output();
  if (!py.success) {
    console.log(
      `SKIP IPv4 multicast on lo: python3 could not run it here (${s_of(py.stderr).trim().split("\n").at(-1)})`,
    );
    return;
  }
  const lines: string[] = [];
  const group = "239.42.42.43";
  using rx = socket(AF_INET, SOCK_DGRAM);
  rx.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  rx.bind(["", 0]);
  const port = (rx.getsockname() as [string, number])[1];
  const mreq = concat(aton(group), aton("127.0.0.1"));
  rx.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq);
  try {
    rx.setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq);
    lines.push("join again: ok");
  } catch (e) {
    lines.push(`join again: ${(e as OSError).errno}`);
  }
  using tx = socket(AF_INET, SOCK_DGRAM);
  tx.bind(["127.0.0.1", 0]);
  tx.setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, 2);
  const get = async (label: string, t: number) => {
    rx.settimeout(t);
    try {
      const [d, a] = await rx.recvfrom(10) as [Uint8Array, [string, number]];
      lines.push(
        `${label} ${s_of(d)} ${a[0]} ${a[1] === (tx.getsockname() as [string, number])[1] ? "True" : "False"}`,
      );
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      lines.push(`${label} timeout`);
    }
  };
  await tx.sendto(b("mc1"), [group, port]);
  await get("mc1:", 2);
  tx.setsockopt(IPPROTO_IP, IP_MULTICAST_LOOP, 0);
  lines.push(`loop: ${tx.getsockopt(IPPROTO_IP, IP_MULTICAST_LOOP)}`);
  await tx.sendto(b("mc2"), [group, port]);
  await get("mc2:", 2);
  tx.setsockopt(IPPROTO_IP, IP_MULTICAST_LOOP, 1);
  rx.setsockopt(IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq);
  try {
    rx.setsockopt(IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq);
    lines.push("drop again: ok");
  } catch (e) {
    lines.push(`drop again: ${(e as OSError).errno}`);
  }
  // Sent right after the drop (no turn between): Linux applied it before setsockopt returned.
  await tx.sendto(b("mc4"), [group, port]);
  await get("mc4:", 0.3);
  assert.deepEqual(lines, s_of(py.stdout).trim().split("\n"));
  assert.equal(lines[1], "mc1: mc1 127.0.0.1 True");
  rx.close();
  tx.close();
  await settle();
});

test(
  "Socket.setsockopt(IPV6_JOIN_GROUP) on the loopback interface and IPV6_LEAVE_GROUP: the errors CPython raises (no datagram sent)",
  {
    ignore: !HAS_IPV6,
  },
  async () => {
    // Delivery is not tested: Linux's lo has no IPv6 multicast route (a send raises ENETUNREACH), and the suite sends
    // nothing to another interface.
    console.log("IPv6 multicast delivery not tested: it cannot stay on the loopback interface here");
    const PY = `
import socket
g = socket.inet_pton(socket.AF_INET6, "ff12::4243") + (1).to_bytes(4, "little")
rx = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); rx.bind(("::", 0))
for op, name in ((socket.IPV6_JOIN_GROUP, "join"), (socket.IPV6_JOIN_GROUP, "join again"),
                 (socket.IPV6_LEAVE_GROUP, "leave"), (socket.IPV6_LEAVE_GROUP, "leave again")):
    try:
        rx.setsockopt(socket.IPPROTO_IPV6, op, g); print(name, "ok")
    except OSError as e: print(name, e.errno)
print("loop", rx.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP))
`;
    const py = await new Deno.Command("python3", { args: ["-c", PY], stdout: "piped", stderr: "piped" }).output();
    assert.ok(py.success, s_of(py.stderr));
    using rx = socket(AF_INET6, SOCK_DGRAM);
    rx.bind(["::", 0]);
    const mreq = new Uint8Array(20);
    mreq.set([0xff, 0x12], 0);
    mreq.set([0x42, 0x43], 14);
    mreq.set([1, 0, 0, 0], 16); // ifindex 1: the loopback interface
    const lines: string[] = [];
    for (
      const [op, name] of [
        [IPV6_JOIN_GROUP, "join"],
        [IPV6_JOIN_GROUP, "join again"],
        [IPV6_LEAVE_GROUP, "leave"],
        [IPV6_LEAVE_GROUP, "leave again"],
      ] as const
    ) {
      try {
        rx.setsockopt(IPPROTO_IPV6, op, mreq);
        lines.push(`${name} ok`);
      } catch (e) {
        lines.push(`${name} ${(e as OSError).errno}`);
      }
    }
    lines.push(`loop ${rx.getsockopt(IPPROTO_IPV6, IPV6_MULTICAST_LOOP)}`);
    assert.deepEqual(lines, s_of(py.stdout).trim().split("\n"));
    rx.close();
    await settle();
  },
);

// ---- python3 as the peer -------------------------------------------------

const PY_PEER = `
import json, socket, sys
fam = {"AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6, "AF_UNIX": socket.AF_UNIX}[sys.argv[1]]
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(5)
if fam == socket.AF_UNIX:
    s.bind(sys.argv[3]); target = sys.argv[2]
else:
    s.bind((sys.argv[3], 0)); target = (sys.argv[3], int(sys.argv[2]))
print(json.dumps(s.getsockname()), flush=True)
s.sendto(b"hello from python", target)
seen = None
for _ in range(10):
    data, addr = s.recvfrom(65536)
    seen = addr
    if data == b"bye":
        break
    s.sendto(data.upper(), addr)
print(json.dumps(seen), flush=True)
`;

/** Read stdout lines of a child, one at a time. */
function line_reader(stream: ReadableStream<Uint8Array>): () => Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return async () => {
    for (let i = 0; i < 100; i++) {
      const nl = buf.indexOf("\n");
      if (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        return line;
      }
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
    }
    throw new Error(`python3 ended early; output so far: ${buf}`);
  };
}

for (const fam of FAMILIES) {
  test(`Socket datagrams round-trip with a python3 peer in both directions (${fam.name})`, async () => {
    using sc = new Scope(fam);
    const s = sc.bound();
    s.settimeout(5);
    const mine = s.getsockname();
    const args = fam.family === AF_UNIX
      ? [mine as string, sc.addr() as string]
      : [String((mine as [string, number])[1]), fam.host];
    const child = new Deno.Command("python3", {
      args: ["-c", PY_PEER, fam.name, ...args],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const timer = setTimeout(() => child.kill(), 10_000);
    try {
      const next_line = line_reader(child.stdout);
      const py_addr = JSON.parse(await next_line()) as Address;
      // Python -> Deno.
      const [d, from] = await s.recvfrom(100);
      assert.equal(s_of(d), "hello from python");
      assert_shape(fam, from, py_addr);
      // Deno -> Python -> Deno.
      await s.sendto(b("ping"), from as Address);
      const [echo, efrom] = await s.recvfrom(100);
      assert.equal(s_of(echo), "PING");
      assert.deepEqual(efrom, py_addr);
      await s.connect(py_addr);
      await s.send(b("connected"));
      assert.equal(s_of(await s.recv(100)), "CONNECTED");
      await s.send(b("bye"));
      // Python saw us at the address we report.
      assert.deepEqual(JSON.parse(await next_line()), mine);
      assert.equal((await child.status).code, 0);
    } finally {
      clearTimeout(timer);
      try {
        child.kill();
      } catch { /* exited */ }
      await child.status;
    }
    await settle();
  });
}

// ---- without --unstable-net ----------------------------------------------

const NO_FLAG_SCRIPT = `
import { AF_INET, AF_UNIX, OSError, SOCK_DGRAM, create_connection, create_server, socket } from ${
  JSON.stringify(new URL("../mod.ts", import.meta.url).href)
};
for (const fam of [AF_INET, AF_UNIX]) {
  try {
    socket(fam, SOCK_DGRAM);
    console.log("created");
  } catch (e) {
    console.log((e instanceof OSError ? "OSError " : "other ") + e.message);
  }
}
using srv = create_server(["127.0.0.1", 0]);
using cli = await create_connection(srv.getsockname());
const [conn] = await srv.accept();
await cli.sendall(new Uint8Array([1, 2, 3]));
console.log("stream ok", (await conn.recv(10)).length);
conn.close();
`;

test("socket(SOCK_DGRAM) without --unstable-net raises an OSError naming the flag; streams keep working", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-noflag-" });
  try {
    const script = `${dir}/noflag.ts`;
    Deno.writeTextFileSync(script, NO_FLAG_SCRIPT);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-net", "--allow-read", "--no-prompt", script],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stdout = s_of(out.stdout);
    assert.equal(out.code, 0, `exit ${out.code}\n${stdout}\n${s_of(out.stderr)}`);
    const lines = stdout.trim().split("\n");
    assert.equal(lines.length, 3, stdout);
    for (const line of lines.slice(0, 2)) {
      assert.match(line, /^OSError \[Errno \d+\] .*--unstable-net/);
    }
    assert.equal(lines[2], "stream ok 3");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// ---- the example -----------------------------------------------------------

test("examples/udp_echo.ts runs a UDP echo server and client on loopback", async () => {
  const example = new URL("../examples/udp_echo.ts", import.meta.url).pathname;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--unstable-net", "--no-prompt", example],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stdout = s_of(out.stdout);
  assert.equal(out.code, 0, `${stdout}\n${s_of(out.stderr)}`);
  assert.match(stdout, /server listening on \('127\.0\.0\.1', \d+\)/);
  assert.match(stdout, /client got b'HELLO' from \('127\.0\.0\.1', \d+\)/);
  assert.match(stdout, /3 datagrams echoed/);
  // Without the flag the example explains what is missing instead of crashing.
  const noflag = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--no-prompt", example],
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(noflag.code, 1);
  assert.match(s_of(noflag.stderr), /--unstable-net/);
});

test("examples/demo.ts (deno task demo) makes a UDP round trip, and says it skipped it without --unstable-net", async () => {
  const demo = new URL("../examples/demo.ts", import.meta.url).pathname;
  const run = (flags: string[]) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", ...flags, demo],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
      signal: AbortSignal.timeout(30_000),
    }).output();
  const [on, off] = await Promise.all([run(["--unstable-net"]), run([])]);
  const text = s_of(on.stdout);
  assert.equal(on.code, 0, s_of(on.stderr));
  assert.match(text, /server {2}bound to \('127\.0\.0\.1', \d+\)/);
  assert.match(
    text,
    /client {2}sent "hello over UDP \(AF_INET, SOCK_DGRAM, 127\.0\.0\.1\)" from \('0\.0\.0\.0', \d+\)/,
  );
  assert.match(text, /server {2}got 47 bytes from \('127\.0\.0\.1', \d+\), sent them back/);
  assert.match(
    text,
    /client {2}got "hello over UDP \(AF_INET, SOCK_DGRAM, 127\.0\.0\.1\)" back from \('127\.0\.0\.1', \d+\)/,
  );
  const plain = s_of(off.stdout);
  assert.equal(off.code, 0, s_of(off.stderr));
  assert.match(plain, /== UDP \(AF_INET, SOCK_DGRAM, 127\.0\.0\.1\)\nskipped: \[Errno \d+\] .*--unstable-net/);
  assert.match(plain, /all round trips done\n$/);
});

// A stream socket of the same families is unaffected by the datagram engine.
test("socket(SOCK_STREAM) still reports SOCK_STREAM beside datagram sockets", () => {
  using s = socket(AF_INET, SOCK_STREAM);
  using d = socket(AF_INET, SOCK_DGRAM);
  assert.equal(s.type, SOCK_STREAM);
  assert.equal(d.type, SOCK_DGRAM);
});
