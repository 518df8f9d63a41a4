// adv30: the siblings of A28-2/A28-3 (fixed: _tls.ts TlsTransport.read/fatal, ssl.ts check_peer_open): what an
// SSLSocket does after a fatal TLS error of an established session, beside CPython 3.11, for the calls adv28 did not
// try: recv_into, makefile read/readinto/readline (binary and text), sendall, sendfile, makefile write, select() and
// poll() readiness, shutdown(), a send before the program read the error, a non-blocking socket. A python3 TLS peer
// (TLS 1.2 or 1.3) sends "hello", then on the raw connection a 32-byte application-data record of garbage (bad MAC)
// or a plaintext fatal alert record, keeps the connection 1.5 s, then closes without close_notify. The client
// (CPython, then pysocket) reads "hello" and runs a sequence of ops; the results (or class, errno, str) are compared.
// The server side: a pysocket (or CPython) TLS server whose python3 client sends the same garbage.

import assert from "node:assert/strict";
import { create_connection, create_server, SHUT_RDWR } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { poll, POLLIN, POLLOUT, select } from "../selectors.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { beside_fatal_server, ex, type FatalRow, repr } from "./_ssl_hostile.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();
const FILE = certs ? `${certs.dir}/payload.bin` : "";
if (certs) Deno.writeFileSync(FILE, new Uint8Array(1000).fill(65));

// The hostile peer is FATAL_SERVER (tests/_ssl_hostile.ts), with kinds garbage and alert.

/** The ops, as CPython runs them (shared by the client rows and the server rows). */
const PY_OPS = `
import select, socket, ssl, time
def ex(e): return f"{type(e).__name__} {getattr(e, 'errno', None)} {e}"
def run_ops(s, ops, path):
    out = []
    f = s.makefile("rb"); t = s.makefile("r", encoding="latin-1"); w = s.makefile("wb")
    t0 = time.monotonic()
    for op in ops:
        try:
            if op == "wait": time.sleep(max(0, 0.6 - (time.monotonic() - t0))); continue
            elif op == "wait_close": time.sleep(max(0, 2.4 - (time.monotonic() - t0))); continue
            elif op == "recv": v = s.recv(100)
            elif op == "recv_into":
                b = bytearray(100); n = s.recv_into(b); v = bytes(b[:n])
            elif op == "read": v = f.read(100)
            elif op == "read_all": v = f.read()
            elif op == "readinto":
                b = bytearray(100); n = f.readinto(b); v = bytes(b[:n])
            elif op == "readline": v = f.readline()
            elif op == "readline_t": v = t.readline()
            elif op == "send": v = s.send(b"x")
            elif op == "sendall": v = s.sendall(b"x" * 100)
            elif op == "sendfile":
                with open(path, "rb") as fh: v = s.sendfile(fh)
            elif op == "write":
                v = w.write(b"xyz"); w.flush()
            elif op == "select":
                r, wr, _ = select.select([s], [s], [], 0); v = [len(r), len(wr)]
            elif op == "poll":
                p = select.poll(); p.register(s, select.POLLIN | select.POLLOUT); v = [e for _, e in p.poll(0)]
            elif op == "shutdown": v = s.shutdown(socket.SHUT_RDWR)
            elif op == "nonblock": s.setblocking(False); continue
            elif op == "blocking": s.settimeout(5); continue
            elif op == "pending": v = s.pending()
            out.append(f"{op} {v!r}")
        except Exception as e:
            out.append(f"{op} {ex(e)}")
    return out
`;

/** CPython's client: every row at once, one thread each (argv: certs dir, JSON rows, JSON ports, file). */
const CLIENT = PY_OPS + `
import json, sys, threading
d, rows, ports, path = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
res = {}
def row(r):
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", ports[r["id"]]), timeout=5),
                        server_hostname="localhost", suppress_ragged_eofs=r["suppress"])
    res[r["id"]] = [f"first {s.recv(5)!r}"] + run_ops(s, r["ops"], path)
    s.close()
ts = [threading.Thread(target=row, args=(r,)) for r in rows]
for t in ts: t.start()
for t in ts: t.join(20)
print(json.dumps(res))
`;

type Row = FatalRow & { kind: "garbage" | "alert" };

const SEQS: Record<string, string[]> = {
  recv_into: ["wait", "recv_into", "recv_into", "recv_into", "wait_close", "recv_into"],
  file_read: ["wait", "read", "read", "readinto", "wait_close", "read_all", "readline"],
  file_text: ["wait", "readline_t", "readline_t", "wait_close", "readline_t"],
  sends: ["wait", "recv", "sendall", "sendfile", "write", "wait_close", "sendall"],
  send_first: ["wait", "send", "sendall", "recv", "send"],
  looks: ["wait", "select", "recv", "select", "poll", "wait_close", "select", "poll"],
  shutdown: ["wait", "recv", "shutdown", "recv", "send"],
  nonblock: ["nonblock", "recv", "wait", "recv", "recv", "read", "blocking", "recv"],
};

const ROWS: Row[] = [];
for (const kind of ["garbage", "alert"] as const) {
  for (const ver of ["1.2", "1.3"] as const) {
    for (const suppress of [true, false]) {
      for (const [name, ops] of Object.entries(SEQS)) {
        ROWS.push({ id: `${kind}/${ver}/${suppress ? "suppress" : "strict"}/${name}`, kind, ver, suppress, ops });
      }
    }
  }
}

/** pysocket's ops: the same as PY_OPS. */
async function run_ops(s: ssl.SSLSocket, ops: string[]): Promise<string[]> {
  const out: string[] = [];
  const f = s.makefile("rb");
  const t = s.makefile("r", { encoding: "latin-1" });
  const w = s.makefile("wb");
  const t0 = Date.now();
  const sleep = (until: number) => new Promise((res) => setTimeout(res, Math.max(0, until - (Date.now() - t0))));
  for (const op of ops) {
    try {
      let v: unknown;
      if (op === "wait") {
        await sleep(600);
        continue;
      } else if (op === "wait_close") {
        await sleep(2400);
        continue;
      } else if (op === "recv") v = await s.recv(100);
      else if (op === "recv_into") {
        const b = new Uint8Array(100);
        const n = await s.recv_into(b);
        v = b.subarray(0, n);
      } else if (op === "read") v = await f.read(100);
      else if (op === "read_all") v = await f.read();
      else if (op === "readinto") {
        const b = new Uint8Array(100);
        const n = await f.readinto(b);
        v = b.subarray(0, n ?? 0);
      } else if (op === "readline") v = await f.readline();
      else if (op === "readline_t") v = await t.readline();
      else if (op === "send") v = await s.send(new Uint8Array([120]));
      else if (op === "sendall") v = await s.sendall(new Uint8Array(100).fill(120));
      else if (op === "sendfile") {
        using fh = await Deno.open(FILE);
        v = await s.sendfile(fh);
      } else if (op === "write") {
        v = await w.write(new TextEncoder().encode("xyz"));
        await w.flush();
      } else if (op === "select") {
        const [r, wr] = await select([s], [s], [], 0);
        v = [r.length, wr.length];
      } else if (op === "poll") {
        const p = poll();
        p.register(s, POLLIN | POLLOUT);
        v = (await p.poll(0)).map(([, e]) => e);
      } else if (op === "shutdown") v = await s.shutdown(SHUT_RDWR);
      else if (op === "nonblock") {
        s.setblocking(false);
        continue;
      } else if (op === "blocking") {
        s.settimeout(5);
        continue;
      } else if (op === "pending") v = s.pending();
      out.push(`${op} ${repr(v)}`);
    } catch (e) {
      out.push(`${op} ${ex(e)}`);
    }
  }
  return out;
}

async function ours(r: Row, port: number): Promise<string[]> {
  const ctx = ssl.create_default_context({ cafile: certs!.P("ca.pem") });
  const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 5), {
    server_hostname: "localhost",
    suppress_ragged_eofs: r.suppress,
  });
  try {
    return [`first ${repr(await s.recv(5))}`, ...await run_ops(s, r.ops)];
  } finally {
    s.close();
  }
}

/** Every row against one hostile server: CPython's client and pysocket's, each row's ops by id. */
const run_clients = (rows: Row[]) => beside_fatal_server(certs!, CLIENT, rows, ours, FILE);

/** Print every row that differs (with CPython's and pysocket's ops) and return their ids. */
function differing(py: Record<string, string[]>, ts: Record<string, string[]>, ids: string[]): string[] {
  const bad: string[] = [];
  for (const id of ids) {
    if (JSON.stringify(py[id]) === JSON.stringify(ts[id])) continue;
    bad.push(id);
    console.log(`${id}\n  CPython:  ${JSON.stringify(py[id])}\n  pysocket: ${JSON.stringify(ts[id])}`);
  }
  return bad;
}

/** The hostile client (argv: certs dir, JSON [[port, kind, ver], ...]): wraps, then sends garbage on the raw socket. */
const HOSTILE = `
import json, os, socket, ssl, sys, threading, time
d, jobs = sys.argv[1], json.loads(sys.argv[2])
def one(port, kind, ver):
    try:
        ctx = ssl.create_default_context(cafile=d + "/ca.pem")
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2 if ver == "1.2" else ssl.TLSVersion.TLSv1_3
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost")
        x = socket.socket(fileno=os.dup(s.fileno()))
        s.sendall(b"hello"); time.sleep(0.3)
        if kind == "garbage": x.sendall(b"\\x17\\x03\\x03\\x00\\x20" + b"A" * 32)
        else: x.sendall(b"\\x15\\x03\\x03\\x00\\x02\\x02\\x28")
        time.sleep(1.5)
        x.close(); s.close()
    except OSError:
        pass
ts = [threading.Thread(target=one, args=tuple(j)) for j in jobs]
for t in ts: t.start()
for t in ts: t.join(20)
`;

/** CPython's server actor: one listener per row, prints the ports, serves one client each (argv: dir, rows, file). */
const PY_SERVER = PY_OPS + `
import json, sys, threading
d, rows, path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
res = {}
ls = {r["id"]: socket.create_server(("127.0.0.1", 0)) for r in rows}
print(json.dumps({k: l.getsockname()[1] for k, l in ls.items()}), flush=True)
def row(r):
    raw, _ = ls[r["id"]].accept(); raw.settimeout(5)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    s = ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=r["suppress"])
    res[r["id"]] = [f"first {s.recv(5)!r}"] + run_ops(s, r["ops"], path)
    s.close()
ts = [threading.Thread(target=row, args=(r,)) for r in rows]
for t in ts: t.start()
for t in ts: t.join(20)
print(json.dumps(res))
`;

async function our_server(r: Row, l: ReturnType<typeof create_server>): Promise<string[]> {
  const [raw] = await l.accept();
  raw.settimeout(5);
  l.close();
  const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(certs!.P("server.pem"), certs!.P("server.key"));
  const s = await ctx.wrap_socket(raw, { server_side: true, suppress_ragged_eofs: r.suppress });
  try {
    return [`first ${repr(await s.recv(5))}`, ...await run_ops(s, r.ops)];
  } finally {
    s.close();
  }
}

async function run_servers(rows: Row[]): Promise<{ py: Record<string, string[]>; ts: Record<string, string[]> }> {
  const spec = JSON.stringify(rows);
  const a = await python_server(PY_SERVER, certs!.dir, spec, FILE);
  const ports = JSON.parse(a.first) as Record<string, number>;
  const ls = rows.map(() => create_server(["127.0.0.1", 0]));
  const jobs = rows.flatMap((r, i) => [
    [ports[r.id], r.kind, r.ver],
    [(ls[i]!.getsockname() as [string, number])[1], r.kind, r.ver],
  ]);
  const [h, ra, mine] = await Promise.all([
    python(HOSTILE, certs!.dir, JSON.stringify(jobs)),
    a.rest(),
    Promise.all(rows.map((r, i) => our_server(r, ls[i]!))),
  ]);
  assert.equal(h.code, 0, h.err);
  assert.equal(ra.code, 0, ra.err);
  const py = JSON.parse(ra.out.trim().split("\n").at(-1)!) as Record<string, string[]>;
  return { py, ts: Object.fromEntries(rows.map((r, i) => [r.id, mine[i]!])) };
}

/** Which sequences show a finding (the others agree with CPython). */
// Fixed: A30-1 (sendfile() after a fatal TLS error raised BrokenPipeError; CPython SSLEOFError as send/sendall), A30-2
// (a makefile() read that met the fatal error raised it without CPython's ' (_ssl.c:2580)'), rows sends, file_read,
// file_text. The others are documented in docs/limits.md.
const FINDINGS: Record<string, string> = {
  send_first:
    "A30-3 (documented): send()/sendall() after the bad record arrived but before a read met it raise SSLEOFError; CPython's succeed (OpenSSL has not read the record yet)",
  looks:
    "A30-4 (documented): after the fatal TLS error the connection is still up: CPython's select() sees it not readable and poll() POLLOUT (4, or 5 with bytes of the bad record left); pysocket reports readable and POLLIN|POLLOUT|POLLHUP (21), with POLLERR (29) under suppress_ragged_eofs=False",
  shutdown:
    "A30-5 (documented): shutdown(SHUT_RDWR) after the fatal TLS error raises OSError ENOTCONN (107); CPython's returns None (the TCP connection is up; its SSLSocket drops the SSL object and reads/writes the raw socket after)",
};

const AGREE = ROWS.filter((r) => !(r.id.split("/")[3]! in FINDINGS));

test("adv30: client and server recv_into, sendfile, makefile reads and non-blocking recv/read after a fatal TLS error, as CPython's (A30-1, A30-2 fixed)", async () => {
  const c = await run_clients(AGREE);
  const sv = await run_servers(AGREE.filter((r) => /\/(recv_into|sends|file_read|file_text)$/.test(r.id)));
  assert.deepEqual(differing(c.py, c.ts, AGREE.map((r) => r.id)), []);
  assert.deepEqual(differing(sv.py, sv.ts, Object.keys(sv.py)), []);
});

for (const [seq, finding] of Object.entries(FINDINGS)) {
  test(
    { name: `adv30 ${finding} (client and server side)`, ignore: Deno.env.get("ADV30_RUN_IGNORED") !== "1" },
    async () => {
      const rows = ROWS.filter((r) => r.id.endsWith(`/${seq}`));
      const c = await run_clients(rows);
      const sv = await run_servers(seq === "send_first" || seq === "shutdown" ? [] : rows);
      const bad = [...differing(c.py, c.ts, rows.map((r) => r.id)), ...differing(sv.py, sv.ts, Object.keys(sv.py))];
      assert.deepEqual(bad, []);
    },
  );
}

// Print each finding's reason with the rows that show it (the tests above are ignored until fixed).
test("adv30: the fatal-error findings, printed", () => {
  for (const f of Object.values(FINDINGS)) console.log(`ignored: ${f}`);
});
