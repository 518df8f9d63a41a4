// Port of gemini_tofu.py (the server thread is a task; hashlib.sha256 is node:crypto's; urlparse() is the URL
// class, quote()/unquote() are encodeURIComponent()/decodeURIComponent(); a dict's repr is pydict()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { createHash } from "node:crypto";
import { b, bjoin, decode, join, print, repr } from "../ported/_py.ts";

const d = Deno.args[0];
const PAGES: Record<string, Uint8Array> = { "/": b("# Welcome\n=> /about About\n"), "/about": b("A tiny capsule.\n") };
const log: string[] = [];

/** Python's repr() of a dict (None for null). */
function pydict(x: unknown): string {
  if (x === null || x === undefined) return "None";
  const entries = Object.entries(x as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;
}

/** partition(sep) of bytes: [before, after], or [x, empty] when sep is absent. */
function partition(x: Uint8Array, sep: Uint8Array): [Uint8Array, Uint8Array] {
  for (let i = 0; i + sep.length <= x.length; i++) {
    if (sep.every((c, j) => x[i + j] === c)) return [x.subarray(0, i), x.subarray(i + sep.length)];
  }
  return [x, new Uint8Array(0)];
}
const has_crlf = (x: Uint8Array) => partition(x, b("\r\n"))[0].length !== x.length;

async function respond(conn: Socket): Promise<string> {
  let buf = new Uint8Array(0);
  while (!has_crlf(buf) && buf.length <= 1026) {
    const chunk = await conn.recv(512);
    if (!chunk.length) return !buf.length ? "no request" : "request cut";
    buf = bjoin([buf, chunk]);
  }
  const [line] = partition(buf, b("\r\n"));
  if (line.length > 1024 || !has_crlf(buf)) {
    await conn.sendall(b("59 Request too long\r\n"));
    return "59 for a request line of more than 1024 bytes";
  }
  const url = new URL(decode(line));
  const query = url.search.slice(1);
  if (url.pathname === "/old") {
    await conn.sendall(b("31 gemini://localhost/about\r\n"));
  } else if (url.pathname === "/search") {
    if (!query) await conn.sendall(b("10 What are you looking for?\r\n"));
    else await conn.sendall(b("20 text/gemini\r\n# Results for " + decodeURIComponent(query) + "\n"));
  } else if (url.pathname in PAGES) {
    await conn.sendall(bjoin([b("20 text/gemini; charset=utf-8\r\n"), PAGES[url.pathname]!]));
  } else {
    await conn.sendall(b("51 Not found\r\n"));
  }
  return `${url.pathname + (query ? "?" + query : "")} -> sent`;
}

async function server(lsock: Socket, nconns: number) {
  const contexts: ssl.SSLContext[] = [];
  for (const name of ["self", "server"]) {
    const ctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER);
    ctx.load_cert_chain(d + `/${name}.pem`, d + `/${name}.key`);
    contexts.push(ctx);
  }
  for (let i = 0; i < nconns; i++) {
    const [raw] = await lsock.accept();
    raw.settimeout(5);
    // the certificate is renewed before the last connection
    using conn = await contexts[i === nconns - 1 ? 1 : 0]!.wrap_socket(raw, { server_side: true });
    try {
      log.push(`${i}: ${await respond(conn)}`);
    } catch (e) {
      if (!(e instanceof socket.ConnectionResetError)) throw e;
      // a client that leaves at once may leave the session tickets unread: its close resets
      log.push(`${i}: no request`);
    }
  }
}

const known_hosts = new Map<string, string>();

async function fetch(addr: [string, number], url: string, cctx: ssl.SSLContext, redirects = 3): Promise<string | null> {
  const host = new URL(url).hostname;
  let data = new Uint8Array(0);
  {
    using s = await cctx.wrap_socket(await socket.create_connection(addr, { timeout: 5 }), { server_hostname: host });
    const der = s.getpeercert(true)!;
    const fp = createHash("sha256").update(der).digest("hex");
    if (!known_hosts.has(host)) {
      known_hosts.set(host, fp);
      print(`  TOFU: trusting ${host} (getpeercert() ${pydict(s.getpeercert())}, ${s.version()})`);
    } else if (known_hosts.get(host) !== fp) {
      print(`  TOFU: certificate of ${host} changed, refusing`);
      return null;
    }
    await s.sendall(b(url + "\r\n"));
    while (true) {
      const chunk = await s.recv(4096);
      if (!chunk.length) break;
      data = bjoin([data, chunk]);
    }
  }
  const [header, body] = partition(data, b("\r\n"));
  const h = decode(header);
  const sp = h.indexOf(" ");
  const [status, meta] = sp < 0 ? [h, ""] : [h.slice(0, sp), h.slice(sp + 1)];
  print(`  ${url.length < 60 ? url : url.slice(0, 30) + "..."} -> ${status} ${repr(meta)} ${repr(body)}`);
  if (status.startsWith("3") && redirects) return fetch(addr, meta, cctx, redirects - 1);
  if (status.startsWith("1")) return fetch(addr, url + "?" + encodeURIComponent("hello world"), cctx, redirects);
  return status;
}

const URLS = [
  "gemini://localhost/",
  "gemini://localhost/old",
  "gemini://localhost/missing",
  "gemini://localhost/search",
  "gemini://localhost/" + "x".repeat(1100),
  "gemini://localhost/about",
];

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname() as [string, number];
  const t = server(lsock, 8);
  const cctx = new ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);
  cctx.check_hostname = false;
  cctx.verify_mode = ssl.CERT_NONE;
  for (const url of URLS) {
    print("fetch", url.slice(0, 40));
    print("  final status:", await fetch(addr, url, cctx));
  }
  await join(t, 10);
}

const pem = Deno.readTextFileSync(d + "/self.pem");
print(
  "pinned the self-signed certificate:",
  known_hosts.get("localhost") === createHash("sha256").update(ssl.PEM_cert_to_DER_cert(pem)).digest("hex"),
);
for (const line of log) print(line);
