// adv14b (A14b-4): after a truncation (the peer's FIN or reset without close_notify) with
// suppress_ragged_eofs=False, CPython 3.11 raises SSLEOFError from EVERY later read (recv, recv_into, read(),
// a makefile's readline), never b''; OpenSSL's queued UNEXPECTED_EOF_WHILE_READING names one of them (a client's
// FIN: the first; a server's, or a reset: the second), and a send after two such reads raises BAD_LENGTH. pysocket
// raised once, then read b'' / 0. Also SSLSocket.read()/write() (CPython's older names, missing before). Both
// sides, FIN and reset, blocking, timed and non-blocking (select() before each read), each beside CPython.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { create_connection } from "../connection.ts";
import { select } from "../selectors.ts";
import * as ssl from "../ssl.ts";
import { make_certs, truncating_peer } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { pooled } from "./_twin.ts";
import { Hub } from "./_hub.ts";

const test = test_needing("python3", "openssl");

/** The truncating peer: TLS up, "hello" sent, then the TCP connection ended without close_notify. */
const PEER = truncating_peer('b"hello"');
/** The same script reading ARGV (given to a thread of one python3 process) for sys.argv. */
const PEER_T = PEER.replaceAll("sys.argv", "ARGV");

const SEQS: Record<string, string[]> = {
  all: ["recv", "recv", "recv_into", "read", "read_buf", "readline", "pending", "send", "write", "recv"],
  send_after_one: ["recv", "recv", "send", "write", "recv", "send"],
};

/** CPython's side: the ops of a sequence, each result or error printed. */
const JUDGE = `
import json, queue, select, socket, ssl, sys, threading, time
ARGV = globals().get("ARGV", sys.argv)  # a thread of one python3 process (Hub) gives ARGV
d, role, end, mode, seq, peer = ARGV[1:7]
def start_peer(*args):
    """The peer (its script takes ARGV) as a thread of this process; its printed lines in .lines."""
    lines = queue.Queue()
    g = {"ARGV": ["peer", *args], "print": lambda *a, **k: lines.put(" ".join(map(str, a)))}
    t = threading.Thread(target=exec, args=(compile(peer, "peer", "exec"), g), daemon=True)
    t.lines = lines; t.start(); return t
if role == "server":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(d + "/server.pem", d + "/server.key")
    srv = socket.create_server(("127.0.0.1", 0))
    p = start_peer("client", d, end, str(srv.getsockname()[1]))
    raw, _ = srv.accept(); raw.settimeout(10)
    s = ctx.wrap_socket(raw, server_side=True, suppress_ragged_eofs=False)
else:
    p = start_peer("server", d, end, "-")
    port = int(p.lines.get(timeout=20))
    ctx = ssl.create_default_context(cafile=d + "/ca.pem")
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10), server_hostname="localhost", suppress_ragged_eofs=False)
# The truncation has arrived before the first read: the peer has ended (it closes 0.3 s after its "hello"), and
# at least 0.6 s have passed since the handshake.
t0 = time.monotonic()
p.join(20)
time.sleep(max(0, 0.6 - (time.monotonic() - t0)))
if mode == "timed": s.settimeout(5)
elif mode == "nonblock": s.setblocking(False)
else: s.settimeout(None)
f = s.makefile("rb")
def ex(e): return f"{type(e).__name__} {e.errno} {e}"
out = []
for op in json.loads(seq):
    try:
        if op in ("recv", "recv_into", "read", "read_buf", "readline") and mode == "nonblock":
            select.select([s], [], [], 5)
        if op == "recv": out.append(s.recv(100).decode())
        elif op == "recv_into":
            b = bytearray(100); n = s.recv_into(b); out.append(b[:n].decode())
        elif op == "read": out.append(s.read(100).decode())
        elif op == "read_buf":
            b = bytearray(100); n = s.read(0, b); out.append(b[:n].decode())
        elif op == "readline": out.append(f.readline().decode())
        elif op == "pending": out.append(str(s.pending()))
        elif op == "send": out.append(str(s.send(b"x")))
        else: out.append(str(s.write(b"x")))
    except Exception as e: out.append(ex(e))
p.join(20)
print(json.dumps(out))
`;

const dec = new TextDecoder();
const ex = (e: unknown) => `${(e as Error).constructor.name} ${(e as ssl.SSLError).errno} ${(e as Error).message}`;

async function ours(
  peers: Hub,
  dir: string,
  role: string,
  end: string,
  mode: string,
  seq: string[],
): Promise<string[]> {
  let s: ssl.SSLSocket;
  let peer: Promise<unknown>;
  if (role === "server") {
    using l = create_server(["127.0.0.1", 0]);
    peer = peers.run("client", dir, end, String((l.getsockname() as [string, number])[1])).end();
    const [raw] = await l.accept();
    raw.settimeout(10);
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
    s = await ctx.wrap_socket(raw, { server_side: true, suppress_ragged_eofs: false });
  } else {
    const srv = peers.run("server", dir, end, "-");
    const port = await srv.line();
    peer = srv.end();
    const ctx = ssl.create_default_context({ cafile: `${dir}/ca.pem` });
    s = await ctx.wrap_socket(await create_connection(["127.0.0.1", Number(port)], 10), {
      server_hostname: "localhost",
      suppress_ragged_eofs: false,
    });
  }
  // As the twin: the peer has ended (its truncation sent) and at least 0.6 s have passed since the handshake.
  await Promise.all([peer, new Promise((r) => setTimeout(r, 600))]);
  if (mode === "timed") s.settimeout(5);
  else if (mode === "nonblock") s.setblocking(false);
  else s.settimeout(null);
  const f = s.makefile("rb");
  const out: string[] = [];
  for (const op of seq) {
    try {
      if (["recv", "recv_into", "read", "read_buf", "readline"].includes(op) && mode === "nonblock") {
        await select([s], [], [], 5);
      }
      if (op === "recv") out.push(dec.decode(await s.recv(100)));
      else if (op === "recv_into") {
        const b = new Uint8Array(100);
        out.push(dec.decode(b.subarray(0, await s.recv_into(b))));
      } else if (op === "read") out.push(dec.decode(await s.read(100)));
      else if (op === "read_buf") {
        const b = new Uint8Array(100);
        out.push(dec.decode(b.subarray(0, await s.read(0, b))));
      } else if (op === "readline") out.push(dec.decode((await f.readline()) as Uint8Array));
      else if (op === "pending") out.push(String(s.pending()));
      else if (op === "send") out.push(String(await s.send(new Uint8Array([120]))));
      else out.push(String(await s.write(new Uint8Array([120]))));
    } catch (e) {
      out.push(ex(e));
    }
  }
  f.close();
  s.close();
  await peer;
  return out;
}

for (const role of ["client", "server"] as const) {
  test(`adversary14b A14b-4: a pysocket ${role} truncated by its peer raises SSLEOFError from every later read (recv, recv_into, read, readline), in CPython's words, blocking, timed and non-blocking`, async () => {
    const certs = await make_certs();
    const rows = ["fin", "reset"].flatMap((end) =>
      ["block", "timed", "nonblock"].flatMap((mode) =>
        Object.entries(SEQS).map(([name, seq]) => ({ end, mode, name, seq }))
      )
    );
    // The rows are independent (their own peers and ports), and CPython's and pysocket's side of a row too: six at a
    // time, both sides at once; every CPython judge and peer, and every peer of pysocket's side, is a thread of one
    // python3 process (one for the judges, one for pysocket's peers).
    assert.ok(PEER_T.includes("ARGV") && !PEER_T.includes("sys.argv"));
    const judges = new Hub(JUDGE, { errors: true }), peers = new Hub(PEER_T, { errors: true });
    try {
      await pooled(rows, 6, async ({ end, mode, name, seq }) => {
        const judge = judges.run(certs.dir, role, end, mode, JSON.stringify(seq), PEER_T);
        const [line, got] = await Promise.all([judge.line(), ours(peers, certs.dir, role, end, mode, seq)]);
        const want = JSON.parse(line);
        assert.deepEqual(got, want, `${role} ${end} ${mode} ${name}`);
      });
    } finally {
      await judges.close();
      await peers.close();
    }
    assert.equal(rows.length, 12);
  });
}
