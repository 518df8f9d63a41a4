// Port of connect_proxy.py (threads become tasks; the selectors loop as in Python, its data a Conn object).
import * as socket from "../../mod.ts";
import { OSError } from "../../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../../selectors.ts";
import { create_default_context, Purpose } from "../../ssl.ts";
import { bjoin, print, PyList, repr } from "../ported/_py.ts";

const certs = Deno.args[0]!;
const log: string[] = [];
const enc = new TextEncoder();
const latin1 = (b: Uint8Array) => new TextDecoder("latin1").decode(b);
const B = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

// ---- the TLS origin server ----
const server_ctx = create_default_context(Purpose.CLIENT_AUTH);
server_ctx.load_cert_chain(certs + "/server.pem", certs + "/server.key");
const origin = socket.socket();
origin.bind(["127.0.0.1", 0]);
origin.listen(5);
const ORIGIN_PORT = origin.getsockname()[1];

async function origin_client(conn: socket.Socket) {
  await using s = await server_ctx.wrap_socket(conn, { server_side: true });
  const f = s.makefile("rb");
  while (true) {
    const line = await f.readline() as Uint8Array;
    if (!line.length) break;
    while (true) {
      const h = latin1(await f.readline() as Uint8Array);
      if (h === "\r\n" || h === "") break;
    }
    const body = enc.encode(`you asked for ${latin1(line).split(/\s+/)[1]} over ${s.version()}\n`);
    await s.sendall(bjoin([B(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
  }
  await f.close();
}

async function origin_loop(n: number) {
  const threads = [];
  for (let i = 0; i < n; i++) {
    const [conn] = await origin.accept();
    threads.push(origin_client(conn));
  }
  await Promise.all(threads);
}

// ---- the proxy ----
const proxy = socket.socket();
proxy.bind(["127.0.0.1", 0]);
proxy.listen(5);
proxy.setblocking(false);
const PROXY = proxy.getsockname();
const sel = new DefaultSelector<Conn | null>();
const live = new Set<Conn>();

class Conn {
  sock: socket.Socket;
  head: Uint8Array | null; // the CONNECT request while it is read, then null
  peer: Conn | null = null;
  out: Uint8Array = new Uint8Array();
  read_done = false;
  shut_pending = false; // the peer's EOF, passed on once out is sent
  write_done = false;
  registered = false;
  constructor(sock: socket.Socket, head: Uint8Array | null) {
    this.sock = sock;
    this.head = head;
    live.add(this);
  }
}

function close(c: Conn) {
  if (c.registered) {
    sel.unregister(c.sock);
    c.registered = false;
  }
  c.sock.close();
  live.delete(c);
}

function update(c: Conn) {
  if (!live.has(c)) return;
  if (c.read_done && c.write_done) return close(c);
  const mask = (c.read_done ? 0 : EVENT_READ) | (c.out.length || c.shut_pending ? EVENT_WRITE : 0);
  if (mask && c.registered) {
    sel.modify(c.sock, mask, c);
  } else if (mask) {
    sel.register(c.sock, mask, c);
    c.registered = true;
  } else if (c.registered) {
    sel.unregister(c.sock);
    c.registered = false;
  }
}

async function reply_and_close(c: Conn, status: string) {
  c.sock.setblocking(true);
  await c.sock.sendall(B(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`));
  close(c);
}

async function on_head(c: Conn) {
  const text = latin1(c.head!);
  const line = text.split("\r\n", 1)[0]!;
  const parts = line.split(/\s+/).filter((w) => w);
  if (parts.length !== 3 || parts[0] !== "CONNECT") {
    log.push(`refused ${repr(PyList.from(parts.slice(0, 1).map(B)))}`);
    return await reply_and_close(c, "405 Method Not Allowed");
  }
  const i = parts[1]!.lastIndexOf(":");
  const [host, port] = i < 0 ? ["", parts[1]!] : [parts[1]!.slice(0, i), parts[1]!.slice(i + 1)];
  if (!/^\d+$/.test(port) || !["localhost", "127.0.0.1"].includes(host)) {
    log.push(`bad target ${repr(B(parts[1]!))}`);
    return await reply_and_close(c, "400 Bad Request");
  }
  let up: socket.Socket;
  try {
    up = await socket.create_connection([host, Number(port)], { timeout: 5 });
  } catch (e) {
    if (!(e instanceof OSError)) throw e;
    log.push(`upstream failed: ${e.strerror}`);
    return await reply_and_close(c, "502 Bad Gateway");
  }
  log.push(`tunnel to ${Number(port) === ORIGIN_PORT ? "the origin" : "elsewhere"}`);
  up.setblocking(false);
  const u = new Conn(up, null);
  [u.peer, c.peer] = [c, u];
  c.out = B("HTTP/1.1 200 Connection established\r\n\r\n");
  u.out = B(text.slice(text.indexOf("\r\n\r\n") + 4));
  c.head = null;
  update(c);
  update(u);
}

async function pump(c: Conn, mask: number) {
  if (mask & EVENT_READ) {
    const data = await c.sock.recv(65536);
    if (c.head !== null) { // still reading the CONNECT request
      if (!data.length) return close(c);
      c.head = bjoin([c.head, data]);
      if (latin1(c.head).includes("\r\n\r\n")) await on_head(c);
      return;
    }
    if (data.length) {
      c.peer!.out = bjoin([c.peer!.out, data]);
    } else {
      c.read_done = true;
      c.peer!.shut_pending = true;
    }
    update(c.peer!);
  }
  if (mask & EVENT_WRITE && c.out.length) {
    const n = await c.sock.send(c.out);
    c.out = c.out.slice(n);
  }
  if (!c.out.length && c.shut_pending) {
    c.shut_pending = false;
    await c.sock.shutdown(socket.SHUT_WR);
    c.write_done = true;
  }
  update(c);
}

async function proxy_loop(tunnels: number) {
  sel.register(proxy, EVENT_READ, null);
  let served = 0;
  while (served < tunnels || live.size) {
    for (const [key, mask] of await sel.select(10)) {
      if (key.data === null) {
        const [conn] = await proxy.accept();
        conn.setblocking(false);
        update(new Conn(conn, new Uint8Array()));
        served += 1;
      } else if (live.has(key.data!)) {
        try {
          await pump(key.data!, mask);
        } catch (e) { // a reset: the tunnel is over both ways
          if (!(e instanceof OSError)) throw e;
          for (const c of [key.data!, key.data!.peer]) {
            if (c !== null && live.has(c)) close(c);
          }
        }
      }
    }
  }
  sel.unregister(proxy);
  proxy.close();
}

// ---- the clients ----
const client_ctx = create_default_context({ cafile: certs + "/ca.pem" });

async function tunnel(target: string): Promise<[socket.Socket, Uint8Array]> {
  const s = await socket.create_connection(PROXY);
  await s.sendall(B(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`));
  let head = new Uint8Array();
  while (!latin1(head).includes("\r\n\r\n")) {
    const data = await s.recv(1); // byte by byte: nothing of the tunnel is read before wrap_socket
    if (!data.length) break;
    head = bjoin([head, data]);
  }
  return [s, B(latin1(head).split("\r\n")[0]!)];
}

async function https_get(s: socket.Socket, paths: string[]): Promise<unknown[]> {
  await using t = await client_ctx.wrap_socket(s, { server_hostname: "localhost" });
  const out: unknown[] = [t.version(), t.getpeercert()!.subject![0]![0]![1]];
  const f = t.makefile("rb");
  for (const path of paths) {
    await t.sendall(B(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
    const status = await f.readline() as Uint8Array;
    let length = 0;
    while (true) {
      const h = latin1(await f.readline() as Uint8Array);
      if (h === "\r\n") break;
      if (h.toLowerCase().startsWith("content-length:")) length = Number(h.split(":")[1]!.trim());
    }
    out.push([B(latin1(status).trim()), await f.read(length)]);
  }
  await f.close();
  return out;
}

const proxy_thread = proxy_loop(6);
const origin_thread = origin_loop(3);

const target = `localhost:${ORIGIN_PORT}`;
let [s, status] = await tunnel(target);
print("CONNECT ->", status);
for (const item of await https_get(s, ["/one", "/two"])) print("  ", item);

const closed = socket.socket();
closed.bind(["127.0.0.1", 0]);
const closed_target = `127.0.0.1:${closed.getsockname()[1]}`;
closed.close();
for (const [label, tgt] of [["a closed port", closed_target], ["a bad target", "example.org:443"]]) {
  [s, status] = await tunnel(tgt!);
  print(label, "->", status, await s.recv(100));
  s.close();
}
s = await socket.create_connection(PROXY);
await s.sendall(B("GET http://localhost/ HTTP/1.1\r\nHost: localhost\r\n\r\n"));
print("GET to the proxy ->", B(latin1(await s.recv(1024)).split("\r\n")[0]!), await s.recv(100));
s.close();

const results = new Map<string, [Uint8Array, unknown[]]>();

async function both(name: string) {
  const [s, status] = await tunnel(target);
  results.set(name, [status, await https_get(s, Array(3).fill("/" + name))]);
}

await Promise.all(["left", "right"].map(both));
for (const name of [...results.keys()].sort()) {
  print(name, results.get(name)![0], PyList.from(results.get(name)![1].slice(2)));
}
await proxy_thread;
await origin_thread;
origin.close();
print("proxy log:", PyList.from(log.sort()));
