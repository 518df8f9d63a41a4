// An idle TLS session waits for ciphertext in a small buffer and, when what
// it brings ends inside a record, reads the rest of that record before
// handing both to TLS (_tls.ts). Every arrangement of a record's bytes in
// time must reach TLS whole and at once: a record split anywhere (inside
// its header, inside its body) and pauses between the pieces, records of
// every size around the wait's buffer sizes, several records at once. And
// bytes that are not a TLS record (a peer speaking something else, a length
// no record has) must reach TLS at once too, so it raises its error, as
// OpenSSL does in CPython (held back waiting for a body that never comes,
// the connection would hang instead).
//
// The peer is a CPython client driving TLS through MemoryBIOs, so it
// chooses exactly which bytes go out when; its twin server (CPython's ssl)
// shows what CPython raises.

import assert from "node:assert/strict";
import { create_server, type Socket, socket } from "../mod.ts";
import { CERT_NONE, PROTOCOL_TLS_CLIENT, PROTOCOL_TLS_SERVER, SSLContext } from "../ssl.ts";
import { missing, recv_exactly, sleep, test_needing, within } from "./_socket_fixtures.ts";
import { err } from "./_twin.ts";
import { localhost_cert } from "./_ssl_fixtures.ts";

const test = test_needing("python3", "openssl");
const LIMIT = 30_000;
const { cert: CERT, key: KEY } = await localhost_cert("pysocket-tls-idle-read-", { make: !missing("openssl") });
const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * The CPython client: handshake through MemoryBIOs, then MODE:
 * - split: "hello, split record" as one record sent in five pieces (the header
 *   cut after 2 bytes, the body after 4) with pauses; then reads the echo.
 * - sizes: records of many sizes, each after a pause, each echoed back.
 * - several: three records in one send after a pause; reads the echo.
 * - raw:HEX: those bytes, not TLS, after a pause; then waits for the server to
 *   react (an alert or EOF: prints "reacted") or 20 s (prints "no reaction").
 */
const CLIENT = `
import socket, ssl, sys, time
port, mode = int(sys.argv[1]), sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = socket.create_connection(("127.0.0.1", port))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
o = ctx.wrap_bio(inc, out, server_hostname="localhost")
while True:
    try:
        o.do_handshake()
        break
    except ssl.SSLWantReadError:
        d = out.read()
        if d: s.sendall(d)
        d = s.recv(65536)
        if not d: sys.exit("eof in handshake")
        inc.write(d)
d = out.read()
if d: s.sendall(d)
time.sleep(0.2)  # the server waits idle
def recv_plain(n):
    got = b""
    while len(got) < n:
        try:
            got += o.read(n - len(got))
        except ssl.SSLWantReadError:
            d = s.recv(65536)
            if not d: sys.exit("eof")
            inc.write(d)
    return got
def record(data):
    o.write(data)
    return out.read()
if mode == "split":
    msg = b"hello, split record"
    rec = record(msg)
    for piece in (rec[:2], rec[2:5], rec[5:9], rec[9:-1], rec[-1:]):
        s.sendall(piece)
        time.sleep(0.05)
    print(recv_plain(len(msg)).decode())
elif mode == "sizes":
    ok = True
    for i, n in enumerate([1, 27, 31, 32, 33, 58, 64, 100, 500, 1000, 2000, 2100, 4000, 9000, 16384, 16000, 3, 700, 1]):
        msg = bytes((i + j) % 251 for j in range(n))
        s.sendall(record(msg))
        ok = ok and recv_plain(n) == msg
        time.sleep(0.01)
    print("echoed" if ok else "corrupted")
elif mode == "several":
    msgs = [b"a" * 10, b"b" * 3000, b"c" * 40]
    s.sendall(b"".join(record(m) for m in msgs))
    print("whole" if recv_plain(3050) == b"".join(msgs) else "corrupted")
else:
    s.sendall(bytes.fromhex(mode[4:]))
    s.settimeout(20)
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            inc.write(d)
            try:
                o.read(1)
            except ssl.SSLWantReadError:
                continue
        print("reacted")
    except ssl.SSLError:
        print("reacted")
    except socket.timeout:
        print("no reaction")
    except OSError:
        print("reacted")
`;

function client(port: number, mode: string): Promise<string> {
  return run_python(["-c", CLIENT, String(port), mode]);
}

async function run_python(args: string[]): Promise<string> {
  const out = await new Deno.Command("python3", { args, stdin: "null", stdout: "piped", stderr: "piped" })
    .output();
  assert.equal(out.code, 0, `python3 failed: ${dec.decode(out.stderr)}`);
  return dec.decode(out.stdout).trim().split("\n").at(-1)!;
}

/** A pysocket TLS server that accepts one connection and runs `serve` on it; with the client's last line. */
async function with_server(mode: string, serve: (c: Socket) => Promise<unknown>): Promise<[unknown, string]> {
  const ctx = new SSLContext(PROTOCOL_TLS_SERVER);
  ctx.load_cert_chain(CERT, KEY);
  const srv = await ctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
  try {
    const port = (srv.getsockname() as [string, number])[1];
    const cli = client(port, mode);
    const [c] = await within(srv.accept(), LIMIT, "accept");
    try {
      const r = await within(serve(c), LIMIT, `serve ${mode}`);
      return [r, await within(cli, LIMIT, `client ${mode}`)];
    } finally {
      c.close();
    }
  } finally {
    srv.close();
  }
}

/** The twin: CPython's ssl server, recv() once after the handshake; what it raised. */
async function cpython_recv_error(mode: string): Promise<[string, string]> {
  const server = `
import socket, ssl, subprocess, sys, json
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(${JSON.stringify(CERT)}, ${JSON.stringify(KEY)})
l = socket.create_server(("127.0.0.1", 0))
p = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(l.getsockname()[1]), ${
    JSON.stringify(mode)
  }], stdout=subprocess.PIPE)
c, _ = l.accept()
c.settimeout(25)
c = ctx.wrap_socket(c, server_side=True)
try:
    c.recv(1024)
    r = "ok"
except Exception as e:
    r = type(e).__name__
c.close()
print(json.dumps([r, p.communicate()[0].decode().strip()]))
`;
  return JSON.parse(await run_python(["-c", server, CLIENT])) as [string, string];
}

test("an idle TLS session gets a record split inside its header and body, with pauses between the pieces", async () => {
  const [got, echoed] = await with_server("split", async (c) => {
    const d = await c.recv(1024);
    await c.sendall(d);
    return dec.decode(d);
  });
  assert.equal(got, "hello, split record");
  assert.equal(echoed, "hello, split record");
});

test("an idle TLS session gets records of every size around its wait buffers, each after a pause", async () => {
  const [, said] = await with_server("sizes", async (c) => {
    for (;;) {
      const d = await c.recv(65536);
      if (d.length === 0) return;
      await c.sendall(d);
    }
  });
  assert.equal(said, "echoed");
});

test("an idle TLS session gets several records that come at once", async () => {
  const [got, said] = await with_server("several", async (c) => {
    const d = await recv_exactly(c, 3050);
    await c.sendall(d);
    return dec.decode(d);
  });
  assert.equal(got, "a".repeat(10) + "b".repeat(3000) + "c".repeat(40));
  assert.equal(said, "whole");
});

for (
  const [what, hex] of [
    ["a record type TLS does not have", "6303030010" + "00".repeat(16)],
    [
      "bytes that are not TLS at all",
      Array.from(enc.encode("GET / HTTP/1.0\r\n\r\n"), (b) => b.toString(16).padStart(2, "0")).join(""),
    ],
  ] as const
) {
  test(`${what} after an idle wait reach TLS at once: recv raises SSLError, as CPython's does`, async () => {
    const mode = `raw:${hex}`;
    const twin = await cpython_recv_error(mode);
    const [raised, said] = await with_server(mode, async (c) => {
      try {
        const d = await c.recv(1024);
        return `ok: ${d.length} bytes`;
      } catch (e) {
        return err(e)[0];
      } finally {
        c.close(); // the client then sees EOF, if not the alert already
      }
    });
    assert.deepEqual([raised, said], twin);
    assert.deepEqual(twin, ["SSLError", "reacted"]);
  });
}

test("a pysocket TLS pair echoes messages of every size in turn (both ends wait idle between them)", async () => {
  const sctx = new SSLContext(PROTOCOL_TLS_SERVER);
  sctx.load_cert_chain(CERT, KEY);
  const cctx = new SSLContext(PROTOCOL_TLS_CLIENT);
  cctx.check_hostname = false;
  cctx.verify_mode = CERT_NONE;
  const srv = await sctx.wrap_socket(create_server(["127.0.0.1", 0]), { server_side: true });
  const raw = socket();
  try {
    const acc = srv.accept().then((r) => r[0]);
    await within(raw.connect(srv.getsockname()), LIMIT, "connect");
    const cli = await within(cctx.wrap_socket(raw, { server_hostname: "localhost" }), LIMIT, "client handshake");
    const conn = await within(acc, LIMIT, "accept");
    try {
      const sizes = [1, 5, 6, 31, 33, 64, 65, 511, 513, 2047, 2049, 4096, 16384, 16385, 70_000, 2, 900, 3000, 1];
      const echo = (async () => {
        for (const n of sizes) await conn.sendall(await recv_exactly(conn, n));
      })();
      for (const [i, n] of sizes.entries()) {
        const msg = new Uint8Array(n).map((_, j) => (i * 7 + j) % 253);
        await cli.sendall(msg);
        assert.deepEqual(await within(recv_exactly(cli, n), LIMIT, `echo of ${n}`), msg);
        if (i % 3 === 0) await sleep(5);
      }
      await within(echo, LIMIT, "echo loop");
    } finally {
      cli.close();
      conn.close();
    }
  } finally {
    raw.close();
    srv.close();
  }
});
