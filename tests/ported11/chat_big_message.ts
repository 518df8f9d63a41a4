// Port of chat_big_message.py (client threads are tasks; dicts keyed by socket are Maps; bytes.split(b"\n") is a
// newline search over the buffered chunks; bytearray's del [:sent] is subarray(); zlib.crc32 is node:zlib's;
// sorted(dict.items()) is sorted by key).
import { crc32 } from "node:zlib";
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, decode, list, print, sleep } from "../ported/_py.ts";

const N = 4;
const big = b(Array.from({ length: 131072 }, (_, i) => String(i).padStart(7, "0") + ",").join("")).subarray(
  0,
  1 << 20,
);
const LINES = new Map<number, Uint8Array[]>();
for (let i = 0; i < N; i++) LINES.set(i, [b(`hello from ${i}`), b(`bye from ${i}`)]);
LINES.get(0)!.splice(1, 0, big);
const results = new Map<number, Map<number, [number, number, number]>>();
const NL = b("\n");

/** `*lines, buf = buf.split(b"\n")` over a list of chunks: the complete lines, the rest kept in `chunks`. */
function split_lines(chunks: Uint8Array[]): Uint8Array[] {
  const last = chunks[chunks.length - 1]!;
  if (!last.includes(0x0a)) return [];
  const all = bjoin(chunks);
  const lines: Uint8Array[] = [];
  let at = 0;
  for (let nl = all.indexOf(0x0a); nl >= 0; nl = all.indexOf(0x0a, at)) {
    lines.push(all.subarray(at, nl));
    at = nl + 1;
  }
  chunks.length = 0;
  chunks.push(all.subarray(at));
  return lines;
}

async function client(i: number, addr: [string, number]) {
  let expect = 0;
  for (const [k, v] of LINES) if (k !== i) expect += v.length;
  using s = await socket.create_connection(addr, 10);
  await s.sendall(b(`${i}\n`)); // who I am
  let go = new Uint8Array(0);
  while (go.length < 3) go = bjoin([go, await s.recv(3 - go.length)]); // the server says go once all are in
  for (const line of LINES.get(i)!) await s.sendall(bjoin([line, NL]));
  if (i === 3) await sleep(0.3);
  const got = new Map<number, [number, number, number]>();
  const buf: Uint8Array[] = [new Uint8Array(0)];
  let n = 0;
  while (n < expect) {
    const data = await s.recv(i === 3 ? 1024 : 65536);
    if (!data.length) break;
    buf.push(data);
    for (const line of split_lines(buf)) {
      const sep = line.indexOf(0x3a);
      const sender = Number(decode(line.subarray(0, sep)));
      const body = line.subarray(sep + 2);
      const [c, size, crc] = got.get(sender) ?? [0, 0, 0];
      got.set(sender, [c + 1, size + body.length, crc32(body, crc)]);
      n += 1;
    }
  }
  results.set(i, got);
}

const lsock = socket.create_server(["127.0.0.1", 0]);
lsock.setblocking(false);
const sel = new selectors.DefaultSelector();
sel.register(lsock, selectors.EVENT_READ);
const threads = Array.from({ length: N }, (_, i) => client(i, lsock.getsockname() as [string, number]));

const ids = new Map<Socket, number | null>();
const inbuf = new Map<Socket, Uint8Array[]>();
const outbuf = new Map<Socket, Uint8Array>();
const writing = new Set<Socket>();
let joined = 0;
let gone = 0;
const deadline = performance.now() + 20_000;

async function queue(conn: Socket, data: Uint8Array) {
  if (!outbuf.get(conn)!.length && !writing.has(conn)) {
    let sent: number;
    try {
      sent = await conn.send(data);
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      sent = 0;
    }
    data = data.subarray(sent);
  }
  if (data.length) {
    outbuf.set(conn, bjoin([outbuf.get(conn)!, data]));
    if (!writing.has(conn)) {
      writing.add(conn);
      sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE);
    }
  }
}

while (gone < N && performance.now() < deadline) {
  for (const [key, mask] of await sel.select(1)) {
    const s = key.fileobj as Socket;
    if (s === lsock) {
      const [conn] = await lsock.accept();
      conn.setblocking(false);
      ids.set(conn, null);
      inbuf.set(conn, [new Uint8Array(0)]);
      outbuf.set(conn, new Uint8Array(0));
      sel.register(conn, selectors.EVENT_READ);
      joined += 1;
      continue;
    }
    if (mask & selectors.EVENT_WRITE && outbuf.get(s)!.length) {
      const sent = await s.send(outbuf.get(s)!);
      outbuf.set(s, outbuf.get(s)!.subarray(sent));
      if (!outbuf.get(s)!.length) {
        writing.delete(s);
        sel.modify(s, selectors.EVENT_READ);
      }
    }
    if (mask & selectors.EVENT_READ) {
      const data = await s.recv(65536);
      if (!data.length) {
        sel.unregister(s);
        s.close();
        gone += 1;
        continue;
      }
      inbuf.get(s)!.push(data);
      for (const line of split_lines(inbuf.get(s)!)) {
        if (ids.get(s) === null) {
          ids.set(s, Number(decode(line)));
          if ([...ids.values()].filter((v) => v !== null).length === N) {
            for (const c of ids.keys()) await queue(c, b("go\n"));
          }
          continue;
        }
        const msg = bjoin([b(`${ids.get(s)}: `), line, NL]);
        for (const other of [...outbuf.keys()]) {
          if (other !== s && other.fileno() !== -1) await queue(other, msg);
        }
      }
    }
  }
}
await Promise.all(threads);
sel.close();
lsock.close();
print("joined", joined, "gone", gone);
for (const i of [...results.keys()].sort()) {
  const want = new Map<number, [number, number, number]>();
  for (const [k, v] of LINES) {
    if (k !== i) want.set(k, [v.length, v.reduce((a, x) => a + x.length, 0), crc32(bjoin(v))]);
  }
  const got = results.get(i)!;
  const items = list([...got.entries()].sort((x, y) => x[0] - y[0]));
  const same = got.size === want.size && [...want].every(([k, v]) => got.get(k)?.every((x, j) => x === v[j]));
  print("client", i, "got", items, "as sent:", same);
}
