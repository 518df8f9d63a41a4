// Port of proxy_pool.py (threads are tasks; threading.Event is a flag; EOFError is a class of its own; `%d`/`%s`
// formatting is templates; `line.split()[1]` is a split of the decoded line; the pool keeps [socket, file] pairs).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, decode, print, sleep } from "../ported/_py.ts";

type File = ReturnType<Socket["makefile"]>;
const log: string[] = [];
let stop = false;
const is_end = (h: Uint8Array) => !h.length || decode(h) === "\r\n";

class EOFError extends Error {}

async function readline(f: File): Promise<Uint8Array> {
  return await f.readline() as Uint8Array;
}

async function upstream_conn(conn: Socket, k: number) {
  conn.settimeout(0.3);
  const f = conn.makefile("rb");
  let served = 0;
  try {
    while (true) {
      const line = await readline(f);
      if (!line.length) {
        log.push(`upstream conn#${k}: EOF after ${served} requests`);
        break;
      }
      const path = decode(line).split(/\s+/)[1];
      while (!is_end(await readline(f))) { /* headers */ }
      served += 1;
      const body = b(`conn#${k} req#${served} ${path}`);
      await conn.sendall(bjoin([b(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    }
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    log.push(`upstream conn#${k}: closed idle after ${served} requests`);
  }
  await f.close();
  conn.close();
}

async function upstream(lsock: Socket) {
  lsock.settimeout(0.05);
  let k = 0;
  const ts: Promise<void>[] = [];
  while (!stop) {
    let conn: Socket;
    try {
      [conn] = await lsock.accept();
    } catch (e) {
      if (e instanceof socket.TimeoutError) continue;
      throw e;
    }
    k += 1;
    ts.push(upstream_conn(conn, k));
  }
  await Promise.all(ts);
  lsock.close();
}

async function read_response(f: File): Promise<[Uint8Array, Uint8Array]> {
  const status = await readline(f);
  if (!status.length) throw new EOFError("upstream closed");
  let length = 0;
  while (true) {
    const h = await readline(f);
    if (is_end(h)) break;
    const text = decode(h);
    const colon = text.indexOf(":");
    if (text.slice(0, colon).toLowerCase() === "content-length") length = Number(text.slice(colon + 1));
  }
  return [status, await f.read(length) as Uint8Array];
}

const up = socket.create_server(["127.0.0.1", 0]);
const up_addr = up.getsockname() as [string, number];
const pool: [Socket, File][] = [];
let opened = 0;

async function forward(request: Uint8Array, path: string): Promise<[Uint8Array, Uint8Array]> {
  for (const _attempt of [1, 2]) {
    let conn: Socket, f: File, fresh: boolean;
    if (pool.length) {
      [conn, f] = pool.pop()!;
      fresh = false;
    } else {
      conn = await socket.create_connection(up_addr, 5);
      f = conn.makefile("rb");
      opened += 1;
      fresh = true;
    }
    let status: Uint8Array, body: Uint8Array;
    try {
      await conn.sendall(request);
      [status, body] = await read_response(f);
    } catch (e) {
      if (!(e instanceof socket.OSError || e instanceof EOFError)) throw e;
      const kind = (e as Error).constructor.name;
      log.push(`proxy: ${path}: ${fresh ? "a fresh" : "a"} pooled connection failed (${kind}), retrying`);
      await f.close();
      conn.close();
      if (fresh) throw e;
      continue;
    }
    pool.push([conn, f]);
    return [status, body];
  }
  throw new Error("no upstream");
}

async function front(lsock: Socket) {
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  const f = conn.makefile("rb");
  while (true) {
    const line = await readline(f);
    if (!line.length) break;
    const headers = [line];
    while (!is_end(headers[headers.length - 1]!)) headers.push(await readline(f));
    const path = decode(line).split(/\s+/)[1]!;
    const [status, body] = await forward(bjoin(headers), path);
    await conn.sendall(bjoin([status, b(`Content-Length: ${body.length}\r\nVia: pool\r\n\r\n`), body]));
  }
  await f.close();
  conn.close();
}

const ut = upstream(up);
const fl = socket.create_server(["127.0.0.1", 0]);
const ft = front(fl);

const c = await socket.create_connection(fl.getsockname() as [string, number], 5);
const cf = c.makefile("rb");

async function get(path: string) {
  await c.sendall(b(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
  const [status, body] = await read_response(cf);
  print("client", path, b(decode(status).trim()), body);
}

for (const p of ["/a", "/b", "/c"]) await get(p);
await sleep(0.6); // the upstream closes the idle pooled connection
await get("/d");
await get("/e");
await cf.close();
c.close();
await ft;
fl.close();
for (const [conn, f] of pool) {
  await f.close();
  conn.close();
}
await sleep(0.4);
stop = true;
await ut;
print("upstream connections opened by the proxy:", opened);
for (const line of log) print(line);
