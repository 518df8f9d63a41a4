// Shared by the socket tests: the three stream families as one table, and a
// connected trio (listener, client, accepted connection) that cleans itself up.

import assert from "node:assert/strict";
import net from "node:net";
import { type AddressInput, AF_INET, AF_INET6, AF_UNIX, type Socket, socket } from "../mod.ts";

/** One row of the family table. */
export interface Family {
  /** "AF_INET", "AF_INET6", "AF_UNIX" (used in test names). */
  readonly name: string;
  readonly family: number;
  /** The loopback host ('' for AF_UNIX). */
  readonly host: string;
}

/** What some tests need from the machine, found once. */
function can_run(cmd: string, args: string[]): boolean {
  try {
    return new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
}
const NEEDS = {
  python3: () => can_run("python3", ["--version"]),
  openssl: () => can_run("openssl", ["version"]),
  unix: () => Deno.build.os !== "windows",
  unshare: () => Deno.build.os === "linux" && can_run("unshare", ["-n", "true"]),
} as const;
const WHY: Readonly<Record<keyof typeof NEEDS, string>> = {
  python3: "python3 (the CPython reference) is not on PATH",
  openssl: "openssl is not on PATH",
  unix: "Deno has no Unix sockets on this platform",
  unshare: "`unshare -n` (a network namespace, so a lookup cannot leave the machine) is not permitted here",
};
const found = new Map<string, boolean>();

/**
 * True (so: `Deno.test({ ignore: missing("python3"), ... })`) when the machine lacks
 * one of `what`; says which once, on stdout, so no test is skipped silently.
 */
export function missing(...what: (keyof typeof NEEDS)[]): boolean {
  let absent = false;
  for (const w of what) {
    if (!found.has(w)) {
      found.set(w, NEEDS[w]());
      if (!found.get(w)) console.log(`skipping the tests that need ${w}: ${WHY[w]}`);
    }
    if (!found.get(w)) absent = true;
  }
  return absent;
}

/** True when this host can bind ::1. */
export const HAS_IPV6: boolean = (() => {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
})();

/** The family table every scenario runs against. */
export const FAMILIES: readonly Family[] = [
  { name: "AF_INET", family: AF_INET, host: "127.0.0.1" },
  ...(HAS_IPV6 ? [{ name: "AF_INET6", family: AF_INET6, host: "::1" }] : []),
  // Deno has no Unix sockets on Windows: the AF_UNIX row is left out there, saying so.
  ...(missing("unix") ? [] : [{ name: "AF_UNIX", family: AF_UNIX, host: "" }]),
];

/** A temp dir (AF_UNIX paths) that removes itself. */
export class TempDir implements Disposable {
  readonly path: string = Deno.makeTempDirSync({ prefix: "pysocket-test-" });
  /** A socket path inside the dir. */
  sock(name = "s.sock"): string {
    return `${this.path}/${name}`;
  }
  [Symbol.dispose](): void {
    try {
      Deno.removeSync(this.path, { recursive: true });
    } catch { /* gone already */ }
  }
}

/** A bind address for `fam` (port 0 or a fresh path in `dir`). */
export function bind_addr(fam: Family, dir: TempDir, name?: string): AddressInput {
  return fam.family === AF_UNIX ? dir.sock(name) : [fam.host, 0];
}

/** A listening socket of `fam` with its own temp dir. */
export class Server implements Disposable {
  readonly dir: TempDir = new TempDir();
  readonly sock: Socket;
  constructor(readonly fam: Family, backlog?: number) {
    this.sock = socket(fam.family);
    try {
      this.sock.bind(bind_addr(fam, this.dir));
      this.sock.listen(backlog);
    } catch (e) {
      this.sock.close();
      this.dir[Symbol.dispose]();
      throw e;
    }
  }
  /** The address clients connect to. */
  get addr(): AddressInput {
    return this.sock.getsockname() as AddressInput;
  }
  [Symbol.dispose](): void {
    this.sock.close();
    this.dir[Symbol.dispose]();
  }
}

/** A listener, a connected client and the accepted connection. */
export class Trio implements AsyncDisposable {
  private constructor(readonly server: Server, readonly cli: Socket, readonly conn: Socket) {}

  /** Connect a client to a new server of `fam` and accept it. */
  static async open(fam: Family): Promise<Trio> {
    const server = new Server(fam);
    const cli = socket(fam.family);
    try {
      await cli.connect(server.addr);
      const [conn] = await server.sock.accept();
      return new Trio(server, cli, conn);
    } catch (e) {
      cli.close();
      server[Symbol.dispose]();
      throw e;
    }
  }

  get srv(): Socket {
    return this.server.sock;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.cli.close();
    this.conn.close();
    this.server[Symbol.dispose]();
    // Let Deno finish closing the resources (the sanitizers check them).
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Bytes of a string. */
export function b(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s);
}

/** A string of bytes. */
export function str(u: Uint8Array): string {
  return new TextDecoder().decode(u);
}

/** Receive exactly n bytes (or until EOF), bounded by `max_calls`. */
export async function recv_exactly(s: Socket, n: number, max_calls = 100_000): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  let got = 0;
  for (let i = 0; i < max_calls && got < n; i++) {
    const k = await s.recv_into(out.subarray(got));
    if (k === 0) break;
    got += k;
  }
  return out.subarray(0, got);
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Reject with `what timed out` if `p` takes longer than `ms` (the timer is always cleared). */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, rej) => {
        timer = setTimeout(() => rej(new Error(`${what}: no result within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A `deno run --allow-net` of an example: waits for its "listening on host:port" line, runs `peer`
 * with the port, then expects exit code 0 (killed after 30 s). Returns all of stdout.
 */
export async function run_example(
  file: string,
  args: string[],
  peer: (port: number) => Promise<void>,
): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", new URL(`../examples/${file}`, import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill(), 30_000);
  try {
    const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await out.read();
      if (done) break;
      text += value;
    }
    const m = /listening on [^:]+:(\d+)/.exec(text);
    if (!m) throw new Error(`no port in ${JSON.stringify(text)}`);
    await peer(Number(m[1]));
    for (;;) {
      const { value, done } = await out.read();
      if (done) break;
      text += value;
    }
    const status = await child.status;
    const err = await new Response(child.stderr).text();
    assert.equal(status.code, 0, err);
    return text;
  } finally {
    clearTimeout(killer);
  }
}

/**
 * `Deno.test` for a file whose tests need `what` (python3, openssl, ...): on a
 * machine that lacks one, every test of the file is registered as ignored and
 * the reason is printed once, so nothing is skipped silently.
 */
export function test_needing(...what: (keyof typeof NEEDS)[]): typeof Deno.test {
  if (!missing(...what)) return Deno.test;
  const ignored = (...args: unknown[]): void => {
    const [a, b, c] = args;
    let def: Deno.TestDefinition;
    if (typeof a === "function") def = { name: a.name || "test", fn: a as Deno.TestDefinition["fn"] };
    else if (typeof a === "object" && a !== null) {
      def = {
        ...(a as Deno.TestDefinition),
        ...(typeof b === "function" ? { fn: b as Deno.TestDefinition["fn"] } : {}),
      };
    } else if (typeof b === "function") def = { name: String(a), fn: b as Deno.TestDefinition["fn"] };
    else {def = {
        ...(b as Omit<Deno.TestDefinition, "fn" | "name">),
        name: String(a),
        fn: c as Deno.TestDefinition["fn"],
      };}
    Deno.test({ ...def, ignore: true });
  };
  return Object.assign(ignored, Deno.test) as unknown as typeof Deno.test;
}

/** tests/fixtures/reset_peer.py: a python3 TCP peer that resets (SO_LINGER 0) one connection; for twins too. */
export const RESET_PEER_PY: string = new URL("./fixtures/reset_peer.py", import.meta.url).pathname;

/**
 * Start reset_peer.py on IPv4: it accepts one connection and resets it `delay_ms` later (keeping it half-open
 * until then, unlike a node:net peer). Returns its port and its exit.
 */
export async function reset_peer(delay_ms: number): Promise<{ port: number; done: Promise<unknown> }> {
  const child = new Deno.Command("python3", {
    args: [RESET_PEER_PY, "4", "", String(delay_ms)],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  return { port: Number(await first_line(child)), done: child.output() };
}

/** The first line a child process prints (its port, say), read from its piped stdout; the rest stays unread. */
export async function first_line(child: Deno.ChildProcess): Promise<string> {
  const reader = child.stdout.getReader();
  let text = "";
  for (let i = 0; i < 100 && !text.includes("\n"); i++) {
    const r = await reader.read();
    if (r.done) break;
    text += new TextDecoder().decode(r.value);
  }
  reader.releaseLock();
  return text.trim();
}

/** A node:net server that resets every connection `ms` after accepting it. */
export async function resetting(ms: number): Promise<{ port: number } & AsyncDisposable> {
  const srv = net.createServer((s) => {
    s.on("error", () => {});
    setTimeout(() => s.resetAndDestroy(), ms);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    async [Symbol.asyncDispose]() {
      await new Promise((r) => srv.close(r));
    },
  };
}

// ---- Ports that stay closed while test files run in parallel ----------------
//
// `deno task test` runs the test files in parallel, all on loopback. A port taken with "bind port 0, read it,
// close" is free again at once: another file's listener (every one of them binds 127.0.0.1 or ::1 port 0) can be
// given it before this test connects (a "refused" connect then succeeds) or binds it again (EADDRINUSE). Two
// ways out, both here:
// - a loopback address of its own (`lone_v4()`, a random 127.x.y.z): no other file binds it, so a port freed
//   there stays free (only a wildcard listener, 0.0.0.0 or ::, could still take it: a few tests make one, briefly);
// - where the host must stay shared (::1 has no spare addresses; a program that hard-codes 127.0.0.1),
//   `held_closed_port(host)`: the port keeps an accepted connection bound (its listener closed), so a connect
//   to it is refused (no listener) while the kernel gives it to no other `bind(port 0)` until disposed.

/** Shared loopback hosts: `closed_port` refuses them (a freed port there is anyone's). */
const SHARED_HOSTS = new Set(["127.0.0.1", "::1", "localhost", "0.0.0.0", "::", ""]);

/**
 * A fresh loopback address of this test's own, 127.x.y.z with x in 10..209 (never 127.0.0.1 and no other
 * well-known one); any address of 127.0.0.0/8 is local on Linux. Two calls collide once in ~12 million.
 */
export function lone_v4(): string {
  const r = (n: number) => Math.floor(Math.random() * n);
  return `127.${10 + r(200)}.${r(250)}.${2 + r(250)}`;
}

/**
 * A TCP port nobody listens on at `host`, which must be a lone address (`lone_v4()`): bound, read, closed.
 * Throws on a shared host (127.0.0.1, ::1): use `held_closed_port` there.
 */
export function closed_port(host: string): number {
  if (SHARED_HOSTS.has(host)) {
    throw new Error(`closed_port(${JSON.stringify(host)}): a freed port on a shared host races other test files`);
  }
  const l = Deno.listen({ hostname: host, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A closed port kept from everyone else's `bind(port 0)` until disposed. */
export interface HeldPort extends Disposable {
  readonly host: string;
  readonly port: number;
}

/**
 * A TCP port on `host` (any loopback host, ::1 and 127.0.0.1 included) that nothing listens on, so a connect to it
 * is refused, and that no other socket's `bind(port 0)` gets while it is held: an accepted connection stays bound
 * to it after its listener closed (Linux never hands out an ephemeral port that a socket holds on that address).
 * An explicit bind of the port with SO_REUSEADDR (Deno's and node:net's sockets set it) still succeeds, so it also
 * reserves a source port to bind; a bind without SO_REUSEADDR (plain CPython) gets EADDRINUSE.
 * Dispose it when done.
 */
export async function held_closed_port(host: string): Promise<HeldPort> {
  const l = Deno.listen({ hostname: host, port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  let c: Deno.Conn | undefined, a: Deno.Conn | undefined;
  try {
    c = await Deno.connect({ hostname: host, port });
    a = await l.accept();
  } catch (e) {
    c?.close();
    throw e;
  } finally {
    l.close();
  }
  const [cc, aa] = [c, a];
  return {
    host,
    port,
    [Symbol.dispose]() {
      cc.close();
      aa.close();
    },
  };
}

/**
 * MiB this test's own isolate holds: V8's heap and ArrayBuffers, where pysocket's buffers and queues live. `deno test`
 * runs the test files in parallel in one process, so the process's RSS also grows with every other file's work: an
 * RSS bound in a test flakes (clean-clone CI runs read +53.7 and +116 MiB of RSS while pysocket's own growth was under
 * 1 MiB). Native memory (Deno's TLS engine) is not in it; a test that must bound that runs in a subprocess.
 */
export function own_mib(): number {
  const m = Deno.memoryUsage();
  return (m.heapUsed + m.external) / 2 ** 20;
}

/**
 * Run a Deno script in a child process of its own, with `--unstable-net` and `--v8-flags=--expose-gc` (so it can
 * force full garbage collections and measure its own memory), stdin closed, within `limit_ms`; it must exit 0
 * (a wait it left pending would keep it alive). Returns its stdout, trimmed.
 */
export async function run_gc_child(script: string, args: string[], limit_ms = 120_000): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--unstable-net", "--v8-flags=--expose-gc", script, ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(limit_ms),
  }).output();
  const dec = new TextDecoder();
  const text = dec.decode(out.stdout).trim();
  assert.equal(out.code, 0, dec.decode(out.stderr) + text);
  return text;
}

/**
 * Keeps a wildcard listener of another test file (0.0.0.0 or ::, port 0, run in parallel) from being handed `port`
 * once a test frees it on its own lone address (a CI run saw "connected, then ConnectionResetError"): an accepted
 * connection on a second lone address `host` holds the port number, and Linux's bind(port 0) never hands out a port a
 * socket is bound to. Take it while the server still holds the port; dispose it after the connect. (No guard where
 * 127/8 has no address beyond 127.0.0.1.)
 */
export async function port_guard(host: string, port: number): Promise<Disposable> {
  let l: Deno.Listener;
  try {
    l = Deno.listen({ hostname: host, port });
  } catch {
    return { [Symbol.dispose]() {} };
  }
  try {
    const c = await Deno.connect({ hostname: host, port });
    const a = await l.accept();
    return {
      [Symbol.dispose]() {
        c.close();
        a.close();
      },
    };
  } finally {
    l.close();
  }
}
