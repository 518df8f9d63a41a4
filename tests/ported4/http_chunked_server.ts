// Port of http_chunked_server.py (the per-connection thread, joined at once, is an awaited call;
// b'%x' % n is n.toString(16)).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, print, sleep } from "../ported/_py.ts";

const big = new Uint8Array(256 * 40).map((_, i) => i % 256);
const PAGES = new Map<string, Uint8Array>([["/", b("<h1>index</h1>\n")], ["/big", big]]);

async function send_chunked(conn: socket.Socket, parts: Uint8Array[]) {
  await conn.sendall(b("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"));
  for (const p of parts) {
    await conn.sendall(bjoin([b(`${p.length.toString(16)}\r\n`), p, b("\r\n")]));
    await sleep(0.05);
  }
  await conn.sendall(b("0\r\nX-Trailer: done\r\n\r\n"));
}

const latin1 = (x: Uint8Array) => new TextDecoder("latin1").decode(x);

async function serve(conn: socket.Socket, n: number) {
  const f = conn.makefile("rb");
  while (true) {
    const request = await f.readline(65537) as Uint8Array;
    if (!request.length) {
      print(`conn ${n}: client closed`);
      break;
    }
    const [method, path, version] = latin1(request).split(/\s+/).filter((w) => w) as [string, string, string];
    const headers = new Map<string, string>();
    while (true) {
      const h = await f.readline(65537) as Uint8Array;
      const t = decode(h);
      if (t === "\r\n" || t === "\n" || t === "") break;
      const line = latin1(h);
      const i = line.indexOf(":");
      headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    print(
      `conn ${n}: ${method} ${path} ${version} ${
        "[" + [...headers.keys()].sort().map((k) => `'${k}'`).join(", ") + "]"
      }`,
    );
    if (method === "POST") {
      const body = await f.read(parseInt(headers.get("content-length")!)) as Uint8Array;
      const reply = b(`got ${body.length} bytes, sum ${body.reduce((x, y) => x + y, 0)}`);
      await conn.sendall(bjoin([b(`HTTP/1.1 200 OK\r\nContent-Length: ${reply.length}\r\n\r\n`), reply]));
    } else if (path === "/chunked") {
      await send_chunked(conn, [b("first chunk\n"), b("x".repeat(300)), b("last\n")]);
    } else if (version === "HTTP/1.0") {
      await conn.sendall(b("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"));
      for (let i = 0; i < 3; i++) await conn.sendall(b(`line ${i}\n`));
      break;
    } else if (PAGES.has(path)) {
      const body = PAGES.get(path)!;
      await conn.sendall(b(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`));
      await conn.sendall(body.subarray(0, 100));
      await sleep(0.05);
      await conn.sendall(body.subarray(100));
    } else {
      await conn.sendall(b("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    }
    if (headers.get("connection") === "close") {
      print(`conn ${n}: closing as asked`);
      break;
    }
  }
  await f.close();
  conn.close();
}

{
  using srv = socket.create_server(["127.0.0.1", parseInt(Deno.args[0]!)]);
  print("listening on", srv.getsockname()[1]);
  for (let n = 0; n < 2; n++) {
    const [conn] = await srv.accept();
    await serve(conn, n);
  }
}
print("server done");
