// adv18b: a context changed after wrap_socket (do_handshake_on_connect=False, connected) and before the handshake,
// or after it, beside CPython 3.11 doing the same steps. OpenSSL copies some settings into the SSL object at SSL_new
// (verify mode, verify parameters and so the host name check, the certificate chain, the protocol versions, a
// client's ALPN list) and reads others from the context live (the CA store, a server's ALPN list through CPython's
// select callback; CPython's getpeercert() reads the context's verify mode).
// Each row: what the socket under test saw (the issuer of the peer's certificate, ALPN, version, or its error) and
// what its python3 peer saw.

import assert from "node:assert/strict";
import { create_connection, create_server, socket } from "../mod.ts";
import * as ssl from "../ssl.ts";
import { make_certs, python, python_server } from "./_ssl_fixtures.ts";
import { test_needing } from "./_socket_fixtures.ts";

const test = test_needing("python3", "openssl");

/**
 * [name, side under test, its setup, the change, when ("before" the handshake | "after" it), the peer's
 * settings]. Setup/change ops: "cas:<name>", "cert:<name>", "mode:<n>", "host:<0|1>", "alpn:<a,b>",
 * "min:<13>", "max:<12>". Peer: {cert, cas, mode, alpn, max}.
 */
type Peer = { cert?: string; cas?: string; mode?: number; alpn?: string; max?: string };
type Row = [string, "client" | "server", string[], string[], "before" | "after" | "unconnected", Peer];

const ROWS: Row[] = [
  // A client.
  ["client: CERT_NONE set after the wrap, an untrusted server", "client", ["host:0", "cas:ca"], ["mode:0"], "before", {
    cert: "untrusted",
  }],
  ["client: check_hostname off after the wrap, a wrong-name server", "client", ["cas:ca"], ["host:0"], "before", {
    cert: "wrong",
  }],
  [
    "client: check_hostname on after the wrap, a wrong-name server",
    "client",
    ["host:0", "cas:ca"],
    ["host:1"],
    "before",
    {
      cert: "wrong",
    },
  ],
  ["client: the CA loaded after the wrap", "client", [], ["cas:ca"], "before", { cert: "server" }],
  ["client: another CA loaded after the wrap", "client", ["cas:ca"], ["cas:other"], "before", { cert: "untrusted" }],
  [
    "client: a certificate loaded after the wrap, a server that requires one",
    "client",
    ["cas:ca"],
    ["cert:client"],
    "before",
    {
      cert: "server",
      cas: "ca",
      mode: 2,
    },
  ],
  ["client: ALPN changed after the wrap", "client", ["cas:ca", "alpn:a1"], ["alpn:b1"], "before", {
    cert: "server",
    alpn: "a1,b1",
  }],
  ["client: minimum TLS 1.3 after the wrap, a TLS 1.2 server", "client", ["cas:ca"], ["min:13"], "before", {
    cert: "server",
    max: "12",
  }],
  ["client: CERT_NONE after the handshake (getpeercert)", "client", ["host:0", "cas:ca"], ["mode:0"], "after", {
    cert: "server",
  }],
  // A client wrapped before it connects (CPython makes its SSL object at the connect: everything changed counts).
  ["unconnected client: the CA loaded after the wrap", "client", [], ["cas:ca"], "unconnected", { cert: "server" }],
  ["unconnected client: a certificate loaded after the wrap", "client", ["cas:ca"], ["cert:client"], "unconnected", {
    cert: "server",
    cas: "ca",
    mode: 2,
  }],
  ["unconnected client: ALPN changed after the wrap", "client", ["cas:ca", "alpn:a1"], ["alpn:b1"], "unconnected", {
    cert: "server",
    alpn: "a1,b1",
  }],
  [
    "unconnected client: minimum TLS 1.3 after the wrap, a TLS 1.2 server",
    "client",
    ["cas:ca"],
    ["min:13"],
    "unconnected",
    {
      cert: "server",
      max: "12",
    },
  ],
  [
    "unconnected client: given another context (its certificate) before the connect",
    "client",
    ["cas:ca"],
    [
      "swapto:client:ca",
    ],
    "unconnected",
    { cert: "server", cas: "ca", mode: 2 },
  ],
  // A server.
  [
    "server: CERT_REQUIRED set after the wrap, a client without a certificate",
    "server",
    ["cert:server", "cas:ca"],
    [
      "mode:2",
    ],
    "before",
    {},
  ],
  [
    "server: CERT_NONE set after the wrap, a client without a certificate",
    "server",
    [
      "cert:server",
      "cas:ca",
      "mode:2",
    ],
    ["mode:0"],
    "before",
    {},
  ],
  [
    "server: the CA loaded after the wrap, a client with a certificate",
    "server",
    ["cert:server", "mode:2"],
    [
      "cas:ca",
    ],
    "before",
    { cert: "client" },
  ],
  [
    "server: another CA loaded after the wrap, a client of it",
    "server",
    ["cert:server", "cas:ca", "mode:2"],
    [
      "cas:other",
    ],
    "before",
    { cert: "evil_client" },
  ],
  ["server: another certificate loaded after the wrap", "server", ["cert:server"], ["cert:untrusted"], "before", {}],
  ["server: ALPN changed after the wrap", "server", ["cert:server", "alpn:a1"], ["alpn:b1"], "before", {
    alpn: "a1,b1",
  }],
  ["server: minimum TLS 1.3 after the wrap, a TLS 1.2 client", "server", ["cert:server"], ["min:13"], "before", {
    max: "12",
  }],
  [
    "server: its socket given another context before the handshake, a client of that one's CA",
    "server",
    [
      "cert:server",
      "cas:ca",
      "mode:2",
    ],
    ["swapto:untrusted:other"],
    "before",
    { cert: "evil_client" },
  ],
  [
    "server: its socket given another context before the handshake, a client of the first one's CA",
    "server",
    [
      "cert:server",
      "cas:ca",
      "mode:2",
    ],
    ["swapto:untrusted:other"],
    "before",
    { cert: "client" },
  ],
  [
    "server: CERT_NONE after the handshake (getpeercert)",
    "server",
    ["cert:server", "cas:ca", "mode:2"],
    [
      "mode:0",
    ],
    "after",
    { cert: "client" },
  ],
];

const PY = `
import json, socket, ssl, sys
d, role, row, port = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
name, side, setup, change, when, peer = row
def res(e):
    if isinstance(e, ssl.SSLCertVerificationError): return "%s %s" % (type(e).__name__, e.verify_code)
    if isinstance(e, ssl.SSLError): return "%s %s" % (type(e).__name__, e.reason)
    return type(e).__name__
def apply(c, ops):
    for op in ops:
        k, v = op.split(":")
        if k == "cas": c.load_verify_locations(d + "/" + v + ".pem")
        elif k == "cert": c.load_cert_chain(d + "/" + v + ".pem", d + "/" + v + ".key")
        elif k == "mode": c.verify_mode = int(v)
        elif k == "host": c.check_hostname = v == "1"
        elif k == "alpn": c.set_alpn_protocols(v.split(","))
        elif k == "min": c.minimum_version = ssl.TLSVersion.TLSv1_3
        elif k == "max": c.maximum_version = ssl.TLSVersion.TLSv1_2
def seen(s):
    pc = s.getpeercert()
    issuer = dict(x[0] for x in pc["issuer"])["commonName"] if pc else ("{}" if pc == {} else "None")
    return "%s %s %s" % (issuer, s.selected_alpn_protocol(), s.version())
def talk(s, first):
    if first: s.sendall(b"hi"); return s.recv(10).decode() or "eof"
    b = s.recv(10); s.sendall(b"yo"); return b.decode() or "eof"
if role == "peer":
    server = side == "client"
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    if not server:
        c.check_hostname = False
        c.load_verify_locations(d + "/ca.pem"); c.load_verify_locations(d + "/other.pem")
    if peer.get("cert"): c.load_cert_chain(d + "/" + peer["cert"] + ".pem", d + "/" + peer["cert"] + ".key")
    if peer.get("cas"): c.load_verify_locations(d + "/" + peer["cas"] + ".pem")
    if "mode" in peer: c.verify_mode = peer["mode"]
    if peer.get("alpn"): c.set_alpn_protocols(peer["alpn"].split(","))
    if peer.get("max"): c.maximum_version = ssl.TLSVersion.TLSv1_2
    if server:
        srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(10)
        print(srv.getsockname()[1], flush=True)
        raw, _ = srv.accept()
    else:
        raw = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    raw.settimeout(10)
    try:
        s = c.wrap_socket(raw, server_side=server, **({} if server else {"server_hostname": "localhost"}))
        print("ok " + seen(s) + " " + talk(s, server), flush=True)
    except Exception as e:
        print(res(e), flush=True)
else:
    server = side == "server"
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    apply(c, setup)
    if server:
        srv = socket.create_server(("127.0.0.1", 0)); srv.settimeout(10)
        print(srv.getsockname()[1], flush=True)
        raw, _ = srv.accept()
    elif when == "unconnected":
        raw = socket.socket()
    else:
        raw = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
    raw.settimeout(10)
    try:
        s = c.wrap_socket(raw, server_side=server, do_handshake_on_connect=False,
                          **({} if server else {"server_hostname": "localhost"}))
        if when in ("before", "unconnected"):
            for op in change:
                if op.startswith("swapto:"):
                    _, cert, cas = op.split(":"); b = ssl.SSLContext(c.protocol)
                    b.load_cert_chain(d + "/" + cert + ".pem", d + "/" + cert + ".key"); b.load_verify_locations(d + "/" + cas + ".pem")
                    # CPython 3.11 on a socket without an SSL object yet (unconnected): the context is set, then
                    # AttributeError ('NoneType' object has no attribute 'context'): a quirk pysocket does not copy
                    # (adversary9b_ssl_socket_test.ts); the new context serves the connect either way.
                    try: s.context = b
                    except AttributeError:
                        if when != "unconnected": raise
                else: apply(c, [op])
        if when == "unconnected": s.connect(("127.0.0.1", int(port)))
        s.do_handshake()
        if when == "after": apply(c, change)
        print("ok " + seen(s) + " " + talk(s, server), flush=True)
    except Exception as e:
        print(res(e), flush=True)
`;

function res(e: unknown): string {
  const o = e as { name?: string; verify_code?: number | null; reason?: string | null };
  if (o.name === "SSLCertVerificationError") return `${o.name} ${o.verify_code}`;
  if (o.reason !== undefined) return `${o.name} ${o.reason}`;
  return String(o.name);
}

function apply(dir: string, c: ssl.SSLContext, ops: string[]): void {
  for (const op of ops) {
    const [k, v] = op.split(":") as [string, string];
    if (k === "cas") c.load_verify_locations(`${dir}/${v}.pem`);
    else if (k === "cert") c.load_cert_chain(`${dir}/${v}.pem`, `${dir}/${v}.key`);
    else if (k === "mode") c.verify_mode = Number(v);
    else if (k === "host") c.check_hostname = v === "1";
    else if (k === "alpn") c.set_alpn_protocols(v.split(","));
    else if (k === "min") c.minimum_version = ssl.TLSVersion.TLSv1_3;
    else if (k === "max") c.maximum_version = ssl.TLSVersion.TLSv1_2;
  }
}

function seen(s: ssl.SSLSocket): string {
  const pc = s.getpeercert() as { issuer?: [string, string][][] } | null;
  const issuer = pc === null
    ? "None"
    : pc.issuer
    ? Object.fromEntries(pc.issuer.map((x) => x[0]!))["commonName"]
    : "{}";
  return `${issuer} ${s.selected_alpn_protocol() ?? "None"} ${s.version()}`;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

async function talk(s: ssl.SSLSocket, first: boolean): Promise<string> {
  if (first) {
    await s.sendall(enc.encode("hi"));
    return dec.decode(await s.recv(10)) || "eof";
  }
  const b = await s.recv(10);
  await s.sendall(enc.encode("yo"));
  return dec.decode(b) || "eof";
}

/** pysocket's twin of PY's "twin" role; `port` for a client, `on_port` gives a server's. */
async function ours(dir: string, row: Row, port: number, on_port: (p: number) => void): Promise<string> {
  const [, side, setup, change, when] = row;
  const server = side === "server";
  const c = new ssl.SSLContext(server ? ssl.PROTOCOL_TLS_SERVER : ssl.PROTOCOL_TLS_CLIENT);
  apply(dir, c, setup);
  let raw;
  if (server) {
    using l = create_server(["127.0.0.1", 0]);
    on_port((l.getsockname() as [string, number])[1]);
    [raw] = await l.accept();
  } else if (when === "unconnected") raw = socket();
  else raw = await create_connection(["127.0.0.1", port], 10);
  raw.settimeout(10);
  try {
    const s = await c.wrap_socket(raw, {
      server_side: server,
      do_handshake_on_connect: false,
      ...(server ? {} : { server_hostname: "localhost" }),
    });
    try {
      if (when === "before" || when === "unconnected") {
        for (const op of change) {
          if (op.startsWith("swapto:")) {
            const [, cert, cas] = op.split(":");
            const b = new ssl.SSLContext(c.protocol);
            b.load_cert_chain(`${dir}/${cert}.pem`, `${dir}/${cert}.key`);
            b.load_verify_locations(`${dir}/${cas}.pem`);
            s.context = b;
          } else apply(dir, c, [op]);
        }
      }
      if (when === "unconnected") await s.connect(["127.0.0.1", port]);
      await s.do_handshake();
      if (when === "after") apply(dir, c, change);
      return "ok " + seen(s) + " " + await talk(s, server);
    } finally {
      s.close();
    }
  } catch (e) {
    raw.close();
    return res(e);
  }
}

/** Runs `row` with the socket under test from python3 or pysocket; [its outcome, the peer's]. */
async function run(dir: string, row: Row, py: boolean): Promise<[string, string]> {
  const r = JSON.stringify(row);
  if (row[1] === "client") {
    const peer = await python_server(PY, dir, "peer", r, "0");
    try {
      let mine: string;
      if (py) {
        const t = await python(PY, dir, "twin", r, peer.first);
        mine = t.out.trim() || t.err;
      } else mine = await ours(dir, row, Number(peer.first), () => {});
      return [mine, (await peer.rest()).out.trim()];
    } finally {
      peer.kill();
    }
  }
  if (py) {
    const twin = await python_server(PY, dir, "twin", r, "0");
    try {
      const p = await python(PY, dir, "peer", r, twin.first);
      return [(await twin.rest()).out.trim(), p.out.trim() || p.err];
    } finally {
      twin.kill();
    }
  }
  let port = 0;
  const mine = ours(dir, row, 0, (p) => port = p);
  const p = await python(PY, dir, "peer", r, String(port));
  return [await mine, p.out.trim() || p.err];
}

/** A18b-3 (documented, not fixed on a client): CAs loaded into the socket's own context after the wrap do not count. */
const A18B_3 = (row: Row) =>
  row[1] === "client" && row[4] !== "unconnected" && row[3].some((op) => op.startsWith("cas:"));

async function compare(dir: string, rows: Row[]): Promise<string[]> {
  const diffs: string[] = [];
  // Three rows at a time (each its own ports and peers).
  for (let i = 0; i < rows.length; i += 3) {
    await Promise.all(
      rows.slice(i, i + 3).map(async (row) => {
        const want = await run(dir, row, true);
        const got = await run(dir, row, false);
        // Documented (docs/limits.md): a refusing side closes without OpenSSL's alert; its peer reads EOF (a TLS 1.3
        // client whose handshake is done) instead of the alert.
        const peer = (w: string, g: string) =>
          /^SSLError (TLSV1\d?|SSLV3)_ALERT_/.test(w) && /eof$|^SSLEOFError|^ConnectionResetError/.test(g) ? w : g;
        if (got[0] !== want[0] || peer(want[1], got[1]) !== want[1]) {
          diffs.push(`${row[0]}\n   cpython:  ${want.join(" | ")}\n   pysocket: ${got.join(" | ")}`);
        }
      }),
    );
  }
  return diffs;
}

test("adv18b: a context changed after the wrap (before or after the handshake) acts on the socket as CPython's (A18b-5)", async () => {
  const certs = await make_certs();
  const rows = ROWS.filter((r) => !A18B_3(r));
  const diffs = await compare(certs.dir, rows);
  assert.deepEqual(diffs, [], `${diffs.length} of ${rows.length} rows differ:\n${diffs.join("\n")}`);
});

test({
  name:
    "A18b-3: CAs loaded into a client socket's context after its wrap verify its server, as CPython's (OpenSSL reads the store live)",
  ignore: true,
  fn: async () => {
    const certs = await make_certs();
    const rows = ROWS.filter(A18B_3);
    const diffs = await compare(certs.dir, rows);
    assert.deepEqual(diffs, [], `${diffs.length} of ${rows.length} rows differ:\n${diffs.join("\n")}`);
  },
});
console.log(
  "ignored A18b-3: a pysocket client session takes its trust anchors when the socket is wrapped (Deno's TLS verifies against " +
    "them in the background): CAs loaded afterwards are not used; it refuses (20/19) a peer CPython accepts. Fails closed.",
);
