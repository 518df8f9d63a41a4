// Port of range_sendfile.py (tempfile.mkstemp is Deno.makeTempFileSync; open(path, "rb") is Deno.open and
// f.tell() a seek by 0 from the current position; the server thread is a task; ValueError is RangeError;
// `b"%s"` formatting is a template string).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, beq, decode, print } from "../ported/_py.ts";

const data = new Uint8Array(100000).map((_, i) => (i * 31 + 7) & 0xff);
const path = Deno.makeTempFileSync();
Deno.writeFileSync(path, data);
const slog: string[] = [];
const tell = (f: Deno.FsFile) => f.seek(0, Deno.SeekMode.Current);

async function serve(lsock: Socket) {
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  const rf = conn.makefile("rb");
  {
    using f = await Deno.open(path, { read: true });
    for (let i = 0; i < 10; i++) {
      const req = await rf.readline() as Uint8Array;
      if (!req.length) break;
      const headers = new Map<string, string>();
      while (true) {
        const h = decode(await rf.readline() as Uint8Array);
        if (h === "\r\n" || h === "") break;
        const colon = h.indexOf(":");
        headers.set(h.slice(0, colon).toLowerCase(), h.slice(colon + 1).trim());
      }
      const size = data.length;
      const rng = headers.get("range") ?? null;
      let start: number, end: number, status: string;
      if (rng === null) {
        [start, end, status] = [0, size - 1, "200 OK"];
      } else {
        const [, a, bb] = /^bytes=(\d*)-(\d*)$/.exec(rng)!;
        if (a === "") {
          [start, end] = [size - Number(bb), size - 1];
        } else {
          [start, end] = [Number(a), bb ? Math.min(Number(bb), size - 1) : size - 1];
        }
        status = "206 Partial Content";
        if (start >= size) {
          await conn.sendall(
            b(`HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */${size}\r\nContent-Length: 0\r\n\r\n`),
          );
          slog.push(`416 for ${rng}`);
          continue;
        }
      }
      const n = end - start + 1;
      let head = `HTTP/1.1 ${status}\r\nContent-Length: ${n}\r\n`;
      if (rng) head += `Content-Range: bytes ${start}-${end}/${size}\r\n`;
      await conn.sendall(b(head + "\r\n"));
      const sent = await conn.sendfile(f, start, n);
      slog.push(`${rng ?? "None"} sent ${sent}, file at ${await tell(f)}`);
    }
    slog.push(`offset past end sent ${await conn.sendfile(f, data.length + 10, 5)}`);
    conn.setblocking(false);
    try {
      await conn.sendfile(f);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      slog.push(`non-blocking sendfile: ValueError: ${e.message}`);
    }
    conn.setblocking(true);
    await conn.sendall(b("END\r\n"));
  }
  await rf.close();
  conn.close();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const t = serve(lsock);
const c = await socket.create_connection(lsock.getsockname(), { timeout: 5 });
const ranges = [null, "bytes=0-9", "bytes=99990-", "bytes=-5", "bytes=100000-100010", "bytes=50000-50003"];
let reqs = "";
for (const r of ranges) reqs += "GET /f HTTP/1.1\r\nHost: x\r\n" + (r ? `Range: ${r}\r\n` : "") + "\r\n";
await c.sendall(b(reqs));
await c.shutdown(socket.SHUT_WR);
const f = c.makefile("rb");
for (const r of ranges) {
  const status = decode(await f.readline() as Uint8Array).trim();
  const hdrs = new Map<string, string>();
  while (true) {
    const h = decode(await f.readline() as Uint8Array);
    if (h === "\r\n") break;
    const colon = h.indexOf(":");
    hdrs.set(h.slice(0, colon), h.slice(colon + 1).trim());
  }
  const body = await f.read(Number(hdrs.get("Content-Length"))) as Uint8Array;
  print(
    r,
    "->",
    status,
    hdrs.get("Content-Range") ?? null,
    body.length,
    body.subarray(0, 6),
    r === null ? beq(body, data) : "",
  );
}
print("trailer:", await f.read());
await f.close();
c.close();
await t;
lsock.close();
Deno.removeSync(path);
for (const line of slog) print(line);
