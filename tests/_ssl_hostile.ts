// What the adv28/adv30 TLS tests against a hostile or slow python3 peer share (tests/adversary28_ssl_fatal_test.ts,
// tests/adversary30_ssl_fatal_test.ts, tests/adversary28_ssl_hs_timeout_test.ts, tests/adversary30_ssl_hs_test.ts):
// the python3 peers, pysocket's actor that runs the same steps as CPython's, and the runners that put a CPython
// actor and a pysocket actor against the same peer.

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { type Certs, python, python_server } from "./_ssl_fixtures.ts";

/** An exception as the python3 scripts print one: class, errno (None), str. */
export function ex(e: unknown): string {
  const x = e as { errno?: unknown; message?: string; name?: string };
  return `${x.name} ${x.errno ?? "None"} ${x.message}`;
}

/** Python's repr() of what an op returned (bytes, an int, None, a str or a list of them). */
export function repr(v: unknown): string {
  if (v === undefined || v === null) return "None";
  if (typeof v === "string") return `'${v}'`;
  if (Array.isArray(v)) return `[${v.map(repr).join(", ")}]`;
  if (v instanceof Uint8Array) {
    let s = "";
    for (const c of v) {
      s += c >= 32 && c < 127 && c !== 39 && c !== 92
        ? String.fromCharCode(c)
        : "\\x" + c.toString(16).padStart(2, "0");
    }
    return `b'${s}'`;
  }
  return String(v);
}

// ---- a TLS server that breaks the record layer mid-stream --------------------------------------------------

/**
 * The hostile server (argv: certs dir, JSON rows with `id`, `kind`, `ver`): one listener per row, two connections
 * each (CPython's client, pysocket's). Each sends "hello" over TLS `ver`, then on the raw connection a 32-byte
 * application-data record of garbage (`garbage`: bad MAC), a plaintext fatal alert record (`alert`), or a record cut
 * short followed by a FIN (`trunc`); it keeps the connection 1.5 s more, then closes without close_notify.
 */
export const FATAL_SERVER = `
import json, os, socket, ssl, sys, threading, time
d, rows = sys.argv[1], json.loads(sys.argv[2])
def serve(l, kind, ver):
    for _ in range(2):
        raw, _ = l.accept()
        threading.Thread(target=one, args=(raw, kind, ver), daemon=True).start()
def one(raw, kind, ver):
    try:
        raw.settimeout(10)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
        s = ctx.wrap_socket(raw, server_side=True)
        x = socket.socket(fileno=os.dup(s.fileno()))
        s.sendall(b"hello"); time.sleep(0.3)
        if kind == "garbage": x.sendall(b"\\x17\\x03\\x03\\x00\\x20" + b"A" * 32)
        elif kind == "alert": x.sendall(b"\\x15\\x03\\x03\\x00\\x02\\x02\\x28")
        else: x.sendall(b"\\x17\\x03\\x03\\x00\\x20" + b"A" * 10); x.shutdown(socket.SHUT_WR)
        time.sleep(1.5)
        x.close(); s.close()
    except OSError:
        pass
ports = {}
for r in rows:
    l = socket.create_server(("127.0.0.1", 0)); ports[r["id"]] = l.getsockname()[1]
    threading.Thread(target=serve, args=(l, r["kind"], r["ver"]), daemon=True).start()
print(json.dumps(ports), flush=True)
time.sleep(25)
`;

/** A row against FATAL_SERVER. */
export interface FatalRow {
  id: string;
  kind: "garbage" | "alert" | "trunc";
  ver: "1.2" | "1.3";
  suppress: boolean;
  ops: string[];
}

/**
 * Every row against one FATAL_SERVER: CPython's `client` script (argv: certs dir, JSON rows, JSON ports by row id,
 * then `extra`) runs them all and prints a JSON object of each row's ops last; pysocket's `ours` runs each row at
 * once beside it. Each side's ops, by row id.
 */
export async function beside_fatal_server<R extends FatalRow>(
  certs: Certs,
  client: string,
  rows: R[],
  ours: (r: R, port: number) => Promise<string[]>,
  ...extra: string[]
): Promise<{ py: Record<string, string[]>; ts: Record<string, string[]> }> {
  const spec = JSON.stringify(rows);
  const srv = await python_server(FATAL_SERVER, certs.dir, spec);
  try {
    const ports = JSON.parse(srv.first) as Record<string, number>;
    const [c, mine] = await Promise.all([
      python(client, certs.dir, spec, srv.first, ...extra),
      Promise.all(rows.map((r) => ours(r, ports[r.id]!))),
    ]);
    assert.equal(c.code, 0, c.err);
    const py = JSON.parse(c.out.trim().split("\n").at(-1)!) as Record<string, string[]>;
    return { py, ts: Object.fromEntries(rows.map((r, i) => [r.id, mine[i]!])) };
  } finally {
    srv.kill();
    await srv.rest();
  }
}

// ---- a peer that starts its TLS side late -------------------------------------------------------------------

/** The slow peer (argv: certs dir, role of the actor, delay): starts its TLS side `delay` s after the connect. */
const SLOW_PEER = `
import socket, ssl, sys, time
d, role, delay = sys.argv[1], sys.argv[2], float(sys.argv[3])
def ex(e): return f"{type(e).__name__} {getattr(e, 'errno', None)} {e}"
try:
    if role == "client":  # the actor is a client: this is a server
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
        srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
        raw, _ = srv.accept(); raw.settimeout(10)
        time.sleep(delay)
        s = ctx.wrap_socket(raw, server_side=True)
        s.sendall(b"hello"); time.sleep(1); s.close()
    else:
        port = int(input())
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        time.sleep(delay)
        ctx = ssl.create_default_context(cafile=d + "/ca.pem")
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        s.sendall(b"hello"); time.sleep(1); s.close()
    print("peer ok")
except Exception as e:
    print("peer " + ex(e))
`;

/** CPython's actor (argv: certs dir, role, port or "-", JSON steps); a server prints its port first. */
const SLOW_ACTOR = `
import json, socket, ssl, sys, time
d, role, port, steps = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
def ex(e): return f"{type(e).__name__} {getattr(e, 'errno', None)} {e}"
out = []
if role == "client":
    raw = socket.create_connection(("127.0.0.1", int(port)))
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
else:
    srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
    raw, _ = srv.accept()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
s = raw
for st in steps:
    try:
        if st.startswith("timeout "):
            v = st.split()[1]; s.settimeout(None if v == "None" else float(v)); continue
        if st.startswith("sleep "): time.sleep(float(st.split()[1])); continue
        if st == "wrap":
            s = ctx.wrap_socket(raw, server_side=role == "server", do_handshake_on_connect=False,
                                **({"server_hostname": "localhost"} if role == "client" else {}))
            continue
        if st == "wrap_hs":
            s = ctx.wrap_socket(raw, server_side=role == "server",
                                **({"server_hostname": "localhost"} if role == "client" else {}))
            out.append("wrap_hs ok"); continue
        if st == "hs": s.do_handshake(); out.append("hs ok")
        elif st == "recv": out.append(f"recv {s.recv(10)!r}")
        elif st == "send": out.append(f"send {s.send(b'x')!r}")
        elif st == "sendall": out.append(f"sendall {s.sendall(b'x')!r}")
        elif st == "fread": out.append(f"fread {s.makefile('rb').read(5)!r}")
        elif st == "closed": out.append(f"closed {s.fileno() == -1}")
    except Exception as e:
        out.append(f"{st} {ex(e)}")
s.close()
print(json.dumps(out))
`;

/**
 * A row against the slow peer: the actor's `steps` ("timeout <s|None>", "sleep <s>", "wrap" (no handshake),
 * "wrap_hs", "hs", "recv", "send", "sendall", "fread" (makefile('rb').read(5)), "closed").
 */
export interface SlowRow {
  id: string;
  role: "client" | "server";
  steps: string[];
  /** The finding the row shows, or null when pysocket agrees with CPython. */
  finding: string | null;
}

/** pysocket's actor: the same steps as SLOW_ACTOR. */
async function slow_ours(
  certs: Certs,
  r: SlowRow,
  port: number | null,
  listening?: (port: number) => void,
): Promise<string[]> {
  const out: string[] = [];
  let raw;
  let ctx: ssl.SSLContext;
  if (r.role === "client") {
    raw = await create_connection(["127.0.0.1", port!]);
    ctx = ssl.create_default_context({ cafile: certs.P("ca.pem") });
  } else {
    using l = create_server(["127.0.0.1", 0]);
    listening!((l.getsockname() as [string, number])[1]);
    [raw] = await l.accept();
    ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(certs.P("server.pem"), certs.P("server.key"));
  }
  let s: ssl.SSLSocket | typeof raw = raw;
  const opts = r.role === "client" ? { server_hostname: "localhost" } : { server_side: true };
  for (const st of r.steps) {
    try {
      if (st.startsWith("timeout ")) {
        const v = st.split(" ")[1]!;
        s.settimeout(v === "None" ? null : Number(v));
      } else if (st === "wrap") s = await ctx.wrap_socket(raw, { ...opts, do_handshake_on_connect: false });
      else if (st === "wrap_hs") {
        s = await ctx.wrap_socket(raw, opts);
        out.push("wrap_hs ok");
      } else if (st === "hs") {
        await (s as ssl.SSLSocket).do_handshake();
        out.push("hs ok");
      } else if (st === "recv") {
        const b = await s.recv(10);
        out.push(`recv b'${new TextDecoder().decode(b)}'`);
      } else if (st === "send") out.push(`send ${await s.send(new Uint8Array([120]))}`);
      else if (st === "sendall") out.push(`sendall ${await s.sendall(new Uint8Array([120])) ?? "None"}`);
      else if (st === "fread") {
        const b = await s.makefile("rb").read(5);
        out.push(`fread b'${new TextDecoder().decode(b as Uint8Array)}'`);
      } else if (st === "closed") out.push(`closed ${s.fileno() === -1 ? "True" : "False"}`);
    } catch (e) {
      out.push(`${st} ${ex(e)}`);
    }
  }
  s.close();
  return out;
}

/** One row with the actor `who`: the actor's ops and the peer's outcome. */
async function slow_row(
  certs: Certs,
  r: SlowRow,
  who: "cpython" | "pysocket",
): Promise<{ ops: string[]; peer: string }> {
  const steps = JSON.stringify(r.steps);
  if (r.role === "client") {
    const peer = await python_server(SLOW_PEER, certs.dir, "client", "2.5");
    try {
      let ops: string[];
      if (who === "cpython") {
        const c = await python(SLOW_ACTOR, certs.dir, "client", peer.first, steps);
        assert.equal(c.code, 0, c.err);
        ops = JSON.parse(c.out.trim().split("\n").at(-1)!);
      } else ops = await slow_ours(certs, r, Number(peer.first));
      return { ops, peer: (await peer.rest()).out.trim() };
    } finally {
      peer.kill();
    }
  }
  // The actor serves: the peer connects to the port it prints.
  const child = new Deno.Command("python3", {
    args: ["-u", "-c", SLOW_PEER, certs.dir, "server", "2.5"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).spawn();
  const w = child.stdin.getWriter();
  const tell = (port: number) => {
    w.write(new TextEncoder().encode(`${port}\n`)).then(() => w.close()).catch(() => {});
  };
  let ops: string[];
  if (who === "cpython") {
    const a = await python_server(SLOW_ACTOR, certs.dir, "server", "-", steps);
    tell(Number(a.first));
    const ra = await a.rest();
    assert.equal(ra.code, 0, ra.err);
    ops = JSON.parse(ra.out.trim().split("\n").at(-1)!);
  } else ops = await slow_ours(certs, r, null, tell);
  const o = await child.output();
  return { ops, peer: new TextDecoder().decode(o.stdout).trim() };
}

/**
 * Every row at once, each with a CPython actor then a pysocket actor against its own slow peer (2.5 s late); the
 * rows that show a finding print both sides; each row's ops and peer outcome must be CPython's.
 */
export async function slow_peer_compare(certs: Certs, rows: SlowRow[]): Promise<void> {
  const got = await Promise.all(
    rows.map(async (r) => [r, await slow_row(certs, r, "cpython"), await slow_row(certs, r, "pysocket")] as const),
  );
  for (const [r, py, ts] of got) {
    if (r.finding) {
      console.log(`${r.finding} ${r.id}\n  CPython:  ${JSON.stringify(py)}\n  pysocket: ${JSON.stringify(ts)}`);
    }
  }
  for (const [r, py, ts] of got) assert.deepEqual(ts, py, r.id);
}
