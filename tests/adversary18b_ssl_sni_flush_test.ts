// A18b-1: a server socket that asks for the client's server name (a context with a sni_callback, or a
// do_handshake_on_connect=False wrap) hung when the client's ClientHello was already read with the plain bytes before
// the wrap (a protocol's plaintext preamble, STARTTLS-style): Deno's node:tls (2.9.6) feeds those bytes itself, and
// the ServerHello flight made when the callback's answer came (finishAccept) was sent only once the client sent
// more, which it never does. CPython serves it at once. Also an async sni_callback (pysocket's extension) that
// answers later than the microtask after the ClientHello. Each row beside python3's server doing the same steps.

import assert from "node:assert/strict";
import { create_server } from "../mod.ts";
import { PROTOCOL_TLS_SERVER, SSLContext, type SSLSocket } from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/** [row, preamble sent before the ClientHello (read by the server before its wrap), callback kind]. */
const ROWS: [string, boolean, "sync" | "none_lazy" | "swap" | "async" | "raise"][] = [
  ["a sni_callback, the ClientHello read with the preamble", true, "sync"],
  ["a sni_callback swapping contexts, the ClientHello read with the preamble", true, "swap"],
  ["no callback, do_handshake_on_connect=False, the ClientHello read with the preamble", true, "none_lazy"],
  ["a sni_callback, no preamble", false, "sync"],
  ["a sni_callback that raises, the ClientHello read with the preamble", true, "raise"],
];

const PY_CLIENT = `
import socket, ssl, sys, time
d, port, pre = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
c = ssl.create_default_context(cafile=d + "/ca.pem")
try:
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    if pre: raw.sendall(b"PRE\\n")
    s = c.wrap_socket(raw, server_hostname="localhost")
    print("ok " + s.recv(10).decode())
    s.close()
except Exception as e:
    print(type(e).__name__)
`;

const PY_SERVER = `
import socket, ssl, sys, time
d, pre, kind = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
a = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); a.load_cert_chain(d + "/server.pem", d + "/server.key")
b = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); b.load_cert_chain(d + "/server.pem", d + "/server.key")
def cb(s, name, ctx):
    if kind == "swap": s.context = b
    if kind == "raise": raise RuntimeError("no")
if kind in ("sync", "swap", "raise"): a.sni_callback = cb
with socket.create_server(("127.0.0.1", 0)) as srv:
    srv.settimeout(10)
    print(srv.getsockname()[1], flush=True)
    raw, _ = srv.accept(); raw.settimeout(5)
    time.sleep(0.3)
    if pre: raw.recv(4)
    try:
        s = a.wrap_socket(raw, server_side=True, do_handshake_on_connect=kind != "none_lazy")
        s.do_handshake()
        s.sendall(b"hi"); print("ok", flush=True); s.recv(1); s.close()
    except Exception as e:
        print(type(e).__name__, flush=True)
`;

async function ours(dir: string, pre: boolean, kind: string, port_out: (p: number) => void): Promise<string> {
  using l = create_server(["127.0.0.1", 0]);
  port_out((l.getsockname() as [string, number])[1]);
  const a = new SSLContext(PROTOCOL_TLS_SERVER);
  a.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
  const b = new SSLContext(PROTOCOL_TLS_SERVER);
  b.load_cert_chain(`${dir}/server.pem`, `${dir}/server.key`);
  if (kind === "sync" || kind === "swap" || kind === "raise") {
    a.sni_callback = (s: SSLSocket) => {
      if (kind === "swap") s.context = b;
      if (kind === "raise") throw new Error("no");
    };
  }
  if (kind === "async") {
    a.sni_callback = async () => {
      await new Promise((r) => setTimeout(r, 50));
    };
  }
  const [raw] = await l.accept();
  raw.settimeout(5);
  await new Promise((r) => setTimeout(r, 300));
  if (pre) await raw.recv(4);
  try {
    const s = await a.wrap_socket(raw, { server_side: true, do_handshake_on_connect: kind !== "none_lazy" });
    try {
      await s.do_handshake();
      await s.sendall(new TextEncoder().encode("hi"));
      await s.recv(1).catch(() => {});
      return "ok";
    } finally {
      s.close();
    }
  } catch (e) {
    raw.close();
    return (e as Error).name;
  }
}

test("A18b-1: a server that asks for the client's name serves a ClientHello read before its wrap, as CPython's", async () => {
  const certs = await make_certs();
  for (const [name, pre, kind] of ROWS) {
    const ps = await python_server(PY_SERVER, certs.dir, pre ? "1" : "0", kind);
    let want: [string, string];
    try {
      const c = await python(PY_CLIENT, certs.dir, ps.first, pre ? "1" : "0");
      const r = await ps.rest();
      want = [c.out.trim(), r.out.trim()];
    } finally {
      ps.kill();
    }
    let port = 0;
    const served = ours(certs.dir, pre, kind, (p) => port = p);
    const c = await python(PY_CLIENT, certs.dir, String(port), pre ? "1" : "0");
    const got: [string, string] = [c.out.trim(), await served];
    if (kind === "raise") {
      // Refused either way, promptly (documented: pysocket's server closes without OpenSSL's alert, so the
      // client reads EOF where CPython's reads the alert).
      assert.deepEqual(want, ["SSLError", "SSLError"], name);
      assert.deepEqual(got, ["SSLEOFError", "SSLError"], name);
      continue;
    }
    assert.deepEqual(got, want, name);
    assert.deepEqual(want, ["ok hi", "ok"], name);
  }
});

test("A18b-1: an async sni_callback answering after a timer, the ClientHello read before the wrap or not, serves", async () => {
  const certs = await make_certs();
  for (const pre of [true, false]) {
    let port = 0;
    const served = ours(certs.dir, pre, "async", (p) => port = p);
    const c = await python(PY_CLIENT, certs.dir, String(port), pre ? "1" : "0");
    assert.deepEqual([c.out.trim(), await served], ["ok hi", "ok"], `preamble ${pre}`);
  }
});
