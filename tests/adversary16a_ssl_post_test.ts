// adv16a (A16a-5): a hostile peer's bytes AFTER the handshake, as a table against CPython 3.11. A python3 peer
// shakes hands, echoes one message, then writes one raw record past its TLS layer: an unknown or heartbeat record,
// an application data record that does not decrypt (garbage, 1 byte, empty, another record version), a plain
// alert, change_cipher_spec or handshake record, an HTTP reply, a record longer than TLS allows. The reader (a
// client, then a server) is CPython in one run, pysocket in the other, under TLS 1.2 and 1.3; each row compares
// the exception's class and str(e).
//
// Before the fix none matched: pysocket's text lacked CPython's "(_ssl.c:2580)" (the read's line), and named
// most of these "sslv3 alert handshake failure" (a record that does not decrypt), "unexpected record", "wrong
// version number" (an over-long record). Rows that still differ are documented (DOCUMENTED).

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { ca_and_request, ca_sign } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { pooled } from "./_twin.ts";
import { Hub, type Job } from "./_hub.ts";

const test = test_needing("python3", "openssl");
const dec = new TextDecoder();

const PEER = `import json, socket, ssl, sys, threading
D = ARGV[1]
role, ver, mode = ARGV[2], ARGV[3], ARGV[4]
def rec(t, body, v=b"\\x03\\x03"):
    return bytes([t]) + v + len(body).to_bytes(2, "big") + body
BAD = {
    "unknown": rec(99, b"xyz"),
    "hb": rec(24, b"\\x01\\x00\\x03abc"),
    "badmac": rec(23, b"\\x00" * 40),
    "short_app": rec(23, b"\\x00"),
    "empty_app": rec(23, b""),
    "plain_fatal": rec(21, b"\\x02\\x28"),
    "plain_warn": rec(21, b"\\x01\\x00"),
    "ccs": rec(20, b"\\x01"),
    "junk": b"HTTP/1.1 400 Bad Request\\r\\n\\r\\n",
    "toolong": b"\\x17\\x03\\x03\\x50\\x00" + b"\\x00" * 100,
    "badver": rec(23, b"\\x00" * 40, b"\\x03\\x01"),
    "plain_hs": rec(22, b"\\x00\\x00\\x00\\x00"),
}[mode]
def ctx(server):
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if server: c.load_cert_chain(D + "/server.pem", D + "/server.key")
    else: c.load_verify_locations(D + "/ca.pem")
    c.maximum_version = c.minimum_version = ssl.TLSVersion.TLSv1_2 if ver == "tls12" else ssl.TLSVersion.TLSv1_3
    return c
if role == "hostile_server":
    ls = socket.create_server(("127.0.0.1", 0)); print(ls.getsockname()[1], flush=True)
    a, _ = ls.accept(); a.settimeout(10)
    s = ctx(True).wrap_socket(a, server_side=True)
    s.sendall(s.recv(4))
    import time; time.sleep(0.05)
    socket.socket.sendall(s, BAD)
    time.sleep(0.3); s.close()
elif role == "hostile_client":
    print("go", flush=True)
    a = socket.create_connection(("127.0.0.1", int(ARGV[5]))); a.settimeout(10)
    s = ctx(False).wrap_socket(a, server_hostname="localhost")
    s.sendall(b"ping"); s.recv(4)
    import time; time.sleep(0.05)
    socket.socket.sendall(s, BAD)
    time.sleep(0.3); s.close()
elif role == "client":
    a = socket.create_connection(("127.0.0.1", int(ARGV[5]))); a.settimeout(10)
    s = ctx(False).wrap_socket(a, server_hostname="localhost")
    s.sendall(b"ping"); s.recv(4)
    try:
        d = s.recv(100); print(json.dumps(["ok", d.decode("latin1")]))
    except Exception as e: print(json.dumps([type(e).__name__, str(e)]))
elif role == "server":
    ls = socket.create_server(("127.0.0.1", 0)); print(ls.getsockname()[1], flush=True)
    a, _ = ls.accept(); a.settimeout(10)
    s = ctx(True).wrap_socket(a, server_side=True)
    s.sendall(s.recv(4))
    try:
        d = s.recv(100); print(json.dumps(["ok", d.decode("latin1")]))
    except Exception as e: print(json.dumps([type(e).__name__, str(e)]))
`;

const MODES = [
  "unknown",
  "hb",
  "badmac",
  "short_app",
  "empty_app",
  "plain_fatal",
  "plain_warn",
  "ccs",
  "junk",
  "toolong",
  "badver",
  "plain_hs",
];

/**
 * Documented: a TLS 1.2 application data record too short to hold its nonce and tag. OpenSSL 3.0 says only
 * "internal error"; pysocket says it does not decrypt.
 */
const SHORT = [
  "SSLError [SSL] internal error (_ssl.c:2580)",
  "SSLError [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac (_ssl.c:2580)",
];
const DOCUMENTED: Record<string, string[]> = { "tls12 short_app": SHORT, "tls12 empty_app": SHORT };

type Env = { dir: string; peer(...a: string[]): Job } & AsyncDisposable;

async function setup(): Promise<Env> {
  const dir = await ca_and_request("pysocket_adv16a_post_");
  Deno.writeTextFileSync(`${dir}/ext`, "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await ca_sign(dir, "server", "server.pem", "ext");
  Deno.writeTextFileSync(`${dir}/peer.py`, PEER);
  const hub = new Hub(Deno.readTextFileSync(`${dir}/peer.py`));
  return { dir, peer: (...args: string[]) => hub.run(dir, ...args), [Symbol.asyncDispose]: () => hub.close() };
}

function ctx(dir: string, server: boolean, ver: string): ssl.SSLContext {
  const c = new ssl.SSLContext(server ? ssl.PROTOCOL_TLS_SERVER : ssl.PROTOCOL_TLS_CLIENT);
  if (server) c.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
  else c.load_verify_locations(`${dir}/ca.pem`);
  c.minimum_version = c.maximum_version = ver === "tls12" ? ssl.TLSVersion.TLSv1_2 : ssl.TLSVersion.TLSv1_3;
  return c;
}

const shown = (r: string[]) => r.join(" ");

async function read_last(s: ssl.SSLSocket): Promise<string> {
  try {
    return `ok ${dec.decode(await s.recv(100))}`;
  } catch (e) {
    return `${(e as Error).constructor.name} ${(e as Error).message}`;
  }
}

async function row(env: Env, side: string, ver: string, mode: string): Promise<[string, string]> {
  const { dir } = env;
  const peer = (...a: string[]) => env.peer(...a);
  if (side === "client") {
    const hs = peer("hostile_server", ver, mode);
    const cp = peer("client", ver, mode, await hs.line());
    const want = shown(JSON.parse(await cp.line()));
    await cp.end();
    await hs.end();
    const hs2 = peer("hostile_server", ver, mode);
    const raw = await create_connection(["127.0.0.1", Number(await hs2.line())]);
    raw.settimeout(10);
    const s = await ctx(dir, false, ver).wrap_socket(raw, { server_hostname: "localhost" });
    await s.sendall(new TextEncoder().encode("ping"));
    await s.recv(4);
    const got = await read_last(s);
    s.close();
    await hs2.end();
    return [want, got];
  }
  const ps = peer("server", ver, mode);
  const hc = peer("hostile_client", ver, mode, await ps.line());
  const want = shown(JSON.parse(await ps.line()));
  await hc.end();
  await ps.end();
  const ls = await create_server(["127.0.0.1", 0]);
  const hc2 = peer("hostile_client", ver, mode, String(ls.getsockname()[1]));
  await hc2.line();
  const [conn] = await ls.accept();
  conn.settimeout(10);
  const s = await ctx(dir, true, ver).wrap_socket(conn, { server_side: true });
  await s.sendall(await s.recv(4));
  const got = await read_last(s);
  s.close();
  ls.close();
  await hc2.end();
  return [want, got];
}

for (const side of ["client", "server"]) {
  test(`adversary16a A16a-5: a hostile peer's record after the handshake, read by a ${side}, raises CPython's error (${MODES.length} records x TLS 1.2/1.3)`, async () => {
    await using env = await setup();
    const diffs: string[] = [];
    const cells = ["tls12", "tls13"].flatMap((ver) => MODES.map((mode) => [ver, mode] as const));
    // Rows are independent (their own peers and ports) and mostly wait (each peer's 0.35 s before its close), with
    // every python3 peer a thread of one process: eight at a time.
    // A row whose pysocket side raised before its last read (the echo's recv met the hostile record: on one loaded
    // run the two arrived in one segment) is shown as such, and run again below.
    const safe_row = (ver: string, mode: string): Promise<[string, string]> =>
      row(env, side, ver, mode).catch((e) => ["(run again)", `raised before the last read: ${String(e)}`]);
    const results = await pooled(cells, 8, ([ver, mode]) => safe_row(ver, mode));
    for (const [i, [ver, mode]] of cells.entries()) {
      let [want, got] = results[i]!;
      // A row that differs (or a documented one that changed) is run again on its own before it fails: under a
      // loaded machine a peer's record can race the read it is meant for, on either side.
      const doc = DOCUMENTED[`${ver} ${mode}`];
      const ok = () => doc ? JSON.stringify([want, got]) === JSON.stringify(doc) : want === got;
      if (!ok()) [want, got] = await safe_row(ver, mode);
      if (doc) assert.deepEqual([want, got], doc, `${side} ${ver} ${mode}: the documented difference changed`);
      else if (want !== got) diffs.push(`${side} ${ver} ${mode}: CPython ${want} | pysocket ${got}`);
    }
    console.log(
      `${MODES.length * 2} ${side} rows compared with CPython (${Object.keys(DOCUMENTED).length} documented)`,
    );
    assert.deepEqual(diffs, []);
  });
}
