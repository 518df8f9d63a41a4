// Port of http_expect.py (the server thread is a task; dicts are Maps printed as Python prints them;
// bytes % formatting is written out; hashlib.sha256 is crypto.subtle).
import * as socket from "../../mod.ts";
import type { Socket, SocketFile } from "../../mod.ts";
import { b, beq, bjoin, list, print, repr, sleep } from "../ported/_py.ts";

const LIMIT = 100_000;
const sha = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("").slice(0, 12);
const latin1 = (x: Uint8Array) => String.fromCharCode(...x);
const dict = (m: Map<string, string>) => `{${[...m].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;

async function read_headers(f: SocketFile): Promise<Map<string, string>> {
  const headers = new Map<string, string>();
  while (true) {
    const line = latin1(await f.readline(8192) as Uint8Array);
    if (line === "\r\n" || line === "\n" || line === "") return headers;
    const i = line.indexOf(":");
    const [k, v] = i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1)];
    headers.set(k.trim().toLowerCase(), v.trim());
  }
}

async function read_chunked(f: SocketFile): Promise<[Uint8Array, Map<string, string>]> {
  let body: Uint8Array = new Uint8Array(0);
  while (true) {
    const size_line = latin1(await f.readline(1024) as Uint8Array);
    const size = parseInt(size_line.split(";")[0]!.trim(), 16);
    if (size === 0) return [body, await read_headers(f)];
    body = bjoin([body, await f.read(size) as Uint8Array]);
    await f.readline();
  }
}

async function serve_conn(conn: Socket, log: string[]) {
  const f = conn.makefile("rb");
  let served = 0;
  while (true) {
    const line = await f.readline(8192) as Uint8Array;
    if (!line.length) break;
    const [method, path] = latin1(line).trim().split(/\s+/) as [string, string, string];
    const h = await read_headers(f);
    let body: Uint8Array = new Uint8Array(0);
    if ((h.get("expect") ?? "").toLowerCase() === "100-continue") {
      if (Number(h.get("content-length") ?? "0") > LIMIT) {
        await conn.sendall(b("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        log.push(`417 for ${h.get("content-length")}`);
        break;
      }
      await conn.sendall(b("HTTP/1.1 100 Continue\r\n\r\n"));
    }
    let trailers = new Map<string, string>();
    if (h.get("transfer-encoding") === "chunked") [body, trailers] = await read_chunked(f);
    else if (h.has("content-length")) body = await f.read(Number(h.get("content-length"))) as Uint8Array;
    served += 1;
    log.push(`${method} ${path} body ${body.length} trailers ${repr(list([...trailers].sort()))}`);
    const close = (h.get("connection") ?? "").toLowerCase() === "close";
    const extra = close ? "Connection: close\r\n" : "";
    if (path === "/echo") {
      const head = b("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sha\r\n" + extra + "\r\n");
      const out: Uint8Array[] = [head];
      for (let i = 0; i < body.length; i += 7000) {
        const p = body.subarray(i, i + 7000);
        out.push(b(`${p.length.toString(16)}\r\n`), p, b("\r\n"));
      }
      out.push(b(`0\r\nX-Sha: ${await sha(body)}\r\n\r\n`));
      await conn.sendall(bjoin(out));
    } else {
      const text = b(`${method} ${path} #${served}\n`);
      const head = b(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n` + extra);
      await conn.sendall(bjoin([head, b("\r\n"), method === "HEAD" ? new Uint8Array(0) : text]));
    }
    if (close) break;
  }
  await f.close();
  conn.close();
  log.push(`connection closed after ${served}`);
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];
const log: string[] = [];

async function server(n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await lsock.accept();
    await serve_conn(conn, log);
  }
}

const st = server(2);

async function response(r: SocketFile, method = "GET"): Promise<[string, Uint8Array, Map<string, string>]> {
  const status = latin1(await r.readline() as Uint8Array).trimEnd();
  const h = await read_headers(r);
  if (method === "HEAD") return [status, new Uint8Array(0), new Map()];
  if (h.get("transfer-encoding") === "chunked") {
    const [body, trailers] = await read_chunked(r);
    return [status, body, trailers];
  }
  return [status, await r.read(Number(h.get("content-length") ?? 0)) as Uint8Array, new Map()];
}
const show = ([s, body, t]: [string, Uint8Array, Map<string, string>]) => `(${repr(s)}, ${repr(body)}, ${dict(t)})`;

let c = await socket.create_connection(["127.0.0.1", port], 10);
let r = c.makefile("rb");
await c.sendall(b("GET /first HTTP/1.1\r\nHost: localhost\r\n\r\n"));
print(show(await response(r)));

const unit = Uint8Array.from({ length: 256 }, (_, i) => i);
const body = bjoin(Array(80).fill(unit));
await c.sendall(
  b(`POST /echo HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n`),
);
c.settimeout(2);
const interim = await r.readline();
print("interim:", interim, await r.readline());
c.settimeout(10);
await c.sendall(body);
{
  const [status, got, trailers] = await response(r);
  print(status, got.length, beq(got, body), dict(trailers), await sha(body));
}

await c.sendall(
  b("GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n"),
);
for (const m of ["GET", "HEAD", "GET"]) print("pipelined:", show(await response(r, m)));

const pieces = [
  b("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"),
  b("5"),
  b(";name=v\r\nhel"),
  b("lo\r\n1"),
  b("0\r\n" + "z".repeat(16) + "\r\n0\r\nX-Note: trailing\r\n"),
  b("\r\n"),
];
for (const p of pieces) {
  await c.sendall(p);
  await sleep(0.02);
}
{
  const [status, got, trailers] = await response(r);
  print("chunked upload:", status, got, dict(trailers));
}

await c.sendall(b("GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
print(show(await response(r)));
print("then EOF:", await r.read());
await r.close();
c.close();

c = await socket.create_connection(["127.0.0.1", port], 10);
r = c.makefile("rb");
await c.sendall(b("PUT /big HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 50000000\r\n\r\n"));
print("too big:", show(await response(r)), "then EOF:", await r.read());
await r.close();
c.close();
await st;
lsock.close();
for (const line of log) print("server:", line);
