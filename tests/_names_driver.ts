// The two sides of tests/names_test.ts's differential: the calls (JSON, bytes and big ints tagged) run through
// CPython's socket module (PY_DRIVER) and through pysocket (`ours`). Run as a program (`deno run -A
// tests/_names_driver.ts`), it reads the calls on stdin and prints pysocket's outcomes: the form `offline()` runs
// both sides in, inside a network namespace.

import * as pysocket from "../mod.ts";

/** An argument or result crossing the JSON boundary: bytes and big ints are tagged. */
export type Wire = null | boolean | number | string | Wire[] | { bytes: number[] } | { int: string };
export type Call = [fn: string, args: Wire[]];
export type Outcome = { ok: Wire } | { err: [kind: string, errno: number | null, message: string] };

export const PY_DRIVER = `
import json, socket, sys
def dec(v):
    if isinstance(v, dict): return bytes(v["bytes"]) if "bytes" in v else int(v["int"])
    if isinstance(v, list): return [dec(x) for x in v]
    return v
def enc(v):
    if isinstance(v, (bytes, bytearray)): return {"bytes": list(v)}
    if isinstance(v, (list, tuple)): return [enc(x) for x in v]
    if isinstance(v, bool) or v is None or isinstance(v, str): return v
    if isinstance(v, int): return int(v)
    return v
def kind(e):
    if isinstance(e, socket.gaierror): return "gaierror"
    if isinstance(e, socket.herror): return "herror"
    if isinstance(e, OSError): return "OSError"
    if isinstance(e, (ValueError, OverflowError)): return "RangeError"
    if isinstance(e, TypeError): return "TypeError"
    return type(e).__name__
out = []
for fn, args in json.load(sys.stdin):
    args = [dec(a) for a in args]
    if fn == "getnameinfo": args[0] = tuple(args[0])
    try:
        out.append({"ok": enc(getattr(socket, fn)(*args))})
    except Exception as e:
        out.append({"err": [kind(e), getattr(e, "errno", None), str(e)]})
json.dump(out, sys.stdout)
`;

function decode(v: Wire): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    if ("bytes" in v) return new Uint8Array(v.bytes);
    const n = BigInt(v.int);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n;
  }
  return v;
}

function encode(v: unknown): Wire {
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(encode);
  return v as Wire;
}

function kind(e: unknown): string {
  if (e instanceof pysocket.gaierror) return "gaierror";
  if (e instanceof pysocket.herror) return "herror";
  if (e instanceof pysocket.OSError) return "OSError";
  if (e instanceof RangeError) return "RangeError";
  if (e instanceof TypeError) return "TypeError";
  return (e as Error).name;
}

/** Run the calls through pysocket. */
export async function ours(calls: Call[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  const api = pysocket as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const [fn, args] of calls) {
    try {
      out.push({ ok: encode(await api[fn]!(...args.map(decode))) });
    } catch (e) {
      const err = e as { errno?: number | null; message: string };
      out.push({ err: [kind(e), err.errno ?? null, err.message] });
    }
  }
  return out;
}

/** Run `cmd` with `input` on stdin (killed after 60 s); its stdout as JSON. */
async function run_json(cmd: string, args: string[], input: unknown): Promise<Outcome[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 60_000);
  try {
    const child = new Deno.Command(cmd, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: ac.signal,
      env: { DENO_NO_UPDATE_CHECK: "1" },
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(JSON.stringify(input)));
    await w.close();
    const { code, stdout, stderr } = await child.output();
    if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(stderr)}`);
    return JSON.parse(new TextDecoder().decode(stdout));
  } finally {
    clearTimeout(timer);
  }
}

/** Run the calls through CPython on this machine (for calls that never ask a resolver). */
export function python(calls: Call[]): Promise<Outcome[]> {
  return run_json("python3", ["-c", PY_DRIVER], calls);
}

/**
 * Both sides of calls that ask the resolver (names, reverse lookups), each run inside its own `unshare -n`: a
 * network namespace with no interface up, so no query can leave the machine whatever /etc/hosts holds (a name it
 * lacks fails at once, on both sides alike). `[CPython's, pysocket's]`.
 */
export function offline(calls: Call[]): Promise<[Outcome[], Outcome[]]> {
  const me = new URL(import.meta.url).pathname;
  return Promise.all([
    run_json("unshare", ["-n", "python3", "-c", PY_DRIVER], calls),
    run_json("unshare", ["-n", Deno.execPath(), "run", "-A", "--unstable-net", "--no-prompt", me], calls),
  ]);
}

if (import.meta.main) {
  const input = await new Response(Deno.stdin.readable).text();
  console.log(JSON.stringify(await ours(JSON.parse(input))));
}
