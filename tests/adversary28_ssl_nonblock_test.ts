// adv28 (A28-4, A28-5): a non-blocking and timed TLS client driven as CPython programs drive one (select() around
// do_handshake(), recv(), makefile reads), against a python3 server that writes its records by hand (ssl.MemoryBIO):
// a 100-byte record sent 30 bytes first and the rest 1 s later (a recv that times out mid-record, then a retry),
// then two small records ("B\n", "CCCCCCCCCC\n") that arrive while the client is not reading, then a FIN without
// close_notify. The client's ops (settimeout() changed between calls, pending(), recv(0), recv_into with nbytes,
// makefile("rb") reads on a non-blocking socket) run with CPython, then with pysocket, and are compared op by op.
//
// A28-4 (fixed: _makefile.ts asks the socket, SSLSocket._file_read_error): a makefile("rb") read (read(n),
// readline()) on a non-blocking SSLSocket with nothing to read raised BlockingIOError (errno 11) where CPython raises
// SSLWantReadError (errno 2, "The operation did not complete (read) (_ssl.c:2580)"); a CPython program's
// `except ssl.SSLWantReadError` around file reads missed it. (The socket's own recv raised SSLWantReadError already.)
// A28-5 (fixed: ssl.ts SSLSocket.pending, _duplex.ts chunk_reads): pending() counted decrypted bytes of records that
// arrived after the last read (13 for the two small records), where CPython's (OpenSSL's SSL_pending) counts only
// what is left of the record being read (0 here). A read now returns one record's plaintext at most, as SSL_read,
// and pending() counts what is left of that record.
// (A recv or send right after the wrap is not compared: pysocket's handshake runs in the background from the wrap,
// so whether it raises SSLWantReadError or goes through depends on the peer's speed; CPython's waits for a call.)

import assert from "node:assert/strict";
import { create_connection } from "../mod.ts";
import { select } from "../selectors.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");
const certs = missing("python3", "openssl") ? undefined : await make_certs();

/** The server: records written by hand with MemoryBIO, cut and timed as the header says. */
const SERVER = `
import socket, ssl, sys, time
d = sys.argv[1]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
raw, _ = srv.accept(); raw.settimeout(10)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_side=True)
while True:
    try: o.do_handshake(); break
    except ssl.SSLWantReadError:
        if out.pending: raw.sendall(out.read())
        inc.write(raw.recv(65536))
if out.pending: raw.sendall(out.read())
raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
time.sleep(0.3)
o.write(b"A" * 100); rec = out.read()
raw.sendall(rec[:30]); time.sleep(1.0); raw.sendall(rec[30:])
time.sleep(0.5)
o.write(b"B\\n"); o.write(b"C" * 10 + b"\\n"); raw.sendall(out.read())
time.sleep(2)
raw.close()
`;

/** CPython's client: each op's result as "<name> <repr>" or "<name> <class> <errno> <str>" (ValueError as RangeError). */
const CLIENT = `
import select, socket, ssl, sys, time
d, port = sys.argv[1], int(sys.argv[2])
def ex(e):
    n = "RangeError" if type(e) is ValueError else type(e).__name__
    return f"{n} {getattr(e, 'errno', None)} {e}"
out = []
def t(name, fn):
    try: r = fn(); out.append(f"{name} {r!r}")
    except Exception as e: out.append(f"{name} {ex(e)}")
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
raw = socket.create_connection(("127.0.0.1", port), timeout=5); raw.setblocking(False)
s = ctx.wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
for i in range(1000):
    try: s.do_handshake(); out.append("hs ok"); break
    except ssl.SSLWantReadError: select.select([s], [], [], 5)
    except ssl.SSLWantWriteError: select.select([], [s], [], 5)
time.sleep(0.5)
s.settimeout(0.3)
t("recv_timed_mid_record", lambda: s.recv(100))
t("pending", lambda: s.pending())
s.settimeout(0)
t("recv_nb", lambda: s.recv(100))
f = s.makefile("rb")
t("file_read_nb", lambda: f.read(10))
t("file_readline_nb", lambda: f.readline())
s.settimeout(5)
t("recv60", lambda: len(s.recv(60)))
t("pending", lambda: s.pending())
b = bytearray(20)
t("recv_into_nbytes", lambda: s.recv_into(b, 5))
t("recv_into_too_many", lambda: s.recv_into(bytearray(5), 10))
t("recv0", lambda: s.recv(0))
t("recv_negative", lambda: s.recv(-1))
t("recv_rest", lambda: len(s.recv(100)))
time.sleep(0.8)
t("pending_after_records", lambda: s.pending())
s.settimeout(0)
f2 = s.makefile("rb")
t("file_readline_nb", lambda: f2.readline())
t("file_readline_nb", lambda: f2.readline())
t("file_readline_empty_nb", lambda: f2.readline())
t("file_read_empty_nb", lambda: f2.read(5))
s.settimeout(5)
t("recv_eof", lambda: s.recv(10))
s.close()
for l in out: print(l)
`;

/** The ops that show a finding (by name), and which. */
const FINDINGS: Record<string, string> = {}; // (A28-5's pending_after_records, fixed: compared with the rest)

function ex(e: unknown): string {
  const x = e as { errno?: unknown; message?: string; name?: string };
  return `${x.name} ${x.errno ?? "None"} ${x.message}`;
}

function repr(v: unknown): string {
  if (!(v instanceof Uint8Array)) return String(v);
  let s = "";
  for (const c of v) s += c === 10 ? "\\n" : String.fromCharCode(c);
  return `b'${s}'`;
}

async function ours(port: number): Promise<string[]> {
  const out: string[] = [];
  const t = async (name: string, fn: () => unknown) => {
    try {
      out.push(`${name} ${repr(await fn())}`);
    } catch (e) {
      out.push(`${name} ${ex(e)}`);
    }
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const ctx = ssl.create_default_context({ cafile: certs!.P("ca.pem") });
  const raw = await create_connection(["127.0.0.1", port], 5);
  raw.setblocking(false);
  const s = await ctx.wrap_socket(raw, { server_hostname: "localhost", do_handshake_on_connect: false });
  try {
    for (let i = 0; i < 1000; i++) {
      try {
        await s.do_handshake();
        out.push("hs ok");
        break;
      } catch (e) {
        if (e instanceof ssl.SSLWantReadError) await select([s], [], [], 5);
        else if (e instanceof ssl.SSLWantWriteError) await select([], [s], [], 5);
        else throw e;
      }
    }
    await sleep(500);
    s.settimeout(0.3);
    await t("recv_timed_mid_record", () => s.recv(100));
    await t("pending", () => s.pending());
    s.settimeout(0);
    await t("recv_nb", () => s.recv(100));
    const f = s.makefile("rb");
    await t("file_read_nb", () => f.read(10));
    await t("file_readline_nb", () => f.readline());
    s.settimeout(5);
    await t("recv60", async () => (await s.recv(60)).length);
    await t("pending", () => s.pending());
    const b = new Uint8Array(20);
    await t("recv_into_nbytes", () => s.recv_into(b, 5));
    await t("recv_into_too_many", () => s.recv_into(new Uint8Array(5), 10));
    await t("recv0", () => s.recv(0));
    await t("recv_negative", () => s.recv(-1));
    await t("recv_rest", async () => (await s.recv(100)).length);
    await sleep(800);
    await t("pending_after_records", () => s.pending());
    s.settimeout(0);
    const f2 = s.makefile("rb");
    await t("file_readline_nb", () => f2.readline());
    await t("file_readline_nb", () => f2.readline());
    await t("file_readline_empty_nb", () => f2.readline());
    await t("file_read_empty_nb", () => f2.read(5));
    s.settimeout(5);
    await t("recv_eof", () => s.recv(10));
  } finally {
    s.close();
  }
  return out;
}

/** Both runs, op by op: [key, CPython's, pysocket's]; the first file_readline_nb is keyed apart (it has no data). */
async function both(): Promise<[string, string, string][]> {
  const a = await python_server(SERVER, certs!.dir);
  const c = await python(CLIENT, certs!.dir, a.first);
  a.kill();
  await a.rest();
  assert.equal(c.code, 0, c.err);
  const b = await python_server(SERVER, certs!.dir);
  let mine: string[];
  try {
    mine = await ours(Number(b.first));
  } finally {
    b.kill();
    await b.rest();
  }
  const py = c.out.trim().split("\n");
  assert.equal(mine.length, py.length, `ops: ${JSON.stringify(mine)} / ${JSON.stringify(py)}`);
  let first = true;
  return py.map((p, i) => {
    let key = p.split(" ")[0]!;
    if (key === "file_readline_nb" && first) {
      first = false;
      key = "file_readline_nb_first";
    }
    return [key, p, mine[i]!];
  });
}

test("adv28: a non-blocking and timed TLS client driven by select(), pending() after two records included (A28-5), as CPython's", async () => {
  const rows = await both();
  for (const [key, py, ts] of rows) if (!FINDINGS[key]) assert.equal(ts, py, key);
  for (const [key, py, ts] of rows) {
    if (FINDINGS[key]) console.log(`${FINDINGS[key]}: ignored op ${key}\n  CPython:  ${py}\n  pysocket: ${ts}`);
  }
});
