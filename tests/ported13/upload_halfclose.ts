// Port of upload_halfclose.py (the server thread is a task whose lines are printed after it ends; zlib.crc32 is a
// small table-less CRC-32; headers.get(...) is a Map; `"%08x" % crc` is padStart).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, decode, print, repr } from "../ported/_py.ts";

const slog: string[] = [];

function crc32(data: Uint8Array): number {
  let c = ~0;
  for (const x of data) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

async function serve(lsock: Socket, n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await lsock.accept();
    conn.settimeout(5);
    const f = conn.makefile("rwb");
    const headers = new Map<string, string>();
    const first = await f.readline(64) as Uint8Array;
    const notes = [`first=${repr(first)}`];
    for (let j = 0; j < 20; j++) {
      let line = await f.readline(32) as Uint8Array;
      if (line.at(-1) !== 0x0a) {
        notes.push(`long header cut at ${line.length}`);
        line = bjoin([line, await f.readline() as Uint8Array]);
      }
      const text = decode(line);
      if (text === "\r\n" || text === "\n" || text === "") break;
      const colon = text.indexOf(":");
      const [k, v] = colon < 0 ? [text, ""] : [text.slice(0, colon), text.slice(colon + 1)];
      headers.set(k.trim().toLowerCase(), v.trim());
    }
    const length = Number(headers.get("content-length") ?? "0");
    const head = await f.read(Math.min(length, 10)) as Uint8Array;
    const rest = new Uint8Array(Math.max(length - head.length, 0));
    const got = await f.readinto(rest);
    const body = bjoin([head, rest.subarray(0, got)]);
    notes.push(`body ${body.length}/${length} crc=${crc32(body).toString(16).padStart(8, "0")}`);
    const extra = (await f.peek(1)).subarray(0, 1);
    notes.push(`peek after body=${repr(extra)}`);
    notes.push(`then readline=${repr(await f.readline())} read=${repr(await f.read())}`);
    await f.write(b("HTTP/1.0 200 OK\r\n"));
    await f.write(b(`X-Notes: ${notes.length}\r\n\r\n`));
    for (const note of notes) await f.write(b(note + "\n"));
    await f.flush();
    await f.close();
    await conn.shutdown(socket.SHUT_WR);
    let drained = 0;
    for (let j = 0; j < 100; j++) {
      const data = await conn.recv(4096);
      if (!data.length) break;
      drained += data.length;
    }
    conn.close();
    slog.push(`server closed gracefully, drained ${drained}`);
  }
}

async function upload(
  addr: [string, number],
  headers: string[],
  body: Uint8Array,
  trailer: Uint8Array = new Uint8Array(0),
) {
  let status, hdr, blank, rest, more;
  {
    using c = await socket.create_connection(addr, { timeout: 5 });
    const f = c.makefile("rwb");
    await f.writelines([b("PUT /up HTTP/1.0\r\n"), ...headers.map((h) => b(h + "\r\n")), b("\r\n"), body, trailer]);
    await f.flush();
    await c.shutdown(socket.SHUT_WR);
    status = await f.readline();
    hdr = await f.readline();
    blank = await f.readline();
    rest = await f.read() as Uint8Array;
    more = await f.read(10);
    await f.close();
  }
  print(status, hdr, blank);
  for (const line of decode(rest).split("\n")) if (line) print("  ", line);
  print("   after EOF:", more);
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const t = serve(lsock, 3);
const addr = lsock.getsockname() as [string, number];
const body = bjoin(Array.from({ length: 40 }, () => new Uint8Array(256).map((_, i) => i)));
await upload(addr, [`Content-Length: ${body.length}`, "X-Note: " + "n".repeat(50)], body);
await upload(addr, ["Content-Length: 5000"], b("short body"));
await upload(addr, ["Content-Length: 4"], b("abcd"), b("trailing line\nand more"));
await t;
lsock.close();
for (const line of slog) print(line);
