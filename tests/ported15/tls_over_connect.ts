// Port of tls_over_connect.py (the origin and proxy threads are tasks; the selector's data are tagged tuples;
// hashlib.sha256 is node:crypto's; dict(...) of the subject and its repr are pydict(); the allow-list set of
// (host, port) tuples holds "host:port" strings).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as ssl from "../../ssl.ts";
import { DefaultSelector, EVENT_READ } from "../../selectors.ts";
import { createHash } from "node:crypto";
import { b, bjoin, decode, join, print, repr } from "../ported/_py.ts";

const d = Deno.args[0];
const log: string[] = [];
const BIG = Uint8Array.from({ length: 200_000 }, (_, i) => i * 7 % 251);

/** Python's repr() of a dict of strings. */
const pydict = (o: Record<string, string>) =>
  `{${Object.entries(o).map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;

function find(x: Uint8Array, sep: Uint8Array): number {
  for (let i = 0; i + sep.length <= x.length; i++) if (sep.every((c, j) => x[i + j] === c)) return i;
  return -1;
}
const CRLF2 = b("\r\n\r\n");

async function origin(lsock: Socket, n: number) {
  const ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH);
  ctx.load_cert_chain(d + "/server.pem", d + "/server.key");
  for (let i = 0; i < n; i++) {
    const [raw] = await lsock.accept();
    raw.settimeout(5);
    using conn = await ctx.wrap_socket(raw, { server_side: true });
    let req = new Uint8Array(0);
    while (find(req, CRLF2) < 0) {
      const chunk = await conn.recv(1024);
      if (!chunk.length) break;
      req = bjoin([req, chunk]);
    }
    const path = decode(req).split(" ")[1];
    const body = path === "/big" ? BIG : b(`hello through the tunnel (${conn.version()})\n`);
    await conn.sendall(
      bjoin([b(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]),
    );
  }
}

type Tunnel = { n: number; open: number; socks: [Socket, Socket] };
type Data =
  | ["accept", null]
  | ["head", { n: number; buf: Uint8Array }]
  | ["relay", [Tunnel, Socket, string]];

class Proxy {
  sel = new DefaultSelector<Data>();
  n = 0;

  constructor(public lsock: Socket, public allowed: Set<string>, public left: number) {
    this.sel.register(lsock, EVENT_READ, { data: ["accept", null] });
  }

  async run() {
    while (this.left) {
      for (const [key] of await this.sel.select(5)) {
        const data = key.data!;
        if (data[0] === "accept") {
          const [conn] = await this.lsock.accept();
          this.n += 1;
          this.sel.register(conn, EVENT_READ, { data: ["head", { n: this.n, buf: new Uint8Array(0) }] });
        } else if (data[0] === "head") {
          await this.head(key.fileobj as Socket, data[1]);
        } else {
          await this.relay(key.fileobj as Socket, data[1]);
        }
      }
    }
    this.sel.close();
  }

  async head(conn: Socket, st: { n: number; buf: Uint8Array }) {
    const chunk = await conn.recv(4096);
    st.buf = bjoin([st.buf, chunk]);
    if (chunk.length && find(st.buf, CRLF2) < 0) return;
    this.sel.unregister(conn);
    const line = decode(st.buf).split("\r\n")[0]!;
    const [method, target] = line.split(" ") as [string, string];
    const i = target.lastIndexOf(":");
    const [host, port] = [target.slice(0, i), target.slice(i + 1)];
    if (method !== "CONNECT" || !this.allowed.has(`${host}:${Number(port)}`)) {
      log.push(`tunnel ${st.n}: ${method} ${host} refused`);
      await conn.sendall(b("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
      conn.close();
      this.left -= 1;
      return;
    }
    const up = await socket.create_connection(["127.0.0.1", Number(port)], { timeout: 5 });
    await conn.sendall(b("HTTP/1.1 200 Connection established\r\n\r\n"));
    log.push(`tunnel ${st.n}: CONNECT ${host} established`);
    const t: Tunnel = { n: st.n, open: 2, socks: [conn, up] };
    this.sel.register(conn, EVENT_READ, { data: ["relay", [t, up, "client"]] });
    this.sel.register(up, EVENT_READ, { data: ["relay", [t, conn, "origin"]] });
  }

  async relay(src: Socket, st: [Tunnel, Socket, string]) {
    const [t, dst, name] = st;
    const data = await src.recv(65536);
    if (data.length) {
      await dst.sendall(data);
      return;
    }
    log.push(`tunnel ${t.n}: ${name} sent EOF, passed on`);
    this.sel.unregister(src);
    try {
      await dst.shutdown(socket.SHUT_WR);
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      // the other side is gone already (it closed, or reset)
    }
    t.open -= 1;
    if (t.open === 0) {
      for (const s of t.socks) s.close();
      log.push(`tunnel ${t.n}: closed`);
      this.left -= 1;
    }
  }
}

async function fetch(paddr: [string, number], target: string, path: string, cctx: ssl.SSLContext) {
  const s = await socket.create_connection(paddr, { timeout: 5 });
  await s.sendall(b(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
  let head = new Uint8Array(0);
  while (find(head, CRLF2) < 0) {
    const chunk = await s.recv(1);
    if (!chunk.length) break;
    head = bjoin([head, chunk]);
  }
  const status = decode(head).split("\r\n")[0]!;
  print(`CONNECT ${target.split(":")[0]} -> ${status}`);
  if (!status.includes(" 200 ")) {
    s.close();
    return;
  }
  let data = new Uint8Array(0);
  {
    using tls = await cctx.wrap_socket(s, { server_hostname: "localhost" });
    const subject = (tls.getpeercert() as { subject: [string, string][][] }).subject;
    print(
      `  TLS ${tls.version()}, server_hostname ${tls.server_hostname}, peer ${
        pydict(Object.fromEntries(subject.map((x) => x[0]!)))
      }`,
    );
    await tls.sendall(b(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    while (true) {
      const chunk = await tls.recv(65536);
      if (!chunk.length) break;
      data = bjoin([data, chunk]);
    }
  }
  const k = find(data, CRLF2);
  const [rhead, body] = k < 0 ? [data, new Uint8Array(0)] : [data.subarray(0, k), data.subarray(k + 4)];
  print(
    `  ${path}: ${decode(rhead).split("\r\n")[0]}, ${body.length} body bytes, sha256 ${
      createHash("sha256").update(body).digest("hex").slice(0, 16)
    }`,
  );
  if (body.length < 100) print("  body:", body);
}

{
  using olsock = socket.create_server(["127.0.0.1", 0]);
  using plsock = socket.create_server(["127.0.0.1", 0]);
  const oport = (olsock.getsockname() as [string, number])[1];
  const ot = origin(olsock, 2);
  const proxy = new Proxy(plsock, new Set([`localhost:${oport}`]), 3);
  const pt = proxy.run();
  const cctx = ssl.create_default_context({ cafile: d + "/ca.pem" });
  const paddr = plsock.getsockname() as [string, number];
  await fetch(paddr, `localhost:${oport}`, "/", cctx);
  await fetch(paddr, "evil.example:443", "/", cctx);
  await fetch(paddr, `localhost:${oport}`, "/big", cctx);
  await join(pt, 10);
  await join(ot, 10);
}

for (const line of log) print(line);
