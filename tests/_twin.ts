// The CPython twin of a scenario: a python3 script run in the same test,
// which prints one JSON value as its last line. Shared by the stream tests.

import assert from "node:assert/strict";
import { AF_INET, AF_INET6, AF_UNIX, create_server, type Socket, socket } from "../mod.ts";
import { TempDir } from "./_socket_fixtures.ts";

/** Helpers every twin script starts with (`from socket import *` is in scope). */
const PRELUDE = `
import json, os, select, socket as _socket_mod, struct, sys, tempfile, threading, time
from socket import *
def pair(fam=AF_INET):
    a = os.path.join(tempfile.mkdtemp(), "s") if fam == AF_UNIX else ("127.0.0.1", 0)
    l = socket(fam); l.bind(a); l.listen()
    c = socket(fam); c.connect(l.getsockname()); s, _ = l.accept(); l.close()
    return c, s
def err(e):
    return [type(e).__name__, getattr(e, "errno", None)]
def attempt(fn):
    try:
        r = fn()
        return ["ok", r.decode() if isinstance(r, bytes) else r]
    except Exception as e:
        return err(e)
def stalled():
    # A listener whose backlog is full: further SYNs are dropped, connects stall.
    l = socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
    fill = [create_connection(l.getsockname())]
    for _ in range(3):
        x = socket(); x.setblocking(False); x.connect_ex(l.getsockname()); fill.append(x)
    return l, fill
`;

/** Run `body` (Python, after the prelude) in python3; returns the JSON value of its last output line. */
export async function cpython(body: string): Promise<unknown> {
  const child = new Deno.Command("python3", {
    args: ["-c", PRELUDE + body],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killer = setTimeout(() => child.kill(), 60_000);
  try {
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert.equal(out.code, 0, `python3 failed:\n${new TextDecoder().decode(out.stderr)}`);
    return JSON.parse(text.split("\n").at(-1)!);
  } finally {
    clearTimeout(killer);
  }
}

/** `[class name, errno]` of an error, as the twin's err(). */
export function err(e: unknown): [string, number | null] {
  const o = e as { name?: string; errno?: number | null };
  return [o.name ?? String(e), o.errno ?? null];
}

/** What a call gave, as the twin's attempt(): `["ok", value]` or `[class, errno]`. */
export async function attempt(fn: () => unknown): Promise<unknown[]> {
  try {
    const r = await fn();
    return ["ok", r instanceof Uint8Array ? new TextDecoder().decode(r) : r ?? null];
  } catch (e) {
    return err(e);
  }
}

/** A connected pair of `fam` (client, accepted; AF_INET6 on ::1), the listener closed, as the twin's pair(). */
export async function pair(fam: number = AF_INET): Promise<[Socket, Socket] & Disposable> {
  const dir = new TempDir();
  const l = socket(fam);
  try {
    l.bind(fam === AF_UNIX ? dir.sock() : [fam === AF_INET6 ? "::1" : "127.0.0.1", 0]);
    l.listen();
    const c = socket(fam);
    await c.connect(l.getsockname());
    const [s] = await l.accept();
    const out = [c, s] as [Socket, Socket] & Disposable;
    out[Symbol.dispose] = () => {
      c.close();
      s.close();
      dir[Symbol.dispose]();
    };
    return out;
  } finally {
    l.close();
  }
}

/** A listener whose backlog is full (Deno's tcpBacklog 0 plus one connection): connects to it stall. */
export async function stalled(): Promise<{ port: number } & Disposable> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
  const port = (l.addr as Deno.NetAddr).port;
  const filler = await Deno.connect({ hostname: "127.0.0.1", port });
  return {
    port,
    [Symbol.dispose]() {
      filler.close();
      l.close();
    },
  };
}

/**
 * A blocking pysocket socket whose connect is in flight: a non-blocking connect_ex() (its result in `ex`) to a
 * listener whose backlog is full, then setblocking(true). `free()` makes room (the filler accepted and closed), so the
 * connect's retried SYN (~1 s later) completes; `l` is the Deno listener that then accepts it.
 */
export async function connecting(): Promise<
  { l: Deno.TcpListener; port: number; s: Socket; ex: number; free(): Promise<void> }
> {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0, tcpBacklog: 0 } as Deno.TcpListenOptions);
  const port = (l.addr as Deno.NetAddr).port;
  const filler = await Deno.connect({ hostname: "127.0.0.1", port });
  const s = socket();
  s.setblocking(false);
  const ex = await s.connect_ex(["127.0.0.1", port]);
  s.setblocking(true);
  const free = async () => {
    const first = await l.accept();
    filler.close();
    first.close();
  };
  return { l, port, s, ex, free };
}

/** A pysocket server on loopback (for twins that need a plain listener). */
export function server(): Socket {
  return create_server(["127.0.0.1", 0]);
}

/** Run a python3 script with JSON on stdin; its JSON stdout, or a reason it could not run. */
export async function python_json(script: string, input: unknown, limit_ms = 120_000): Promise<unknown> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("python3", { args: ["-c", script], stdin: "piped", stdout: "piped", stderr: "piped" })
      .spawn();
  } catch (e) {
    return `python3 not available (${(e as Error).message})`;
  }
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(input)));
  await w.close();
  const timer = setTimeout(() => child.kill(), limit_ms);
  const out = await child.output();
  clearTimeout(timer);
  if (!out.success) throw new Error(`python3 failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** `[class, errno]` of an error, or `["ok", value]` (bytes as UTF-8 text), as the python twins' out() print it. */
export async function out(fn: () => unknown): Promise<unknown[]> {
  try {
    const r = await fn();
    return ["ok", r instanceof Uint8Array ? new TextDecoder().decode(r) : r ?? null];
  } catch (e) {
    const x = e as { name: string; errno?: number | null };
    return [x.name, x.errno ?? null];
  }
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** `p`'s value, or null after `ms` (the timer cleared either way): for waits a scenario may leave pending. */
export async function settled_within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([p, new Promise<null>((r) => timer = setTimeout(() => r(null), ms))]);
  } finally {
    clearTimeout(timer);
  }
}

/** A small deterministic PRNG (mulberry32): generated tables check the same rows every run. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `fn` over `items`, at most `n` at a time; the results in the items' order (independent rows that mostly wait). */
export async function pooled<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * Python helpers of the row tables (adversary18c_pure, adversary24b): `enc(r)` makes a result JSON (bytes as
 * {"b": hex}), `cls(e)` names an exception as pysocket's class (ValueError and OverflowError are RangeError).
 */
export const PY_ENC_CLS = `def enc(r):
    if isinstance(r, (bytes, bytearray)): return {"b": r.hex()}
    if isinstance(r, (list, tuple)): return [enc(x) for x in r]
    if isinstance(r, bool): return r
    if isinstance(r, int): return int(r)
    return r
def cls(e):
    if isinstance(e, (ValueError, OverflowError)) and not isinstance(e, OSError): return "RangeError"
    return type(e).__name__`;

/** Bytes as lowercase hex (the row tables' form of bytes). */
export const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, "0")).join("");

/** A pysocket result as PY_ENC_CLS's enc() makes CPython's: bytes as {"b": hex}, undefined as null. */
export function enc(r: unknown): unknown {
  if (r instanceof Uint8Array) return { b: hex(r) };
  if (Array.isArray(r)) return r.map(enc);
  if (r === undefined) return null;
  return r;
}
