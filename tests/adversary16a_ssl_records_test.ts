// adv16a (A16a-1, A16a-2): a hostile peer's records during the handshake, as a table against CPython. A python3
// proxy between a TLS client and server rewrites the plaintext handshake records of one direction (split into
// 1- or 7-byte records, preceded by an empty record, a warning alert, five of them, a change_cipher_spec, a
// heartbeat or unknown record type, a fatal alert, an HTTP reply; a doubled or bad change_cipher_spec; other
// record versions; the offered or selected ALPN protocol swapped for another, A16a-6); the side that reads them is a CPython 3.11 peer in one run and a pysocket peer in the other,
// under TLS 1.2 and 1.3. Each row compares the outcome: the echo, or the exception's class and str(e).
//
// Before the fix a pysocket server shook hands after a warning alert sent before the ClientHello (CPython:
// UNEXPECTED_MESSAGE), and pysocket named OpenSSL's refusals otherwise: "handshake failure" for an unexpected
// record type or too many warning alerts, "wrong version number" for an unknown record type or a bad
// change_cipher_spec. Rows that still differ are documented in docs/limits.md and pinned here (DOCUMENTED).

import assert from "node:assert/strict";
import { create_connection, create_server } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { ca_and_request, ca_sign } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { pooled } from "./_twin.ts";
import { Hub, type Job } from "./_hub.ts";

const test = test_needing("python3", "openssl");
const dec = new TextDecoder();

const HOSTILE = `import json, socket, ssl, struct, sys, threading

D = ARGV[1]
role = ARGV[2]


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def rec(t, body, ver=b"\\x03\\x03"):
    return bytes([t]) + ver + struct.pack(">H", len(body)) + body


def mutate(mode, state, t, ver, body):
    """Records to send instead of one plaintext handshake-phase record."""
    first = not state.get("seen")
    state["seen"] = True
    if mode == "frag1" and t == 22:
        return [rec(22, body[i:i + 1], ver) for i in range(len(body))]
    if mode == "frag7" and t == 22:
        return [rec(22, body[i:i + 7], ver) for i in range(0, len(body), 7)]
    if mode == "empty_hs" and t == 22 and first:
        return [rec(22, b"", ver), rec(t, body, ver)]
    if mode == "empty_app" and t == 22 and first:
        return [rec(23, b"", ver), rec(t, body, ver)]
    if mode == "warn_first" and first:
        return [rec(21, b"\\x01\\x70", ver), rec(t, body, ver)]
    if mode == "warn5" and first:
        return [rec(21, b"\\x01\\x70", ver)] * 5 + [rec(t, body, ver)]
    if mode == "ccs_first" and first:
        return [rec(20, b"\\x01", ver), rec(t, body, ver)]
    if mode == "ccs_twice" and t == 20:
        return [rec(t, body, ver), rec(t, body, ver)]
    if mode == "ccs_bad" and t == 20:
        return [rec(t, b"\\x02", ver)]
    if mode == "hb_first" and first:
        return [rec(24, b"\\x01\\x00\\x03abc", ver), rec(t, body, ver)]
    if mode == "unknown_first" and first:
        return [rec(99, b"x", ver), rec(t, body, ver)]
    if mode == "ver0300" and t == 22:
        return [rec(t, body, b"\\x03\\x00")]
    if mode == "ver0399" and t == 22:
        return [rec(t, body, b"\\x03\\x99")]
    if mode == "ver0200" and t == 22:
        return [rec(t, body, b"\\x02\\x00")]
    if mode == "unknown_mid" and not first and t == 22 and not state.get("done"):
        state["done"] = True
        return [rec(99, b"x", ver), rec(t, body, ver)]
    if mode == "warn_mid" and not first and t == 22 and not state.get("done"):
        state["done"] = True
        return [rec(21, b"\\x01\\x70", ver), rec(t, body, ver)]
    if mode == "fatal_first" and first:
        return [rec(21, b"\\x02\\x28", ver), rec(t, body, ver)]
    if mode == "junk_first" and first:
        return [b"HTTP/1.1 400 Bad Request\\r\\n\\r\\n"]
    if mode == "alpn_swap" and t == 22 and b"http/1.1" in body:
        return [rec(t, body.replace(b"http/1.1", b"http/9.9"), ver)]
    if mode == "merge_ccs" and t == 20:
        return [rec(t, body, ver)]
    return [rec(t, body, ver)]


def pump(src, dst, mode):
    state = {}
    plain = True
    buf = b""
    try:
        while True:
            if plain:
                h = recv_exact(src, 5)
                if h is None:
                    break
                t, ver, n = h[0], h[1:3], struct.unpack(">H", h[3:5])[0]
                body = recv_exact(src, n)
                if body is None:
                    break
                if t in (22, 20, 21, 24) or (t == 23 and False):
                    out = mutate(mode, state, t, ver, body)
                else:
                    out = [h + body]
                if t == 20 or t == 23:
                    plain = False  # after CCS (1.2) or the first encrypted record (1.3): pass through
                    if mode in ("frag1", "frag7", "ver0300", "ver0399", "ver0200") and t == 20:
                        out = [h + body]
                dst.sendall(b"".join(out))
            else:
                c = src.recv(65536)
                if not c:
                    break
                dst.sendall(c)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


if role == "proxy":
    target, direction, mode = int(ARGV[3]), ARGV[4], ARGV[5]
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    LISTEN(ls)
    print(ls.getsockname()[1], flush=True)
    while True:
        a, _ = ls.accept()
        b = socket.create_connection(("127.0.0.1", target))
        threading.Thread(target=pump, args=(a, b, mode if direction == "c2s" else "none"), daemon=True).start()
        threading.Thread(target=pump, args=(b, a, mode if direction == "s2c" else "none"), daemon=True).start()


def ctx_for(server, ver):
    if server:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        c.load_cert_chain(D + "/server.pem", D + "/server.key")
    else:
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        c.load_verify_locations(D + "/ca.pem")
    c.set_alpn_protocols(["http/1.1"])
    v = ssl.TLSVersion.TLSv1_2 if ver == "tls12" else ssl.TLSVersion.TLSv1_3
    c.minimum_version = c.maximum_version = v
    return c


def outcome(e):
    return [type(e).__name__, str(e)]


if role == "server":
    ver = ARGV[3]
    ctx = ctx_for(True, ver)
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    LISTEN(ls)
    print(ls.getsockname()[1], flush=True)
    while True:
        a, _ = ls.accept()
        a.settimeout(10)
        try:
            s = ctx.wrap_socket(a, server_side=True)
            d = s.recv(100)
            s.sendall(d)
            r = ["ok", d.decode()]
            s.close()
        except Exception as e:
            r = outcome(e)
            a.close()
        print(json.dumps(r), flush=True)

if role == "client":
    port, ver = int(ARGV[3]), ARGV[4]
    ctx = ctx_for(False, ver)
    a = socket.create_connection(("127.0.0.1", port))
    a.settimeout(10)
    try:
        s = ctx.wrap_socket(a, server_hostname="localhost")
        s.sendall(b"ping")
        d = s.recv(100)
        r = ["ok", d.decode()]
        s.close()
    except Exception as e:
        r = outcome(e)
    print(json.dumps(r), flush=True)
`;

const MODES = [
  "frag1",
  "frag7",
  "empty_hs",
  "empty_app",
  "warn_first",
  "warn5",
  "warn_mid",
  "fatal_first",
  "ccs_first",
  "ccs_twice",
  "ccs_bad",
  "hb_first",
  "unknown_first",
  "unknown_mid",
  "junk_first",
  "ver0300",
  "ver0399",
  "ver0200",
  "alpn_swap",
];

/**
 * Rows that differ from CPython, documented (docs/limits.md): an empty handshake record (which RFC 5246 and 8446
 * forbid; OpenSSL passes over it, Deno's TLS refuses), TLS 1.2 records after the hellos with a record version other
 * than 3.3 (OpenSSL refuses, Deno's TLS reads them), a second change_cipher_spec in TLS 1.2 (OpenSSL says
 * "internal error").
 */
const DOCUMENTED: Record<string, [string, string]> = {
  "tls12 empty_hs": ["ok", "SSLError [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"],
  "tls13 empty_hs": ["ok", "SSLError [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"],
  "tls12 ver0300": ["SSLError [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", "ok"],
  "tls12 ver0399": ["SSLError [SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", "ok"],
  // Finding S11 (docs/limits.md): a pysocket server refuses a client whose ALPN list shares nothing with its own.
  "server tls12 alpn_swap": [
    "SSLError [SSL: DECRYPTION_FAILED_OR_BAD_RECORD_MAC] decryption failed or bad record mac (_ssl.c:1006)",
    "SSLError [SSL: NO_APPLICATION_PROTOCOL] no application protocol (_ssl.c:1006)",
  ],
  "server tls13 alpn_swap": [
    "SSLError [SSL: SSLV3_ALERT_BAD_RECORD_MAC] sslv3 alert bad record mac (_ssl.c:1006)",
    "SSLError [SSL: NO_APPLICATION_PROTOCOL] no application protocol (_ssl.c:1006)",
  ],
  "tls12 ccs_twice": [
    "SSLError [SSL] internal error (_ssl.c:1006)",
    "SSLError [SSL: UNEXPECTED_MESSAGE] unexpected message (_ssl.c:1006)",
  ],
};

function outcome(r: string[]): string {
  return r[0] === "ok" ? (r[1] === "ping" ? "ok" : `ok ${r[1]}`) : `${r[0]} ${r[1]}`;
}

async function setup(): Promise<{ dir: string; py(...a: string[]): Job } & AsyncDisposable> {
  const dir = await ca_and_request("pysocket_adv16a_records_");
  Deno.writeTextFileSync(`${dir}/ext`, "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n");
  await ca_sign(dir, "server", "server.pem", "ext");
  Deno.writeTextFileSync(`${dir}/hostile.py`, HOSTILE);
  const hub = new Hub(Deno.readTextFileSync(`${dir}/hostile.py`));
  return { dir, py: (...args: string[]) => hub.run(dir, ...args), [Symbol.asyncDispose]: () => hub.close() };
}

function ctx_for(dir: string, server: boolean, ver: string): ssl.SSLContext {
  const c = new ssl.SSLContext(server ? ssl.PROTOCOL_TLS_SERVER : ssl.PROTOCOL_TLS_CLIENT);
  if (server) c.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
  else c.load_verify_locations(`${dir}/ca.pem`);
  c.set_alpn_protocols(["http/1.1"]);
  const v = ver === "tls12" ? ssl.TLSVersion.TLSv1_2 : ssl.TLSVersion.TLSv1_3;
  c.minimum_version = v;
  c.maximum_version = v;
  return c;
}

const thrown = (e: unknown) => [(e as Error).constructor.name, (e as Error).message];

/** CPython's and pysocket's client, reading the records a CPython server's side sends through the proxy. */
async function client_row(
  env: Awaited<ReturnType<typeof setup>>,
  ver: string,
  mode: string,
): Promise<[string, string]> {
  const srv = env.py("server", ver);
  const prox = env.py("proxy", await srv.line(), "s2c", mode);
  try {
    const pport = await prox.line();
    const cli = env.py("client", pport, ver);
    const cp = outcome(JSON.parse(await cli.line()));
    await cli.kill();
    await srv.line();
    let mine: string[];
    const raw = await create_connection(["127.0.0.1", Number(pport)]);
    raw.settimeout(10);
    try {
      const s = await ctx_for(env.dir, false, ver).wrap_socket(raw, { server_hostname: "localhost" });
      await s.sendall(new TextEncoder().encode("ping"));
      mine = ["ok", dec.decode(await s.recv(100))];
      s.close();
    } catch (e) {
      mine = thrown(e);
      raw.close();
    }
    return [cp, outcome(mine)];
  } finally {
    await srv.kill();
    await prox.kill();
  }
}

/** CPython's and pysocket's server, reading the records a CPython client sends through the proxy. */
async function server_row(
  env: Awaited<ReturnType<typeof setup>>,
  ver: string,
  mode: string,
): Promise<[string, string]> {
  let cp: string;
  {
    const srv = env.py("server", ver);
    const prox = env.py("proxy", await srv.line(), "c2s", mode);
    try {
      const cli = env.py("client", await prox.line(), ver);
      await cli.line();
      await cli.kill();
      cp = outcome(JSON.parse(await srv.line()));
    } finally {
      await srv.kill();
      await prox.kill();
    }
  }
  const ls = await create_server(["127.0.0.1", 0]);
  const prox = env.py("proxy", String(ls.getsockname()[1]), "c2s", mode);
  try {
    const cli = env.py("client", await prox.line(), ver);
    const [conn] = await ls.accept();
    conn.settimeout(10);
    let mine: string[];
    try {
      const s = await ctx_for(env.dir, true, ver).wrap_socket(conn, { server_side: true });
      const d = await s.recv(100);
      await s.sendall(d);
      mine = ["ok", dec.decode(d)];
      s.close();
    } catch (e) {
      mine = thrown(e);
      conn.close();
    }
    await cli.line();
    await cli.kill();
    return [cp, outcome(mine)];
  } finally {
    await prox.kill();
    ls.close();
  }
}

for (const side of ["client", "server"] as const) {
  test(`adversary16a A16a-1/2: a hostile peer's handshake records, read by a ${side}, end as CPython's (${MODES.length} rewrites x TLS 1.2/1.3)`, async () => {
    await using env = await setup();
    const diffs: string[] = [];
    const cells = ["tls12", "tls13"].flatMap((ver) => MODES.map((mode) => [ver, mode] as const));
    // Rows are independent (their own peers and ports) and mostly wait: three at a time.
    const results = await pooled(
      cells,
      3,
      ([ver, mode]) => side === "client" ? client_row(env, ver, mode) : server_row(env, ver, mode),
    );
    const rows = cells.length;
    cells.forEach(([ver, mode], i) => {
      const [cp, mine] = results[i]!;
      const doc = DOCUMENTED[`${side} ${ver} ${mode}`] ?? DOCUMENTED[`${ver} ${mode}`];
      if (doc) {
        assert.deepEqual([cp, mine], doc, `${side} ${ver} ${mode}: the documented difference changed`);
      } else if (cp !== mine) diffs.push(`${side} ${ver} ${mode}: CPython ${cp} | pysocket ${mine}`);
    });
    console.log(`${rows} ${side} rows compared with CPython (${Object.keys(DOCUMENTED).length} documented)`);
    assert.deepEqual(diffs, []);
  });
}
