// adv17c: a pysocket TLS CLIENT against real, well-behaved TLS servers (openssl s_server in many modes, python3's
// ssl, Node's tls, Deno.listenTls, nginx when installed), each row run twice: pysocket's client and CPython 3.11's
// (the same logic, in python3). Each client makes two connections with one context (the second meets the verify
// cache), sends an HTTP/1.0 request and reads to EOF. Compared per connection: the handshake's outcome, version(),
// cipher()[0], selected_alpn_protocol(), the server certificate's commonName, the response's status line, how the
// read ended. Loopback only: every name reaches 127.0.0.1 through a literal address; no name is looked up.

import assert from "node:assert/strict";
import { create_connection } from "../connection.ts";
import { create_default_context, TLSVersion } from "../ssl.ts";
import { test_needing } from "./_socket_fixtures.ts";
import { Child, free_port, has_tool, matrix_certs } from "./_adversary17c.ts";
import { pooled } from "./_twin.ts";

const test = test_needing("python3", "openssl");
const HAVE = {
  node: has_tool("node"),
  nginx: has_tool("nginx", ["-v"]) || has_tool("/usr/sbin/nginx", ["-v"]),
};
const NGINX = has_tool("nginx", ["-v"]) ? "nginx" : "/usr/sbin/nginx";
const enc = new TextEncoder(), dec = new TextDecoder();
const C = await matrix_certs();
Deno.writeFileSync(`${C.dir}/big.bin`, new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff));

interface ClientCfg {
  sni?: string | null;
  alpn?: string[];
  cert?: string;
  key?: string;
  maxv?: "1.2";
  minv?: "1.3";
  request?: string;
  /** compare the byte count of the answer too */
  count?: boolean;
}
type Rec = Record<string, unknown>;
const REQUEST = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

const PY_CLIENT = `
import json, socket, ssl, sys
a = json.loads(ARGV[1])
ctx = ssl.create_default_context(cafile=a["ca"])
if a.get("maxv") == "1.2": ctx.maximum_version = ssl.TLSVersion.TLSv1_2
if a.get("minv") == "1.3": ctx.minimum_version = ssl.TLSVersion.TLSv1_3
if a.get("alpn"): ctx.set_alpn_protocols(a["alpn"])
if a.get("cert"): ctx.load_cert_chain(a["cert"], a["key"])
out = []
for i in range(2):
    rec = {}
    try:
        c = socket.create_connection(("127.0.0.1", a["port"]), timeout=15)
    except Exception as e:
        out.append({"connect": type(e).__name__})
        continue
    try:
        s = ctx.wrap_socket(c, server_hostname=a.get("sni", "localhost"))
    except Exception as e:
        out.append({"hs": type(e).__name__, "reason": getattr(e, "reason", None), "verify": getattr(e, "verify_code", None)})
        continue
    cert = s.getpeercert()
    rec.update(v=s.version(), c=s.cipher()[0], alpn=s.selected_alpn_protocol(),
               cn=dict(x[0] for x in cert["subject"]).get("commonName"))
    got = b""
    try:
        s.sendall(a.get("req", a["request"]).encode())
        for _ in range(5000):
            b = s.recv(65536)
            if not b: break
            got += b
        rec["end"] = "eof"
    except Exception as e:
        rec["end"] = type(e).__name__
    if a.get("count"): rec["n"] = len(got)
    rec["status"] = got.split(b"\\r\\n")[0].split(b"\\n")[0].decode(errors="replace")
    s.close()
    out.append(rec)
print(json.dumps(out))
`;

/** CPython's client for a row: a thread of the test's one python3 process (\`hub\`), running PY_CLIENT. */
async function cpython_client(hub: Hub, port: number, cfg: ClientCfg): Promise<Rec[]> {
  const job = hub.run(JSON.stringify({ ca: C.ca, port, request: REQUEST, ...cfg, req: cfg.request ?? REQUEST }));
  try {
    return JSON.parse(await job.line());
  } catch (e) {
    return [{ crashed: String(e) }];
  }
}

async function pysocket_client(port: number, cfg: ClientCfg): Promise<Rec[]> {
  const ctx = create_default_context({ cafile: C.ca });
  if (cfg.maxv === "1.2") ctx.maximum_version = TLSVersion.TLSv1_2;
  if (cfg.minv === "1.3") ctx.minimum_version = TLSVersion.TLSv1_3;
  if (cfg.alpn) ctx.set_alpn_protocols(cfg.alpn);
  if (cfg.cert) ctx.load_cert_chain(cfg.cert, cfg.key);
  const out: Rec[] = [];
  for (let i = 0; i < 2; i++) {
    const rec: Rec = {};
    let c;
    try {
      c = await create_connection(["127.0.0.1", port], 15);
    } catch (e) {
      out.push({ connect: (e as Error).name });
      continue;
    }
    let s;
    try {
      s = await ctx.wrap_socket(c, { server_hostname: cfg.sni === undefined ? "localhost" : cfg.sni });
    } catch (e) {
      c.close();
      const x = e as { name: string; reason?: string; verify_code?: number };
      out.push({ hs: x.name, reason: x.reason ?? null, verify: x.verify_code ?? null });
      continue;
    }
    const cert = s.getpeercert() as { subject?: [string, string][][] } | null;
    const cn = Object.fromEntries((cert?.subject ?? []).map((x) => x[0]!)).commonName;
    Object.assign(rec, { v: s.version(), c: s.cipher()?.[0] ?? null, alpn: s.selected_alpn_protocol(), cn });
    const got: Uint8Array[] = [];
    try {
      await s.sendall(enc.encode(cfg.request ?? REQUEST));
      for (let j = 0; j < 5000; j++) {
        const b = await s.recv(65536);
        if (b.length === 0) break;
        got.push(b);
      }
      rec.end = "eof";
    } catch (e) {
      rec.end = (e as Error).name;
    }
    const text = dec.decode(got[0] ?? new Uint8Array());
    if (cfg.count) rec.n = got.reduce((n, b) => n + b.length, 0);
    rec.status = text.split("\r\n")[0]!.split("\n")[0];
    s.close();
    out.push(rec);
  }
  return out;
}

interface Server {
  port: number;
  stop(): Promise<void>;
}
type ServerMaker = () => Promise<Server>;

const s_server = (...a: string[]): ServerMaker => async () => {
  const child = new Child("openssl", [
    "s_server",
    "-accept",
    "127.0.0.1:0",
    "-cert",
    C.rsa,
    "-key",
    C.rsa_key,
    "-www",
    ...a,
  ], { cwd: C.dir });
  const m = await child.first_match(/ACCEPT [^\n]*:(\d+)\n/);
  return { port: Number(m[1]), stop: async () => void await child.stop() };
};

const PY_SERVER = Deno.readTextFileSync(new URL("./fixtures/adversary17c_server.py", import.meta.url));
/** The python3 servers' process while the matrix test runs (the fixture, each server a thread of it). */
let server_hub: Hub | null = null;
const py_server = (cfg: Record<string, unknown>): ServerMaker => async () => {
  const job = server_hub!.run(JSON.stringify({ cert: C.ec, key: C.ec_key, ...cfg }));
  const port = Number(await job.line());
  return { port, stop: () => job.kill() };
};

const NODE_SERVER = `
const tls = require("node:tls"), fs = require("node:fs");
const a = JSON.parse(process.argv[1]);
const o = { cert: fs.readFileSync(a.cert), key: fs.readFileSync(a.key) };
if (a.alpn) o.ALPNProtocols = a.alpn;
if (a.maxv) o.maxVersion = "TLSv1.2";
if (a.ca) { o.ca = fs.readFileSync(a.ca); o.requestCert = true; o.rejectUnauthorized = true; }
const srv = tls.createServer(o, (s) => {
  let buf = "";
  s.on("data", (d) => {
    buf += d;
    if (buf.includes("\\r\\n\\r\\n")) s.end("HTTP/1.0 200 node\\r\\n\\r\\nhello from node");
  });
  s.on("error", () => {});
});
srv.listen(0, "127.0.0.1", () => console.log("PORT " + srv.address().port));
setTimeout(() => process.exit(0), 60000);
`;
const node_server = (cfg: Record<string, unknown>): ServerMaker => async () => {
  const child = new Child("node", ["-e", NODE_SERVER, JSON.stringify({ cert: C.rsa, key: C.rsa_key, ...cfg })]);
  const m = await child.first_match(/PORT (\d+)\n/);
  return { port: Number(m[1]), stop: async () => void await child.stop() };
};

const deno_server = (alpn?: string[], pair = [C.ec, C.ec_key]): ServerMaker => () => {
  const l = Deno.listenTls({
    hostname: "127.0.0.1",
    port: 0,
    cert: Deno.readTextFileSync(pair[0]!),
    key: Deno.readTextFileSync(pair[1]!),
    ...(alpn ? { alpnProtocols: alpn } : {}),
  });
  const conns: Promise<void>[] = [];
  const loop = (async () => {
    for (;;) {
      let conn: Deno.TlsConn;
      try {
        conn = await l.accept();
      } catch {
        return;
      }
      conns.push((async () => {
        try {
          const buf = new Uint8Array(4096);
          let got = "";
          for (let i = 0; i < 50 && !got.includes("\r\n\r\n"); i++) {
            const n = await conn.read(buf);
            if (n === null) break;
            got += dec.decode(buf.subarray(0, n));
          }
          await conn.write(enc.encode("HTTP/1.0 200 deno\r\n\r\nhello from Deno"));
        } catch { /* the client went */ }
        try {
          conn.close();
        } catch { /* closed */ }
      })());
    }
  })();
  return Promise.resolve({
    port: (l.addr as Deno.NetAddr).port,
    async stop() {
      l.close();
      await loop;
      await Promise.race([Promise.all(conns), new Promise((r) => setTimeout(r, 5000))]);
    },
  });
};

const nginx_server = (extra: string, listen = ""): ServerMaker => async () => {
  const dir = Deno.makeTempDirSync({ prefix: "pysocket-adv17c-nginx-" });
  const port = free_port();
  Deno.mkdirSync(`${dir}/www`);
  Deno.writeTextFileSync(`${dir}/www/index.html`, "hello from nginx\n");
  Deno.writeTextFileSync(
    `${dir}/nginx.conf`,
    `daemon off; master_process off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http {
  access_log off; client_body_temp_path ${dir}; proxy_temp_path ${dir}; fastcgi_temp_path ${dir};
  uwsgi_temp_path ${dir}; scgi_temp_path ${dir};
  server {
    listen 127.0.0.1:${port} ssl ${listen}; server_name localhost;
    ssl_certificate ${C.ec}; ssl_certificate_key ${C.ec_key};
    ${extra}
    root ${dir}/www;
  }
}
`,
  );
  const child = new Child(NGINX, ["-c", `${dir}/nginx.conf`, "-p", dir, "-e", `${dir}/error.log`]);
  // nginx prints nothing when it listens: poll the port (bounded).
  for (let i = 0; i < 100; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    port,
    async stop() {
      await child.stop();
      Deno.removeSync(dir, { recursive: true });
    },
  };
};

interface Row {
  name: string;
  server: ServerMaker;
  client?: ClientCfg;
  needs?: keyof typeof HAVE;
}

const EC_ARGS = ["-cert", C.ec, "-key", C.ec_key];
const ROWS: Row[] = [
  { name: "s_server -www (RSA)", server: s_server() },
  { name: "s_server -www (EC)", server: s_server(...EC_ARGS) },
  { name: "s_server -www EC P-384", server: s_server("-cert", C.ec384, "-key", C.ec384_key) },
  { name: "s_server -tls1_2", server: s_server("-tls1_2") },
  { name: "s_server -tls1_3", server: s_server("-tls1_3", ...EC_ARGS) },
  {
    name: "s_server -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256",
    server: s_server("-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"),
  },
  {
    name: "s_server -tls1_2 -cipher ECDHE-ECDSA-CHACHA20-POLY1305",
    server: s_server("-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305", ...EC_ARGS),
  },
  {
    name: "s_server -ciphersuites TLS_CHACHA20_POLY1305_SHA256",
    server: s_server("-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"),
  },
  { name: "s_server -curves P-384 (HelloRetryRequest)", server: s_server("-curves", "P-384") },
  { name: "s_server -tls1_2 -curves P-384", server: s_server("-tls1_2", "-curves", "P-384") },
  { name: "s_server -curves X25519", server: s_server("-curves", "X25519", ...EC_ARGS) },
  { name: "s_server -serverpref", server: s_server("-serverpref") },
  {
    name: "s_server -alpn h2,http/1.1",
    server: s_server("-alpn", "h2,http/1.1"),
    client: { alpn: ["http/1.1", "h2"] },
  },
  { name: "s_server -alpn h2 (client no ALPN)", server: s_server("-alpn", "h2") },
  { name: "s_server (no ALPN, client offers one)", server: s_server(), client: { alpn: ["http/1.1"] } },
  {
    name: "s_server -tls1_2 -alpn http/1.1",
    server: s_server("-tls1_2", "-alpn", "http/1.1"),
    client: { alpn: ["h2", "http/1.1"] },
  },
  {
    name: "s_server -Verify 1 (client cert)",
    server: s_server("-Verify", "1", "-CAfile", C.ca),
    client: { cert: C.client, key: C.client_key },
  },
  {
    name: "s_server -tls1_2 -Verify 1 (client cert)",
    server: s_server("-tls1_2", "-Verify", "1", "-CAfile", C.ca),
    client: { cert: C.client, key: C.client_key },
  },
  { name: "s_server -verify 1 (optional; none sent)", server: s_server("-verify", "1", "-CAfile", C.ca) },
  {
    name: "s_server -servername other.test -cert2 (SNI other.test)",
    server: s_server("-servername", "other.test", "-cert2", C.other, "-key2", C.other_key),
    client: { sni: "other.test" },
  },
  {
    name: "s_server -servername other.test -cert2 (SNI localhost)",
    server: s_server("-servername", "other.test", "-cert2", C.other, "-key2", C.other_key),
  },
  {
    name: "s_server -WWW, a 1 MiB file (bulk records)",
    server: s_server("-WWW"),
    client: { request: "GET /big.bin HTTP/1.0\r\n\r\n", count: true },
  },
  {
    name: "s_server -tls1_2 -WWW -max_send_frag 1024, a 1 MiB file",
    server: s_server("-tls1_2", "-WWW", "-max_send_frag", "1024"),
    client: { request: "GET /big.bin HTTP/1.0\r\n\r\n", count: true },
  },
  { name: "s_server Ed25519 cert", server: s_server("-cert", C.ed, "-key", C.ed_key) },
  { name: "s_server -tls1_2 Ed25519 cert", server: s_server("-tls1_2", "-cert", C.ed, "-key", C.ed_key) },
  {
    name: "s_server chain leaf + intermediate",
    server: s_server("-cert", C.chain, "-key", C.chain_key, "-cert_chain", C.int),
  },
  {
    name: "s_server -tls1_2 chain leaf + intermediate",
    server: s_server("-tls1_2", "-cert", C.chain, "-key", C.chain_key, "-cert_chain", C.int),
  },
  {
    name: "s_server chain leaf + intermediate + root",
    server: s_server("-cert", C.chain_root, "-key", C.chain_key, "-cert_chain", C.int_root),
  },
  { name: "s_server -record_padding 1024", server: s_server("-record_padding", "1024") },
  {
    name: "s_server -WWW -record_padding 4096, a 1 MiB file",
    server: s_server("-WWW", "-record_padding", "4096"),
    client: { request: "GET /big.bin HTTP/1.0\r\n\r\n", count: true },
  },
  { name: "s_server -no_middlebox", server: s_server("-no_middlebox") },
  { name: "s_server -groups ffdhe2048:P-256", server: s_server("-groups", "ffdhe2048:P-256") },
  { name: "s_server -anti_replay -num_tickets 2", server: s_server("-anti_replay", "-num_tickets", "2") },
  { name: "s_server -no_ticket", server: s_server("-no_ticket") },
  { name: "s_server -tls1_2 -no_ticket", server: s_server("-tls1_2", "-no_ticket") },
  { name: "s_server -num_tickets 0", server: s_server("-num_tickets", "0") },
  { name: "s_server -num_tickets 1", server: s_server("-num_tickets", "1") },
  { name: "s_server -num_tickets 4", server: s_server("-num_tickets", "4") },
  { name: "s_server -max_send_frag 512", server: s_server("-max_send_frag", "512") },
  { name: "s_server -tls1_2 -max_send_frag 512", server: s_server("-tls1_2", "-max_send_frag", "512") },
  { name: "s_server -sigalgs rsa_pss_rsae_sha512", server: s_server("-sigalgs", "rsa_pss_rsae_sha512") },
  { name: "s_server -tls1_2 -sigalgs RSA+SHA384", server: s_server("-tls1_2", "-sigalgs", "RSA+SHA384") },
  { name: "s_server, client TLS 1.2 max", server: s_server(), client: { maxv: "1.2" } },
  { name: "s_server, client TLS 1.3 min", server: s_server(), client: { minv: "1.3" } },
  { name: "s_server, server_hostname 127.0.0.1", server: s_server(), client: { sni: "127.0.0.1" } },
  { name: "s_server, server_hostname ::1", server: s_server(), client: { sni: "::1" } },
  { name: "s_server, server_hostname pysocket.test", server: s_server(), client: { sni: "pysocket.test" } },
  { name: "s_server, server_hostname PySocket.Test", server: s_server(), client: { sni: "PySocket.Test" } },
  { name: "s_server, server_hostname pysocket.test.", server: s_server(), client: { sni: "pysocket.test." } },
  { name: "s_server, server_hostname LOCALHOST", server: s_server(), client: { sni: "LOCALHOST" } },
  // IDNA 2003 (CPython's codec): the A-label goes out as SNI and is checked against the certificate
  ...[
    "bücher.test",
    "BÜCHER.test",
    "xn--bcher-kva.test",
    "straße.test",
    "strasse.test",
    "www.café.test",
    "WWW.CAFÉ.TEST",
    "bücher.test.",
    "ｂüｃｈｅｒ.test",
    "bücher。test",
  ].map((sni) => ({
    name: `s_server (IDN certificate), server_hostname ${sni}`,
    server: s_server("-cert", C.idn, "-key", C.idn_key),
    client: { sni },
  })),
  {
    name: "s_server -servername xn--bcher-kva.test -cert2 (IDN SNI swap), server_hostname bücher.test",
    server: s_server("-servername", "xn--bcher-kva.test", "-cert2", C.idn, "-key2", C.idn_key),
    client: { sni: "bücher.test" },
  },
  // python3's ssl server (the matrix's echo server; answers GET with HTTP)
  { name: "python3 ssl server", server: py_server({}) },
  { name: "python3 ssl server, chain leaf + intermediate", server: py_server({ cert: C.chain, key: C.chain_key }) },
  { name: "python3 ssl server, Ed25519", server: py_server({ cert: C.ed, key: C.ed_key }) },
  { name: "python3 ssl server, RSA, TLS 1.2 max", server: py_server({ cert: C.rsa, key: C.rsa_key, maxv: "1.2" }) },
  { name: "python3 ssl server, TLS 1.3 min", server: py_server({ minv: "1.3" }) },
  { name: "python3 ssl server, ALPN", server: py_server({ alpn: ["b", "a"] }), client: { alpn: ["a", "b"] } },
  {
    name: "python3 ssl server, client cert required",
    server: py_server({ client_ca: C.ca }),
    client: { cert: C.client, key: C.client_key },
  },
  {
    name: "python3 ssl server, SNI swap to other.test",
    server: py_server({ sni_other: [C.other, C.other_key] }),
    client: { sni: "other.test" },
  },
  { name: "python3 ssl server, num_tickets 0", server: py_server({ num_tickets: 0 }) },
  { name: "python3 socketserver + ssl", server: py_server({ socketserver: true }) },
  // node
  { name: "node tls server", server: node_server({}), needs: "node" },
  { name: "node tls server TLS 1.2", server: node_server({ maxv: true }), needs: "node" },
  {
    name: "node tls server, chain leaf + intermediate",
    server: node_server({ cert: C.chain, key: C.chain_key }),
    needs: "node",
  },
  {
    name: "node tls server ALPN",
    server: node_server({ alpn: ["h2", "http/1.1"] }),
    client: { alpn: ["http/1.1"] },
    needs: "node",
  },
  {
    name: "node tls server, client cert required",
    server: node_server({ ca: C.ca }),
    client: { cert: C.client, key: C.client_key },
    needs: "node",
  },
  // Deno
  { name: "Deno.listenTls", server: deno_server() },
  { name: "Deno.listenTls chain leaf + intermediate", server: deno_server(undefined, [C.chain, C.chain_key]) },
  { name: "Deno.listenTls ALPN", server: deno_server(["x", "y"]), client: { alpn: ["y"] } },
  // nginx
  { name: "nginx TLS 1.2/1.3", server: nginx_server("ssl_protocols TLSv1.2 TLSv1.3;"), needs: "nginx" },
  { name: "nginx TLS 1.2 only", server: nginx_server("ssl_protocols TLSv1.2;"), needs: "nginx" },
  {
    name: "nginx http2 (ALPN h2, http/1.1)",
    server: nginx_server("ssl_protocols TLSv1.2 TLSv1.3;", "http2"),
    client: { alpn: ["http/1.1"] },
    needs: "nginx",
  },
  {
    name: "nginx ssl_verify_client on",
    server: nginx_server(`ssl_protocols TLSv1.2 TLSv1.3; ssl_client_certificate ${C.ca}; ssl_verify_client on;`),
    client: { cert: C.client, key: C.client_key },
    needs: "nginx",
  },
];

// ---- one context, many servers in turn (the verify cache meets different chains and names) ----

const SEQ_PY = `
import json, socket, ssl, sys
a = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=a["ca"])
out = []
for port, sni in a["seq"]:
    try:
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=15), server_hostname=sni)
    except ssl.SSLCertVerificationError as e:
        out.append(["refused", e.verify_code]); continue
    except Exception as e:
        out.append(["error", type(e).__name__]); continue
    out.append(["ok", s.version(), dict(x[0] for x in s.getpeercert()["subject"]).get("commonName")])
    s.close()
print(json.dumps(out))
`;

test("adv17c: one pysocket client context meets servers with different chains, keys and names in turn, as CPython's", async () => {
  const servers = [
    s_server(),
    s_server(...EC_ARGS),
    s_server("-cert", C.chain, "-key", C.chain_key, "-cert_chain", C.int),
    s_server("-cert", C.ed, "-key", C.ed_key),
    s_server("-cert", C.other, "-key", C.other_key),
    s_server("-cert", C.self, "-key", C.self_key),
  ];
  const up: Server[] = [];
  try {
    for (const m of servers) up.push(await m());
    const [rsa, ec, chain, ed, other, self] = up.map((x) => x.port) as number[];
    const seq: [number, string][] = [
      [rsa!, "localhost"],
      [ec!, "localhost"],
      [rsa!, "localhost"],
      [chain!, "pysocket.test"],
      [ed!, "127.0.0.1"],
      [other!, "other.test"],
      [rsa!, "other.test"],
      [other!, "localhost"],
      [self!, "localhost"],
      [rsa!, "localhost"],
      [self!, "localhost"],
      [chain!, "localhost"],
      [ec!, "PySocket.Test"],
      [other!, "other.test"],
    ];
    const o = await new Deno.Command("python3", {
      args: ["-c", SEQ_PY, JSON.stringify({ ca: C.ca, seq })],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const py = JSON.parse(dec.decode(o.stdout));
    const ctx = create_default_context({ cafile: C.ca });
    const one = async ([port, sni]: [number, string]): Promise<unknown[]> => {
      const c = await create_connection(["127.0.0.1", port], 15);
      try {
        const s = await ctx.wrap_socket(c, { server_hostname: sni });
        const cert = s.getpeercert() as { subject?: [string, string][][] } | null;
        const cn = Object.fromEntries((cert?.subject ?? []).map((x) => x[0]!)).commonName;
        const r = ["ok", s.version(), cn];
        s.close();
        return r;
      } catch (e) {
        c.close();
        const x = e as { name: string; verify_code?: number };
        return x.name === "SSLCertVerificationError" ? ["refused", x.verify_code] : ["error", x.name];
      }
    };
    const ts: unknown[] = [];
    for (const step of seq) ts.push(await one(step));
    assert.deepEqual(ts, py, "in turn");
    // The same steps at once (s_server takes one connection at a time: they queue in its backlog).
    const together = await Promise.all(seq.map(one));
    assert.deepEqual(together, py, "at once");
    console.log(`  ${seq.length} steps equal to CPython, in turn and at once: ${JSON.stringify(py)}`);
  } finally {
    for (const s of up) await s.stop();
  }
});

// ---- a server's post-handshake messages: openssl s_server's stdin commands (one connection) ----

const PY_TALK = `
import json, socket, ssl, sys
a = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=a["ca"])
if a.get("maxv") == "1.2": ctx.maximum_version = ssl.TLSVersion.TLSv1_2
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a["port"]), timeout=15), server_hostname="localhost")
rec = {"v": s.version()}
got = b""
try:
    s.sendall(b"hi\\n")
    for _ in range(200):
        b = s.recv(4096)
        if not b: break
        got += b
        if b"line2" in got:
            s.sendall(b"after\\n")
            break
    rec["end"] = "ok"
except Exception as e:
    rec["end"] = type(e).__name__
    rec["reason"] = getattr(e, "reason", None)
rec["got"] = got.decode(errors="replace")
s.close()
print(json.dumps(rec))
`;
import { Hub } from "./_hub.ts";

async function pysocket_talk(port: number, maxv?: "1.2"): Promise<Rec> {
  const ctx = create_default_context({ cafile: C.ca });
  if (maxv) ctx.maximum_version = TLSVersion.TLSv1_2;
  const s = await ctx.wrap_socket(await create_connection(["127.0.0.1", port], 15), { server_hostname: "localhost" });
  const rec: Rec = { v: s.version() };
  let got = "";
  try {
    await s.sendall(enc.encode("hi\n"));
    for (let i = 0; i < 200; i++) {
      const b = await s.recv(4096);
      if (b.length === 0) break;
      got += dec.decode(b);
      if (got.includes("line2")) {
        await s.sendall(enc.encode("after\n"));
        break;
      }
    }
    rec.end = "ok";
  } catch (e) {
    rec.end = (e as Error).name;
    rec.reason = (e as { reason?: string }).reason ?? null;
  }
  rec.got = got;
  s.close();
  return rec;
}

/** s_server (echo mode); the client says hi; the server then runs `cmds` (each a stdin line) with lines between. */
async function talk(kind: "pysocket" | "cpython", cmds: string[], maxv?: "1.2"): Promise<Rec> {
  const child = new Child("openssl", ["s_server", "-accept", "127.0.0.1:0", "-cert", C.rsa, "-key", C.rsa_key]);
  try {
    const port = Number((await child.first_match(/ACCEPT [^\n]*:(\d+)\n/))[1]);
    const client = kind === "pysocket" ? pysocket_talk(port, maxv) : (async () => {
      const o = await new Deno.Command("python3", {
        args: ["-c", PY_TALK, JSON.stringify({ ca: C.ca, port, maxv })],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(30_000),
      }).output();
      try {
        return JSON.parse(dec.decode(o.stdout)) as Rec;
      } catch {
        return { crashed: dec.decode(o.stderr).slice(-300) };
      }
    })();
    await child.first_match(/^hi$/m);
    for (const c of [...cmds, "line1", "line2"]) {
      await new Promise((r) => setTimeout(r, 250));
      await child.write(c + "\n");
    }
    const rec = await client;
    // Both clients send "after" once they have read line2, and never otherwise: a client that did not read it (the
    // renegotiation row's pysocket client) sent nothing for the server to read, so no 5 s wait for that line.
    if (typeof rec.got === "string" && rec.got.includes("line2")) {
      await child.first_match(/^after$/m, 5000).then(() => rec.server_read = "after", () => rec.server_read = null);
    } else rec.server_read = null;
    return rec;
  } finally {
    await child.stop();
  }
}

const TALKS: { name: string; cmds: string[]; maxv?: "1.2" }[] = [
  { name: "s_server sends data only", cmds: [] },
  { name: "s_server TLS 1.3 KeyUpdate (k)", cmds: ["k"] },
  { name: "s_server TLS 1.3 KeyUpdate update_requested (K)", cmds: ["K"] },
  { name: "s_server TLS 1.3 KeyUpdates k, K, k", cmds: ["k", "K", "k"] },
  { name: "s_server TLS 1.2 data only", cmds: [], maxv: "1.2" },
  { name: "s_server TLS 1.2 renegotiation request (R)", cmds: ["R"], maxv: "1.2" },
];

test("adv17c: a pysocket TLS client reads on through an openssl s_server's KeyUpdates (and renegotiation request), beside CPython's", async () => {
  const bad: string[] = [];
  let equal = 0;
  // Each talk has its own s_server: all six rows at once, a row's CPython and pysocket talks too.
  const results = await pooled(
    TALKS,
    6,
    (t) => Promise.all([talk("cpython", t.cmds, t.maxv), talk("pysocket", t.cmds, t.maxv)]),
  );
  for (const [i, t] of TALKS.entries()) {
    const [py, ts] = results[i]!;
    if (JSON.stringify(py) === JSON.stringify(ts)) {
      equal++;
      console.log(`  = ${t.name}: ${JSON.stringify(ts)}`);
      continue;
    }
    // A17c-3 (documented, rustls): Deno's TLS answers a TLS 1.2 server's HelloRequest with a no_renegotiation
    // warning alert, which OpenSSL's server treats as fatal (it sends handshake_failure and drops the connection);
    // CPython's client renegotiates and reads on.
    if (
      t.cmds.includes("R") && py.end === "ok" && ts.end === "SSLError" && ts.reason === "SSLV3_ALERT_HANDSHAKE_FAILURE"
    ) {
      console.log(`  ~ ${t.name}: no renegotiation; OpenSSL's server ends the connection (A17c-3, limits.md)`);
      continue;
    }
    bad.push(`${t.name}\n  CPython  ${JSON.stringify(py)}\n  pysocket ${JSON.stringify(ts)}`);
  }
  console.log(`adv17c post-handshake rows: ${TALKS.length}, ${equal} equal to CPython`);
  assert.deepEqual(bad, [], `rows that differ from CPython:\n${bad.join("\n")}`);
});

/** Known, documented differences (a reason), else null. */
function documented(_row: Row, py: Rec[], ts: Rec[]): string | null {
  void py;
  void ts;
  return null;
}

test("adv17c: a pysocket TLS client against openssl s_server, python3, node, Deno and nginx servers, beside CPython's", async () => {
  const filter = Deno.env.get("ADV17C_ROW");
  const rows = ROWS.filter((r) => {
    if (r.needs && !HAVE[r.needs]) {
      console.log(`  skipped: ${r.name} (${r.needs} is not installed)`);
      return false;
    }
    return !filter || r.name.includes(filter);
  });
  let equal = 0;
  const lines: string[] = [];
  const bad: string[] = [];
  let next = 0;
  const hub = new Hub(PY_CLIENT);
  // Rows are independent (each client has its own server), and a row's two halves too: four rows at a time, each
  // running CPython's client and pysocket's at once.
  const worker = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const cfg = row.client ?? {};
      const half = async (client: (port: number) => Promise<Rec[]>): Promise<Rec[]> => {
        const srv = await row.server();
        try {
          return await client(srv.port);
        } finally {
          await srv.stop();
        }
      };
      const [py, ts] = await Promise.all([
        half((port) => cpython_client(hub, port, cfg)),
        half((port) => pysocket_client(port, cfg)),
      ]);
      if (JSON.stringify(py) === JSON.stringify(ts)) {
        equal++;
        lines.push(`  = ${row.name}: ${JSON.stringify(ts[0])}`);
        continue;
      }
      const why = documented(row, py, ts);
      if (why) {
        lines.push(`  ~ ${row.name}: ${why}`);
        continue;
      }
      bad.push(`${row.name}\n  CPython  ${JSON.stringify(py)}\n  pysocket ${JSON.stringify(ts)}`);
    }
  };
  server_hub = new Hub(PY_SERVER);
  try {
    await Promise.all([worker(), worker(), worker(), worker()]);
  } finally {
    await hub.close();
    await server_hub.close();
    server_hub = null;
  }
  console.log(`adv17c client matrix: ${rows.length} rows, ${equal} equal to CPython`);
  for (const l of lines) console.log(l);
  assert.deepEqual(bad, [], `rows that differ from CPython:\n${bad.join("\n")}`);
});
