// Port of http_chunked_client.py (headers are a list of [key, value] pairs; `assert` is a thrown Error).
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { b, beq, bjoin, list, print, repr } from "../ported/_py.ts";

const port = parseInt(Deno.args[0]!);
const latin1 = (x: Uint8Array) => new TextDecoder("latin1").decode(x);
const CRLF = b("\r\n");

type Resp = [string, [string, string][], Uint8Array, string];

async function read_response(f: SocketFile): Promise<Resp> {
  const status = latin1(await f.readline() as Uint8Array).replace(/[\r\n]+$/, "");
  const headers = list<[string, string]>([]);
  while (true) {
    const line = await f.readline() as Uint8Array;
    if (beq(line, CRLF) || !line.length) break;
    const t = latin1(line).replace(/[\r\n]+$/, "");
    const i = t.indexOf(":");
    headers.push([t.slice(0, i).toLowerCase(), t.slice(i + 1).trim()]);
  }
  const h = new Map(headers);
  if (h.get("transfer-encoding") === "chunked") {
    let body = new Uint8Array(0);
    const sizes = list<number>([]);
    while (true) {
      const size = parseInt(latin1(await f.readline() as Uint8Array).split(";")[0]!, 16);
      sizes.push(size);
      if (size === 0) break;
      body = bjoin([body, await f.read(size) as Uint8Array]);
      if (!beq(await f.read(2) as Uint8Array, CRLF)) throw new Error("AssertionError");
    }
    const trailers = list<Uint8Array>([]);
    while (true) {
      const line = await f.readline() as Uint8Array;
      if (beq(line, CRLF) || !line.length) break;
      let end = line.length;
      while (end > 0 && (line[end - 1] === 0x0a || line[end - 1] === 0x0d)) end--;
      trailers.push(line.subarray(0, end));
    }
    return [status, headers, body, `chunks ${repr(sizes)} trailers ${repr(trailers)}`];
  }
  if (h.has("content-length")) {
    return [status, headers, await f.read(parseInt(h.get("content-length")!)) as Uint8Array, "length"];
  }
  return [status, headers, await f.read() as Uint8Array, "to EOF"];
}

function show(label: string, resp: Resp) {
  const [status, headers, body, how] = resp;
  print(label, status, headers, how, body.length, body.subarray(0, 40));
}

{
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  const f = s.makefile("rb");
  for (const path of ["/", "/big", "/chunked", "/missing"]) {
    await s.sendall(b(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`));
    show(path, await read_response(f));
  }
  const body = new Uint8Array(600).map((_, i) => i % 200);
  await s.sendall(bjoin([
    b(`POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
    body.subarray(0, 250),
  ]));
  await s.sendall(body.subarray(250));
  show("POST", await read_response(f));
  print("after close asked:", await f.read());
  await f.close();
}
{
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await s.sendall(b("GET /old HTTP/1.0\r\n\r\n"));
  const f = s.makefile("rb");
  show("1.0", await read_response(f));
  await f.close();
}
