// fix19d (C3-2): a peer that ends the connection during a TLS handshake, by a reset (RST: SO_LINGER 0) or a clean
// FIN, differential against CPython 3.11. CPython raises ConnectionResetError [Errno 104] for a reset and SSLEOFError
// (UNEXPECTED_EOF_WHILE_READING) for a FIN; pysocket raised SSLEOFError for both. Each row runs the same steps in
// python3 and in pysocket against the same python3 peer:
// - client side (the peer is a server): the peer reads the ClientHello (or not), sends part of a ServerHello (or
//   not), then resets or closes; the client is in wrap_socket() (blocking), do_handshake() (timed), or a
//   non-blocking do_handshake() loop with select();
// - server side (the peer is a client): the peer sends nothing, half a record header, or a whole ClientHello (and
//   reads the server's flight), then resets or closes; the server is in wrap_socket(accepted, server_side=True), or
//   in accept() of a wrapped listener (CPython's handshake in accept()).

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import { select } from "../selectors.ts";
import * as ssl from "../ssl.ts";
import { attempt, make_cpy_certs, twin } from "./_cpy_ssl.ts";
import { missing, test_needing } from "./_socket_fixtures.ts";
import { pooled } from "./_twin.ts";

const test = test_needing("python3", "openssl");
const certs = (missing("openssl") ? undefined : await make_cpy_certs())!;

/** The peer (argv: role, how it ends "rst"|"fin", stage, [port]); a server prints its port first. Run as a thread. */
const PEER = `
import socket, ssl, struct, sys, time
argv = globals().get("ARGV", sys.argv)  # a thread of one python3 process for many rows gives ARGV
role, how, stage = argv[1:4]
def drain(s):
    s.settimeout(0.15)
    for _ in range(50):
        try:
            if not s.recv(65536): break
        except socket.timeout: break
def end(s):
    if how == "rst": s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
if role == "server":
    l = socket.create_server(("127.0.0.1", 0)); print(l.getsockname()[1], flush=True)
    l.settimeout(10); a, _ = l.accept()
    if stage != "unread": drain(a)
    else: time.sleep(0.3)
    if stage == "partial": a.sendall(bytes.fromhex("160303007a0200007603")); time.sleep(0.2)
    end(a)
else:
    print("go", flush=True)
    c = socket.create_connection(("127.0.0.1", int(argv[4])), timeout=10)
    if stage == "half": c.send(bytes.fromhex("160301020001"))
    if stage == "hello":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        i, o = ssl.MemoryBIO(), ssl.MemoryBIO(); obj = ctx.wrap_bio(i, o, server_hostname="localhost")
        try: obj.do_handshake()
        except ssl.SSLWantReadError: pass
        c.sendall(o.read())
    time.sleep(0.1); drain(c); end(c)
`;

type Row = [side: "client" | "server", how: "rst" | "fin", stage: string, mode: string];
const ROWS: Row[] = [];
for (const how of ["rst", "fin"] as const) {
  for (const stage of ["unread", "read", "partial"]) {
    for (const mode of ["wrap", "timed", "nonblocking"]) ROWS.push(["client", how, stage, mode]);
  }
  for (const stage of ["none", "half", "hello"]) {
    for (const mode of ["wrap", "listener"]) ROWS.push(["server", how, stage, mode]);
  }
}
// A FIN from a peer that has not read the ClientHello is a reset (the kernel's: unread data), not a FIN row.
const rows = ROWS.filter(([side, how, stage]) => !(side === "client" && how === "fin" && stage === "unread"));

const PY_RUN = `
import queue
PEER = compile(${JSON.stringify(PEER)}, "peer", "exec")
def peer(*args):
    """The peer as a thread of this process (its lines in .lines)."""
    lines = queue.Queue()
    t = threading.Thread(target=exec, args=(PEER, {"ARGV": ["peer", *args], "print": lambda *a, **k: lines.put(" ".join(map(str, a)))}), daemon=True)
    t.lines = lines
    t.start()
    return t
rows = ${JSON.stringify(rows)}
def unverified():
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE; return c
def nonblocking(s):
    for _ in range(1000):
        try: return s.do_handshake()
        except ssl.SSLWantReadError: select.select([s], [], [], 5)
        except ssl.SSLWantWriteError: select.select([], [s], [], 5)
def row(side, how, stage, mode):
    out = {}
    key = " ".join([side, how, stage, mode])
    if side == "client":
        p = peer("server", how, stage)
        port = int(p.lines.get(timeout=10))
        c = socket.create_connection((HOST, port), timeout=5 if mode == "timed" else None)
        if mode == "wrap": out[key] = attempt(lambda: unverified().wrap_socket(c))
        else:
            if mode == "nonblocking": c.setblocking(False)
            s = unverified().wrap_socket(c, do_handshake_on_connect=False)
            out[key] = attempt(lambda: s.do_handshake() if mode == "timed" else nonblocking(s))
        c.close()
    else:
        sc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); sc.load_cert_chain(SIGNED_CERTFILE)
        l = socket.create_server((HOST, 0))
        if mode == "listener": l = sc.wrap_socket(l, server_side=True)
        p = peer("client", how, stage, str(l.getsockname()[1]))
        if mode == "listener":
            l.settimeout(5); out[key] = attempt(lambda: l.accept()[0].close())
        else:
            a, _ = l.accept(); a.settimeout(5)
            out[key] = attempt(lambda: sc.wrap_socket(a, server_side=True)); a.close()
        l.close()
    p.join(10)
    return out
# The rows are independent (their own peer and port) and mostly wait: six at a time.
import concurrent.futures
out = {}
with concurrent.futures.ThreadPoolExecutor(6) as ex:
    for r in ex.map(lambda r: row(*r), rows): out.update(r)
print(json.dumps(out))
`;
import { Hub } from "./_hub.ts";

function unverified(): ssl.SSLContext {
  const c = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  c.check_hostname = false;
  c.verify_mode = ssl.CERT_NONE;
  return c;
}

async function nonblocking(s: ssl.SSLSocket): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    try {
      return await s.do_handshake();
    } catch (e) {
      if (e instanceof ssl.SSLWantReadError) await select([s], [], [], 5);
      else if (e instanceof ssl.SSLWantWriteError) await select([], [s], [], 5);
      else throw e;
    }
  }
}

async function run_row(hub: Hub, [side, how, stage, mode]: Row): Promise<unknown> {
  if (side === "client") {
    const p = hub.run("server", how, stage);
    try {
      const c = await create_connection(["127.0.0.1", Number(await p.line())], mode === "timed" ? 5 : null);
      let r: unknown;
      if (mode === "wrap") r = await attempt(() => unverified().wrap_socket(c));
      else {
        if (mode === "nonblocking") c.setblocking(false);
        const s = await unverified().wrap_socket(c, { do_handshake_on_connect: false });
        r = await attempt(() => mode === "timed" ? s.do_handshake() : nonblocking(s));
      }
      c.close();
      await p.end();
      return r;
    } finally {
      await p.kill();
    }
  }
  const sc = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
  sc.load_cert_chain(certs.P("keycert3.pem"));
  const plain = create_server(["127.0.0.1", 0]);
  const port = String((plain.getsockname() as [string, number])[1]);
  let r: unknown;
  const p = hub.run("client", how, stage, port);
  await p.line();
  try {
    if (mode === "listener") {
      const l = await sc.wrap_socket(plain, { server_side: true });
      l.settimeout(5);
      r = await attempt(async () => (await l.accept())[0].close());
      l.close();
    } else {
      const [a] = await plain.accept();
      a.settimeout(5);
      r = await attempt(() => sc.wrap_socket(a, { server_side: true }));
      a.close();
    }
    await p.end();
  } finally {
    await p.kill();
    plain.close();
  }
  return r;
}

test("C3-2: a peer's reset during a handshake is ConnectionResetError, its FIN SSLEOFError, either side, every wait", async () => {
  // The rows are independent (their own peer and port) and mostly wait: six at a time in the twin, four here, both
  // sides at once; every peer is a thread of one python3 process (the twin's own, and one for pysocket's rows).
  const twin_p = twin(certs, PY_RUN);
  const got: Record<string, unknown> = {};
  const hub = new Hub(PEER);
  try {
    await pooled(rows, 4, async (row) => {
      got[row.join(" ")] = await run_row(hub, row);
    });
  } finally {
    await hub.close();
  }
  const want = await twin_p as Record<string, unknown>;
  // The rows are what they claim: every reset row is CPython's ConnectionResetError, every FIN row its SSLEOFError.
  for (const [k, v] of Object.entries(want)) {
    assert.match(String(v), k.includes(" rst ") ? /^ConnectionResetError/ : /^SSLEOFError/, `${k}: ${v}`);
  }
  assert.deepEqual(got, want);
});
