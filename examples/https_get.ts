/**
 * An HTTPS GET written on pysocket's `ssl`: `create_connection`, then
 * `create_default_context().wrap_socket(sock, { server_hostname })`, then an
 * HTTP/1.1 request with `sendall` and the reply read with `makefile("rb")`.
 * It prints the TLS version, the status, the headers and the body size.
 *
 * With no URL it makes its own CA and a certificate for `localhost` with
 * `openssl` in a temp dir, starts a local TLS server (pysocket too: a
 * listening socket wrapped with `server_side: true`), and fetches from it,
 * trusting only that CA.
 *
 * ```sh
 * deno run -A examples/https_get.ts                          # local server
 * deno run --allow-net examples/https_get.ts https://example.com/
 * ```
 *
 * In Python: `ssl.create_default_context()`,
 * `ctx.wrap_socket(socket.create_connection((host, 443)), server_hostname=host)`.
 * @module
 */

import { create_connection, create_server, type Socket } from "@pysocket/socket";
import { create_default_context, Purpose, type SSLContext, type SSLSocket } from "@pysocket/socket/ssl";

const enc = new TextEncoder();
const dec = new TextDecoder();
const TIMEOUT = 10; // seconds, for connect, the handshake and every read

let url = Deno.args[0];
let ctx: SSLContext = create_default_context();
let server: Promise<void> | null = null;
let tmp: string | null = null;
if (url === undefined) {
  tmp = Deno.makeTempDirSync({ prefix: "https_get_" });
  await make_certs(tmp);
  const sctx = create_default_context(Purpose.CLIENT_AUTH);
  sctx.load_cert_chain(`${tmp}/server.pem`, `${tmp}/server.key`);
  const srv = create_server(["127.0.0.1", 0]);
  const port = (srv.getsockname() as [string, number])[1];
  const listener = await sctx.wrap_socket(srv, { server_side: true });
  server = serve_one(listener).finally(() => listener.close());
  ctx = create_default_context({ cafile: `${tmp}/ca.pem` });
  url = `https://localhost:${port}/hello`;
  console.log(`(no URL given: serving ${url} from a local pysocket TLS server)`);
}
try {
  await get(url, ctx);
  await server;
} finally {
  if (tmp) Deno.removeSync(tmp, { recursive: true });
}

/** GET `url` over TLS and print the status, headers and body size. */
async function get(url: string, ctx: SSLContext): Promise<void> {
  const u = new URL(url);
  if (u.protocol !== "https:") throw new Error(`not an https URL: ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, "");
  const port = Number(u.port || 443);
  const raw = await create_connection([host, port], TIMEOUT);
  using sock = await ctx.wrap_socket(raw, { server_hostname: host });
  console.log(`TLS: ${sock.version()} ${sock.cipher()?.[0]}`);
  const request = `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n` +
    `User-Agent: pysocket-example\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
  await sock.sendall(enc.encode(request));
  const f = sock.makefile("rb");
  const status = dec.decode(await f.readline() as Uint8Array).trimEnd();
  console.log(status);
  const headers = new Map<string, string>();
  for (let i = 0; i < 200; i++) {
    const line = dec.decode(await f.readline() as Uint8Array).trimEnd();
    if (line === "") break;
    console.log(`  ${line}`);
    const k = line.indexOf(":");
    if (k > 0) headers.set(line.slice(0, k).toLowerCase(), line.slice(k + 1).trim());
  }
  let size = 0;
  if (headers.get("transfer-encoding")?.toLowerCase().includes("chunked")) {
    for (;;) {
      const n = parseInt(dec.decode(await f.readline() as Uint8Array), 16);
      if (!(n > 0)) break;
      size += (await f.read(n) as Uint8Array).length;
      await f.readline();
    }
  } else if (headers.has("content-length")) {
    size = (await f.read(Number(headers.get("content-length"))) as Uint8Array).length;
  } else {
    size = (await f.read() as Uint8Array).length;
  }
  console.log(`body: ${size} bytes`);
}

/** Answer one request on a TLS listener with a small page. */
async function serve_one(listener: SSLSocket): Promise<void> {
  listener.settimeout(TIMEOUT);
  const [conn] = await listener.accept();
  using c: Socket = conn;
  c.settimeout(TIMEOUT);
  const f = c.makefile("rb");
  for (let i = 0; i < 200; i++) {
    const line = await f.readline() as Uint8Array;
    if (line.length <= 2) break; // blank line or EOF
  }
  const body = enc.encode("<h1>Hello over TLS from pysocket</h1>\n");
  await c.sendall(enc.encode(
    `HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
  ));
  await c.sendall(body);
}

/** A CA and a certificate for localhost / 127.0.0.1, made with openssl. */
async function make_certs(dir: string): Promise<void> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "piped" }).output();
    if (!out.success) throw new Error(`openssl ${args[0]} failed: ${dec.decode(out.stderr)}`);
  };
  await run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "1",
    "-subj",
    "/CN=https_get example CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
  ); // deno-fmt-ignore
  await run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost");
  Deno.writeTextFileSync(`${dir}/ext.cnf`, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  await run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.pem",
    "-days",
    "1",
    "-extfile",
    "ext.cnf",
  ); // deno-fmt-ignore
}
