// F16-1: good TLS records and a bad one that arrive in one burst (one read of the connection), beside CPython 3.11.
// A python3 peer (TLS 1.2 or 1.3) sends plaintext over TLS, then at once, on the raw connection, a record that
// breaks the session: garbage (a bad MAC), a plaintext fatal alert, or a record cut short and a FIN; or it sends its
// close_notify; or more plaintext after the garbage. The reader (CPython, then pysocket) sleeps 0.5 s, so the whole
// burst is queued before its first read, then reads.
//
// Before the fix (_tls.ts CipherDuplex.#cut) Deno's TLS engine, handed the good records and the garbage in one
// slice, dropped the good records' plaintext: recv(5) raised the record error where CPython returns b'hello' first.
// Both ends are checked: pysocket as the client of a hostile server, and as the server of a hostile client.
// With it (A28-5): a read returns one record's plaintext at most, and pending() counts what is left of the record
// the program began (0 for records read ahead by a select()), as OpenSSL's SSL_read and SSL_pending.

import assert from "node:assert/strict";
import { create_connection, create_server, type Socket } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { select } from "../selectors.ts";
import { type Certs, make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { ex, repr } from "./_ssl_hostile.ts";

const test = test_needing("python3", "openssl");
const certs: Certs | undefined = missing("python3", "openssl") ? undefined : await make_certs();

type Kind = "g1" | "g3" | "mid" | "alert" | "notify" | "trunc" | "three";
interface Row {
  id: string;
  kind: Kind;
  ver: "1.2" | "1.3";
  suppress: boolean;
  ops: string[];
}

/** What the hostile peer does once the handshake is done (python3; `s` the SSLSocket, `x` a dup of its socket). */
const HOSTILE = `
import json, os, select, socket, ssl, sys, threading, time
GARB = b"\\x17\\x03\\x03\\x00\\x20" + b"A" * 32
def hostile(s, kind):
    x = socket.socket(fileno=os.dup(s.fileno()))
    if kind == "g1": s.sendall(b"hello"); x.sendall(GARB)
    elif kind == "g3": s.send(b"aa"); s.send(b"bb"); s.send(b"cc"); x.sendall(GARB)
    elif kind == "mid": s.sendall(b"hello"); x.sendall(GARB); s.sendall(b"more")
    elif kind == "three": s.send(b"aa"); s.send(b"bbb"); s.send(b"cccc")
    elif kind == "alert": s.sendall(b"hello"); x.sendall(b"\\x15\\x03\\x03\\x00\\x02\\x02\\x28")
    elif kind == "notify":
        s.sendall(b"hello"); s.setblocking(False)
        try: s.unwrap()
        except (ssl.SSLWantReadError, OSError): pass
    else: s.sendall(b"hello"); x.sendall(GARB[:15]); x.shutdown(socket.SHUT_WR)
    time.sleep(1.5)
    x.close()
def ctx_for(d, server, ver):
    if server:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.load_cert_chain(d + "/server.pem", d + "/server.key")
    else:
        c = ssl.create_default_context(cafile=d + "/ca.pem")
    c.maximum_version = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
    return c
def ex(e): return f"{type(e).__name__} {getattr(e, 'errno', None)} {e}"
def run_all(rows, row):
    # Every row at once, a thread each; prints each row's results by id.
    res = {}
    def one(r):
        s = row(r)
        try: res[r["id"]] = act(s, r)
        finally: s.close()
    ts = [threading.Thread(target=one, args=(r,)) for r in rows]
    for t in ts: t.start()
    for t in ts: t.join(20)
    print(json.dumps(res))
def act(s, r):
    # The reader's steps, after the burst is queued.
    time.sleep(0.5)
    f = s.makefile("rb")
    out = []
    for op in r["ops"]:
        name, _, n = op.partition(" ")
        try:
            if name == "recv": v = s.recv(int(n))
            elif name == "fread": v = f.read(int(n))
            elif name == "readline": v = f.readline()
            elif name == "select": v = len(select.select([s], [], [], 0)[0])
            else: v = s.pending()
            out.append(f"{op} {v!r}")
        except Exception as e:
            out.append(f"{op} {ex(e)}")
    return out
`;

/** The hostile server: one listener per row (argv: certs dir, rows), two connections each; prints the ports. */
const HOSTILE_SERVER = HOSTILE + `
d, rows = sys.argv[1], json.loads(sys.argv[2])
def one(raw, r):
    try:
        raw.settimeout(10)
        hostile(ctx_for(d, True, r["ver"]).wrap_socket(raw, server_side=True), r["kind"])
    except OSError:
        pass
    raw.close()
def serve(l, r):
    for _ in range(2):
        raw, _ = l.accept()
        threading.Thread(target=one, args=(raw, r), daemon=True).start()
ports = {}
for r in rows:
    l = socket.create_server(("127.0.0.1", 0)); ports[r["id"]] = l.getsockname()[1]
    threading.Thread(target=serve, args=(l, r), daemon=True).start()
print(json.dumps(ports), flush=True)
time.sleep(25)
`;

/** CPython's client of the hostile server (argv: certs dir, rows, ports): every row at once; prints results. */
const CPY_CLIENT = HOSTILE + `
d, rows, ports = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
def row(r):
    raw = socket.create_connection(("127.0.0.1", ports[r["id"]]), timeout=5)
    return ctx_for(d, False, r["ver"]).wrap_socket(raw, server_hostname="localhost", suppress_ragged_eofs=r["suppress"])
run_all(rows, row)
`;

/** CPython's server for the hostile client (argv: certs dir, rows): prints its ports, then the results. */
const CPY_SERVER = HOSTILE + `
d, rows = sys.argv[1], json.loads(sys.argv[2])
ls = {r["id"]: socket.create_server(("127.0.0.1", 0)) for r in rows}
print(json.dumps({k: l.getsockname()[1] for k, l in ls.items()}), flush=True)
def row(r):
    raw, _ = ls[r["id"]].accept(); raw.settimeout(5)
    return ctx_for(d, True, r["ver"]).wrap_socket(raw, server_side=True, suppress_ragged_eofs=r["suppress"])
run_all(rows, row)
`;

/** The hostile client (argv: certs dir, rows, then one JSON object of ports by row id per server to attack). */
const HOSTILE_CLIENT = HOSTILE + `
d, rows = sys.argv[1], json.loads(sys.argv[2])
def one(r, port):
    try:
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        hostile(ctx_for(d, False, r["ver"]).wrap_socket(raw, server_hostname="localhost"), r["kind"])
        raw.close()
    except OSError as e:
        print("hostile client:", ex(e), file=sys.stderr)
ts = [threading.Thread(target=one, args=(r, json.loads(p)[r["id"]])) for p in sys.argv[3:] for r in rows]
for t in ts: t.start()
for t in ts: t.join(20)
`;

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** pysocket's reader: the same steps as act() above. */
async function act(s: ssl.SSLSocket, r: Row): Promise<string[]> {
  await sleep(500);
  const f = s.makefile("rb");
  const out: string[] = [];
  for (const op of r.ops) {
    const [name, n] = op.split(" ");
    try {
      let v: unknown;
      if (name === "recv") v = await s.recv(Number(n));
      else if (name === "fread") v = await f.read(Number(n));
      else if (name === "readline") v = await f.readline();
      else if (name === "select") v = (await select([s], [], [], 0))[0].length;
      else v = s.pending();
      out.push(`${op} ${repr(v)}`);
    } catch (e) {
      out.push(`${op} ${ex(e)}`);
    }
  }
  return out;
}

function pin(ctx: ssl.SSLContext, ver: Row["ver"]): ssl.SSLContext {
  ctx.maximum_version = ver === "1.2" ? ssl.TLSVersion.TLSv1_2 : ssl.TLSVersion.TLSv1_3;
  return ctx;
}

const READ3 = ["recv 5", "recv 100", "recv 100"];
const ROWS: Row[] = [];
for (const ver of ["1.2", "1.3"] as const) {
  const add = (kind: Kind, name: string, ops: string[], suppress = true) =>
    ROWS.push({ id: `${kind}/${ver}/${name}${suppress ? "" : "/strict"}`, kind, ver, suppress, ops });
  add("g1", "recv", READ3);
  add("g1", "recv", READ3, false);
  add("g1", "fread", ["fread 5", "fread 5", "recv 100"]);
  add("g1", "pending", ["pending", "recv 5", "pending", "recv 5"]);
  add("g3", "recv2", ["recv 2", "recv 2", "recv 2", "recv 100", "recv 100"]);
  add("g3", "recv1", ["recv 1", "recv 3", "recv 2", "recv 100"]);
  add("mid", "recv", READ3);
  add("alert", "recv", READ3);
  add("notify", "recv", READ3);
  add("notify", "recv", READ3, false);
  add("trunc", "recv", READ3);
  add("trunc", "recv", READ3, false);
  // Good records only: a select() before each read (it reads ahead), pending() before and after a partial read.
  add("three", "select", [
    "select",
    "pending",
    "recv 1",
    "pending",
    "recv 100",
    "pending",
    "select",
    "pending",
    "recv 100",
    "select",
    "recv 2",
    "pending",
    // (No select() here: with the rest of a record decrypted and the connection drained, CPython's select() says
    // not readable and pysocket's readable, by design: docs/limits.md, "select() sees decrypted bytes".)
    "recv 100",
    "pending",
  ]);
}

/** The rows whose reader is a server: pysocket serves a hostile CPython client. */
const SERVER_ROWS = ROWS.filter((r) => r.ops[0] === "recv 5" || r.kind === "g3" || r.kind === "three");

test("F16-1: plaintext that came in one read with a bad record is read first, then the error, as CPython's client", async () => {
  const spec = JSON.stringify(ROWS);
  const srv = await python_server(HOSTILE_SERVER, certs!.dir, spec);
  try {
    const ports = JSON.parse(srv.first) as Record<string, number>;
    const ours = async (r: Row) => {
      const ctx = pin(ssl.create_default_context({ cafile: certs!.P("ca.pem") }), r.ver);
      const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", ports[r.id]!], 5), {
        server_hostname: "localhost",
        suppress_ragged_eofs: r.suppress,
      });
      try {
        return await act(s, r);
      } finally {
        s.close();
      }
    };
    const [c, mine] = await Promise.all([python(CPY_CLIENT, certs!.dir, spec, srv.first), Promise.all(ROWS.map(ours))]);
    assert.equal(c.code, 0, c.err);
    const py = JSON.parse(c.out.trim().split("\n").at(-1)!) as Record<string, string[]>;
    for (const [i, r] of ROWS.entries()) assert.deepEqual(mine[i], py[r.id], r.id);
  } finally {
    srv.kill();
    await srv.rest();
  }
});

test("F16-1: plaintext that came in one read with a bad record is read first, then the error, as CPython's server", async () => {
  const spec = JSON.stringify(SERVER_ROWS);
  const cpy = await python_server(CPY_SERVER, certs!.dir, spec);
  const listeners: Socket[] = [];
  try {
    const ours_ports: Record<string, number> = {};
    for (const r of SERVER_ROWS) {
      const l = create_server(["127.0.0.1", 0]);
      listeners.push(l);
      ours_ports[r.id] = (l.getsockname() as [string, number])[1];
    }
    const ours = async (r: Row, l: Socket) => {
      const ctx = pin(new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER), r.ver);
      ctx.load_cert_chain(certs!.P("server.pem"), certs!.P("server.key"));
      const [raw] = await l.accept();
      raw.settimeout(5);
      const s = await ctx.wrap_socket(raw, { server_side: true, suppress_ragged_eofs: r.suppress });
      try {
        return await act(s, r);
      } finally {
        s.close();
      }
    };
    const [h, mine] = await Promise.all([
      python(HOSTILE_CLIENT, certs!.dir, spec, cpy.first, JSON.stringify(ours_ports)),
      Promise.all(SERVER_ROWS.map((r, i) => ours(r, listeners[i]!))),
    ]);
    assert.equal(h.code, 0, h.err);
    const c = await cpy.rest();
    assert.equal(c.code, 0, c.err);
    const py = JSON.parse(c.out.trim().split("\n").at(-1)!) as Record<string, string[]>;
    for (const [i, r] of SERVER_ROWS.entries()) assert.deepEqual(mine[i], py[r.id], r.id);
  } finally {
    for (const l of listeners) l.close();
    cpy.kill();
  }
});
