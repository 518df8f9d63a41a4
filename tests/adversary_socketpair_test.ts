// The adversary's socketpair() tests (issue 13): strangers that connect to
// the pair's listener before its own end does (through the test hook, from
// raw Deno connections, so nothing of pysocket helps them): silent ones,
// wrong tokens, a partial token then silence, a token-length guess, a flood
// beyond the listener's accept bound; on Linux's abstract names and on the
// macOS branch's private directory (through the platform seam). None may
// become the peer, hold the pair up, or leak a file descriptor.

import assert from "node:assert/strict";
import { type AddressInput, AF_INET, AF_UNIX, type Socket, socketpair } from "../mod.ts";
import { _set_socketpair_hook_for_tests } from "../connection.ts";
import { _set_platform_for_tests } from "../_platform.ts";
import { b, str, within } from "./_socket_fixtures.ts";
import { stream_pair } from "./_pairs.ts";

/** Open fds of this process (Linux), or -1. */
function open_fds(): number {
  try {
    return [...Deno.readDirSync("/proc/self/fd")].length;
  } catch {
    return -1;
  }
}

async function exchange(a: Socket, c: Socket): Promise<void> {
  await a.sendall(b("ping"));
  assert.equal(str(await within(c.recv(64), 10_000, "recv ping")), "ping");
  await c.sendall(b("pong"));
  assert.equal(str(await within(a.recv(64), 10_000, "recv pong")), "pong");
}

type Kind = "silent" | "wrong" | "partial" | "guess" | "eof";

/** Connect `n` strangers of `kind` to the pair's address with raw Deno; returns them. */
async function strangers(addr: AddressInput, n: number, kind: Kind): Promise<Deno.Conn[]> {
  const out: Deno.Conn[] = [];
  for (let i = 0; i < n; i++) {
    const c = typeof addr === "string"
      ? await Deno.connect({ transport: "unix", path: addr })
      : await Deno.connect({ hostname: (addr as [string, number])[0], port: (addr as [string, number])[1] });
    if (kind === "wrong") await c.write(new Uint8Array(32).fill(0x41));
    else if (kind === "partial") await c.write(new Uint8Array(31));
    else if (kind === "guess") await c.write(crypto.getRandomValues(new Uint8Array(32)));
    else if (kind === "eof") await c.closeWrite();
    out.push(c);
  }
  return out;
}

/** What each stranger got: bytes (a hole), or EOF; waits up to 10 s for all (side by side). */
async function stranger_reads(cs: Deno.Conn[]): Promise<{ bytes: number; eof: number }> {
  let bytes = 0, eof = 0;
  const deadline = new Promise<"idle">((r) => setTimeout(() => r("idle"), 10_000));
  await Promise.all(cs.map(async (c) => {
    const buf = new Uint8Array(64);
    for (let i = 0; i < 100; i++) {
      const n = await Promise.race([c.read(buf).catch(() => null), deadline]);
      if (n === "idle") return;
      if (n === null) return void eof++;
      bytes += n;
    }
  }));
  for (const c of cs) {
    try {
      c.close();
    } catch { /* closed */ }
  }
  return { bytes, eof };
}

for (const fam of [AF_UNIX, AF_INET]) {
  for (const kind of ["silent", "wrong", "partial", "guess", "eof"] as const) {
    Deno.test(`adversary: 40 ${kind} strangers connecting first never become a ${fam === AF_UNIX ? "AF_UNIX" : "AF_INET"} pair's peer`, async () => {
      const fds = open_fds();
      let cs: Deno.Conn[] = [];
      _set_socketpair_hook_for_tests(async (addr) => {
        cs = await strangers(addr, 40, kind);
      });
      try {
        const t0 = Date.now();
        const [a, c] = await within(stream_pair(fam), 20_000, "socketpair");
        // Silent and partial strangers are checked side by side: they never hold the pair up for its 10 s.
        assert.ok(Date.now() - t0 < 8_000, `the pair took ${Date.now() - t0} ms`);
        await exchange(a, c);
        a.close();
        c.close();
      } finally {
        _set_socketpair_hook_for_tests(null);
      }
      const r = await stranger_reads(cs);
      assert.equal(r.bytes, 0, "a stranger received bytes");
      assert.equal(r.eof, cs.length, "every stranger was closed");
      if (fds >= 0) {
        // Every stranger's pysocket end was closed: no fd leak. (A few fds of Deno's own
        // may come and go meanwhile, e.g. on a first network call; 40 strangers leaking would show.)
        for (let i = 0; i < 250 && open_fds() > fds + 8; i++) await new Promise((r) => setTimeout(r, 20));
        assert.ok(open_fds() <= fds + 8, `fds ${fds} -> ${open_fds()}`);
      }
    });
  }
}

Deno.test("adversary: strangers on the macOS branch (a private 0700 directory) never become the peer", async () => {
  _set_platform_for_tests("darwin");
  let cs: Deno.Conn[] = [];
  let mode = -1;
  _set_socketpair_hook_for_tests(async (addr) => {
    const path = addr as string;
    mode = Deno.statSync(path.slice(0, path.lastIndexOf("/"))).mode! & 0o777;
    cs = await strangers(addr, 20, "guess");
  });
  try {
    const [a, c] = await within(socketpair(AF_UNIX), 20_000, "socketpair");
    await exchange(a, c);
    a.close();
    c.close();
  } finally {
    _set_socketpair_hook_for_tests(null);
    _set_platform_for_tests(null);
  }
  assert.equal(mode, 0o700);
  const r = await stranger_reads(cs);
  assert.equal(r.bytes, 0);
});

Deno.test("adversary: a flood of strangers beyond the listener's accept bound does not stop the pair forming", async () => {
  let cs: Deno.Conn[] = [];
  _set_socketpair_hook_for_tests(async (addr) => {
    cs = await strangers(addr, 300, "wrong");
  });
  let outcome: string;
  try {
    const [a, c] = await within(socketpair(AF_UNIX), 30_000, "socketpair");
    await exchange(a, c);
    a.close();
    c.close();
    outcome = "formed";
  } catch (e) {
    outcome = String(e);
  } finally {
    _set_socketpair_hook_for_tests(null);
  }
  const r = await stranger_reads(cs);
  assert.equal(r.bytes, 0);
  assert.equal(outcome, "formed");
});
