// adv28 (A28-2, A28-3): what an SSLSocket reads and sends after the peer broke the record layer mid-stream, beside
// CPython 3.11. A python3 TLS server (TLS 1.2 or 1.3) sends "hello", then on the raw connection one of: a 32-byte
// application-data record of garbage (bad MAC), a plaintext fatal alert record (bad record type after the
// handshake), or a record cut short followed by a FIN (a truncation); it keeps the connection open 1.5 s more, then
// closes without close_notify. The client (CPython, then pysocket) reads "hello", then runs a sequence of reads or
// sends, with suppress_ragged_eofs True and False. Each op's result or exception (class, errno, str) is compared.
//
// A28-2 (fixed: _tls.ts TlsTransport.read): after a fatal record error (bad MAC, bad record type) on a socket with
// suppress_ragged_eofs=False, every later read (recv, makefile readline), while the peer is still connected and
// after its FIN, returns b'' (a clean EOF); CPython raises SSLEOFError from each ("EOF occurred in violation of
// protocol"). A program that counts on suppress_ragged_eofs=False to tell a truncated stream from a complete one
// takes the broken stream as complete. Suspected: the TLS stream ended by the engine's error is taken for the
// peer's close_notify (TlsTransport.on_end sets close_notify when the TLS stream ends before the plain EOF), so
// TlsTransport.read never raises ragged_error() for it.
// A28-3 (fixed: ssl.ts check_peer_open): a send after such an error, the peer still connected, raises BrokenPipeError
// (errno 32) where CPython raises SSLEOFError (errno 8, "EOF occurred in violation of protocol (_ssl.c:2427)").
// Nothing was reset: the EPIPE is the destroyed TLS engine's, not the connection's.

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();

/** The hostile server: one listener per row (argv: certs dir, JSON rows), two connections each (CPython, pysocket). */
const SERVER = `
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

/** CPython's client: every row at once, one thread each (argv: certs dir, JSON rows, JSON ports). */
const CLIENT = `
import json, socket, ssl, sys, threading, time
d, rows, ports = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
res = {}
def ex(e): return f"{type(e).__name__} {getattr(e, 'errno', None)} {e}"
def row(r):
    out = []
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", ports[r["id"]]), timeout=5),
                        server_hostname="localhost", suppress_ragged_eofs=r["suppress"])
    f = s.makefile("rb")
    t0 = time.monotonic()
    for op in ["first"] + r["ops"]:
        try:
            if op == "first": v = s.recv(5)
            elif op == "wait": time.sleep(max(0, 0.6 - (time.monotonic() - t0))); continue
            elif op == "wait_close": time.sleep(max(0, 2.4 - (time.monotonic() - t0))); continue
            elif op == "recv": v = s.recv(100)
            elif op == "pending": v = s.pending()
            elif op == "readline": v = f.readline()
            else: v = s.send(b"x")
            out.append(f"{op} {v!r}")
        except Exception as e:
            out.append(f"{op} {ex(e)}")
    s.close()
    res[r["id"]] = out
ts = [threading.Thread(target=row, args=(r,)) for r in rows]
for t in ts: t.start()
for t in ts: t.join(20)
print(json.dumps(res))
`;

interface Row {
  id: string;
  kind: "garbage" | "alert" | "trunc";
  ver: "1.2" | "1.3";
  suppress: boolean;
  ops: string[];
}

const READS = ["wait", "recv", "recv", "pending", "readline", "wait_close", "recv", "recv"];
const SENDS = ["wait", "recv", "send", "wait_close", "send"];

const ROWS: Row[] = [];
for (const kind of ["garbage", "alert", "trunc"] as const) {
  for (const ver of ["1.2", "1.3"] as const) {
    for (const suppress of [true, false]) {
      for (const [name, ops] of [["reads", READS], ["sends", SENDS]] as const) {
        ROWS.push({ id: `${kind}/${ver}/${suppress ? "suppress" : "strict"}/${name}`, kind, ver, suppress, ops });
      }
    }
  }
}

function ex(e: unknown): string {
  const x = e as { errno?: unknown; message?: string; name?: string };
  return `${x.name} ${x.errno ?? "None"} ${x.message}`;
}

/** Python's repr() of what the op returned (bytes or an int). */
function repr(v: unknown): string {
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

async function ours(r: Row, port: number): Promise<string[]> {
  const out: string[] = [];
  const ctx = ssl.create_default_context({ cafile: certs!.P("ca.pem") });
  const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 5), {
    server_hostname: "localhost",
    suppress_ragged_eofs: r.suppress,
  });
  const f = s.makefile("rb");
  const t0 = Date.now();
  const sleep = (until: number) => new Promise((res) => setTimeout(res, Math.max(0, until - (Date.now() - t0))));
  try {
    for (const op of ["first", ...r.ops]) {
      try {
        let v: unknown;
        if (op === "first") v = await s.recv(5);
        else if (op === "wait") {
          await sleep(600);
          continue;
        } else if (op === "wait_close") {
          await sleep(2400);
          continue;
        } else if (op === "recv") v = await s.recv(100);
        else if (op === "pending") v = s.pending();
        else if (op === "readline") v = await f.readline();
        else v = await s.send(new Uint8Array([120]));
        out.push(`${op} ${repr(v)}`);
      } catch (e) {
        out.push(`${op} ${ex(e)}`);
      }
    }
  } finally {
    s.close();
  }
  return out;
}

async function run(rows: Row[]): Promise<{ py: Record<string, string[]>; ts: Record<string, string[]> }> {
  const spec = JSON.stringify(rows);
  const srv = await python_server(SERVER, certs!.dir, spec);
  try {
    const ports = JSON.parse(srv.first) as Record<string, number>;
    const [c, mine] = await Promise.all([
      python(CLIENT, certs!.dir, spec, srv.first),
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

test(
  "adv28: reads and sends after a fatal record error or a truncation, as CPython's (A28-2, fixed: strict reads " +
    "raised nothing, as after close_notify; A28-3, fixed: sends raised BrokenPipeError)",
  async () => {
    const { py, ts } = await run(ROWS);
    for (const r of ROWS) assert.deepEqual(ts[r.id], py[r.id], r.id);
  },
);
