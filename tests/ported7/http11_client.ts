// Port of http11_client.py (the class keeps its methods; bytes.decode('latin-1') and str.encode('latin-1') are
// small helpers, as TextDecoder('latin1') is windows-1252; a dict is a Map and prints as Python's repr).
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { b, beq, bjoin, print, repr } from "../ported/_py.ts";

const port = Number(Deno.args[0]);
const SHOWN = ["content-type", "content-length", "transfer-encoding", "connection", "location", "trailer"];

const latin1 = (x: Uint8Array) => String.fromCharCode(...x);
const to_latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
const dict_repr = (d: Map<string, string>) => `{${[...d].map(([k, v]) => `${repr(k)}: ${repr(v)}`).join(", ")}}`;

class Connection {
  sock!: socket.Socket;
  f!: SocketFile;

  static async make(port: number): Promise<Connection> {
    const c = new Connection();
    c.sock = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
    c.f = c.sock.makefile("rb");
    return c;
  }

  async send(method: string, path: string, headers: [string, string][] = [], body = b("")) {
    let lines = [`${method} ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`];
    lines = lines.concat(headers.map(([k, v]) => `${k}: ${v}`));
    if (body.length) {
      lines.push(`Content-Length: ${body.length}`);
    }
    await this.sock.sendall(bjoin([to_latin1(lines.join("\r\n") + "\r\n\r\n"), body]));
  }

  async response(method = "GET"): Promise<[number, Map<string, string>, Uint8Array]> {
    const status = await this.f.readline(65537) as Uint8Array;
    if (!status.length) {
      throw new socket.ConnectionError("no status line");
    }
    const text = latin1(status).replace(/[\r\n]+$/, "");
    const [version, code_s] = text.split(" ", 2) as [string, string];
    const reason = text.slice(version.length + code_s.length + 2);
    const headers = new Map<string, string>();
    while (true) {
      const line = await this.f.readline(65537) as Uint8Array;
      const l = latin1(line);
      if (l === "\r\n" || l === "\n" || l === "") {
        break;
      }
      const i = l.indexOf(":");
      headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
    }
    const code = Number(code_s);
    const trailer = new Map<string, string>();
    let body: Uint8Array;
    if (method === "HEAD" || code === 204 || code === 304 || (100 <= code && code < 200)) {
      body = b("");
    } else if (headers.get("transfer-encoding") === "chunked") {
      const parts: Uint8Array[] = [];
      while (true) {
        const size = parseInt(latin1(await this.f.readline() as Uint8Array).split(";")[0]!.trim(), 16);
        if (size === 0) {
          break;
        }
        parts.push(await this.f.read(size) as Uint8Array);
        await this.f.readline();
      }
      while (true) {
        const line = latin1(await this.f.readline() as Uint8Array);
        if (line === "\r\n" || line === "") {
          break;
        }
        const i = line.indexOf(":");
        trailer.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
      }
      body = bjoin(parts);
      print("  chunks:", parts.length);
    } else if (headers.has("content-length")) {
      body = await this.f.read(Number(headers.get("content-length"))) as Uint8Array;
    } else {
      body = await this.f.read() as Uint8Array;
    }
    print(version, code, reason);
    for (const k of [...headers.keys()].sort()) {
      if (SHOWN.includes(k)) {
        print(`  ${k}: ${headers.get(k)}`);
      }
    }
    if (trailer.size) {
      print("  trailer:", dict_repr(trailer));
    }
    return [code, headers, body];
  }

  async close() {
    await this.f.close();
    this.sock.close();
  }
}

const data = new Uint8Array(102400).map((_, i) => i % 256);
const contains = (h: Uint8Array, n: Uint8Array) => {
  for (let i = 0; i + n.length <= h.length; i++) if (beq(h.subarray(i, i + n.length), n)) return true;
  return false;
};

let c = await Connection.make(port);
await c.send("GET", "/hello.txt");
let [_code, headers, body] = await c.response();
print("  body:", body);
const last_modified = headers.get("last-modified")!;

await c.send("HEAD", "/hello.txt");
[_code, headers, body] = await c.response("HEAD");
print("  body:", body);

await c.send("GET", "/data.bin");
[_code, headers, body] = await c.response();
print("  body ok:", beq(body, data), body.length);

await c.send("GET", "/chunked");
[_code, headers, body] = await c.response();
print("  body:", body.length, body.subarray(0, 40), body.subarray(-5));

await c.send("GET", "/sub");
[_code, headers, body] = await c.response();

await c.send("GET", "/sub/");
[_code, headers, body] = await c.response();
print("  body:", body);

await c.send("GET", "/hello.txt", [["If-Modified-Since", last_modified]]);
[_code, headers, body] = await c.response();
print("  body:", body);

const piece = bjoin([new Uint8Array([0]), b("binary\r\n\r\nbody"), new Uint8Array([0xff])]);
await c.send("POST", "/echo", [], bjoin([piece, piece, piece]));
[_code, headers, body] = await c.response();
print("  body:", body);

// two requests in one sendall
await c.sock.sendall(b("GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/index.html HTTP/1.1\r\nHost: x\r\n\r\n"));
for (let i = 0; i < 2; i++) {
  [_code, headers, body] = await c.response();
  print("  body:", body);
}

await c.send("GET", "/missing");
[_code, headers, body] = await c.response();
print("  body has the code:", contains(body, b("404")));
if ((headers.get("connection") ?? "").toLowerCase() === "close") {
  print("  the server closes:", ((await c.f.read()) as Uint8Array).length === 0);
  await c.close();
  c = await Connection.make(port);
}

await c.send("GET", "/hello.txt", [["Connection", "close"]]);
[_code, headers, body] = await c.response();
print("  body:", body);
print("  then EOF:", ((await c.f.read()) as Uint8Array).length === 0);
await c.close();

c = await Connection.make(port);
await c.send("GET", "/shutdown");
[_code, headers, body] = await c.response();
print("  body:", body);
await c.close();
