// adv30 (siblings of A28-1, fixed: ssl.ts handshake_seconds/wait_handshake): a TLS handshake against a slow peer
// (it starts its side 1.5 s after the TCP connect), driven not by do_handshake() but by the first recv(), send(),
// sendall() or makefile().read() after wrap_socket(..., do_handshake_on_connect=False), with settimeout() changes
// between a call that timed out and the next; and a wrap whose own handshake times out (CPython closes the socket).
// Client and server side; each row runs with a CPython actor, then a pysocket actor, against the same python3 peer.
// The ops' results (or exception class, errno, str) and the peer's outcome are compared. Adapted from
// tests/adversary28_ssl_hs_timeout_test.ts.

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();

/** The slow peer (argv: certs dir, role of the actor, delay): starts its TLS side `delay` s after the connect. */
const PEER = `
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
const ACTOR = `
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

interface Row {
  id: string;
  role: "client" | "server";
  steps: string[];
  /** The finding the row shows, or null when pysocket agrees with CPython. */
  finding: string | null;
}

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

function ex(e: unknown): string {
  const x = e as { errno?: unknown; message?: string; name?: string };
  return `${x.name} ${x.errno ?? "None"} ${x.message}`;
}

/** pysocket's actor: the same steps as ACTOR. */
async function ours(r: Row, port: number | null, listening?: (port: number) => void): Promise<string[]> {
  const out: string[] = [];
  let raw;
  let ctx: ssl.SSLContext;
  if (r.role === "client") {
    raw = await create_connection(["127.0.0.1", port!]);
    ctx = ssl.create_default_context({ cafile: certs!.P("ca.pem") });
  } else {
    using l = create_server(["127.0.0.1", 0]);
    listening!((l.getsockname() as [string, number])[1]);
    [raw] = await l.accept();
    ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(certs!.P("server.pem"), certs!.P("server.key"));
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
async function run_row(r: Row, who: "cpython" | "pysocket"): Promise<{ ops: string[]; peer: string }> {
  const steps = JSON.stringify(r.steps);
  if (r.role === "client") {
    const peer = await python_server(PEER, certs!.dir, "client", "1.5");
    try {
      let ops: string[];
      if (who === "cpython") {
        const c = await python(ACTOR, certs!.dir, "client", peer.first, steps);
        assert.equal(c.code, 0, c.err);
        ops = JSON.parse(c.out.trim().split("\n").at(-1)!);
      } else ops = await ours(r, Number(peer.first));
      return { ops, peer: (await peer.rest()).out.trim() };
    } finally {
      peer.kill();
    }
  }
  // The actor serves: the peer connects to the port it prints.
  const child = new Deno.Command("python3", {
    args: ["-u", "-c", PEER, certs!.dir, "server", "1.5"],
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
    const a = await python_server(ACTOR, certs!.dir, "server", "-", steps);
    tell(Number(a.first));
    const ra = await a.rest();
    assert.equal(ra.code, 0, ra.err);
    ops = JSON.parse(ra.out.trim().split("\n").at(-1)!);
  } else ops = await ours(r, null, tell);
  const o = await child.output();
  return { ops, peer: new TextDecoder().decode(o.stdout).trim() };
}

async function compare(rows: Row[]): Promise<void> {
  const got = await Promise.all(
    rows.map(async (r) => [r, await run_row(r, "cpython"), await run_row(r, "pysocket")] as const),
  );
  for (const [r, py, ts] of got) {
    if (r.finding) {
      console.log(`${r.finding} ${r.id}\n  CPython:  ${JSON.stringify(py)}\n  pysocket: ${JSON.stringify(ts)}`);
    }
  }
  for (const [r, py, ts] of got) assert.deepEqual(ts, py, r.id);
}

// A30-6 (fixed: SSLSocket._file_read_error maps every file read error as the socket's recv does): a makefile() read
// on a timed SSLSocket that timed out raised TimeoutError 'timed out'; CPython's 'The read operation timed out'.
test("adv30: the implicit handshake of recv/send/sendall and makefile reads with changing timeouts, a timed-out wrap closes, as CPython's", async () => {
  await compare(ROWS);
});
