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
import { make_certs } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { beside_fatal_server, ex, type FatalRow as Row, repr } from "./_ssl_hostile.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();

// The hostile server is FATAL_SERVER (tests/_ssl_hostile.ts).

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

/** Every row against one hostile server: CPython's client and pysocket's, each row's ops by id. */
const run = (rows: Row[]) => beside_fatal_server(certs!, CLIENT, rows, ours);

test(
  "adv28: reads and sends after a fatal record error or a truncation, as CPython's (A28-2, fixed: strict reads " +
    "raised nothing, as after close_notify; A28-3, fixed: sends raised BrokenPipeError)",
  async () => {
    const { py, ts } = await run(ROWS);
    for (const r of ROWS) assert.deepEqual(ts[r.id], py[r.id], r.id);
  },
);
