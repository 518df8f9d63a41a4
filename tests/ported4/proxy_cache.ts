// Port of proxy_cache.py (the origin and proxy threads become tasks).
import * as socket from "../../mod.ts";
import { b, bjoin, decode, join, list, print, repr } from "../ported/_py.ts";

const big = new Uint8Array(256 * 200).map((_, i) => i % 256);
const PAGES = new Map<string, Uint8Array>([["/hello.html", b("<p>hello</p>\n")], ["/big.bin", big]]);
const origin_hits = list<string>([]);
const CRLF2 = "\r\n\r\n";
const latin1 = (x: Uint8Array) => new TextDecoder("latin1").decode(x);

async function origin(listener: socket.Socket) {
  while (true) {
    const [conn] = await listener.accept();
    using _conn = conn;
    let request = new Uint8Array(0);
    while (!latin1(request).includes(CRLF2)) {
      const chunk = await conn.recv(1024);
      if (!chunk.length) break;
      request = bjoin([request, chunk]);
    }
    const path = request.length ? decode(request).split(/\s+/)[1]! : "";
    if (path === "/stop") return;
    origin_hits.push(path);
    const body = PAGES.get(path);
    if (body === undefined) {
      await conn.sendall(b("HTTP/1.0 404 Not Found\r\n\r\nno such page\n"));
    } else {
      await conn.sendall(bjoin([b(`HTTP/1.0 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`), body]));
    }
  }
}

async function proxy(listener: socket.Socket, cache: Map<string, Uint8Array>) {
  while (true) {
    const [client] = await listener.accept();
    using _client = client;
    const message = decode(await client.recv(4096));
    print("proxy: request", repr(message.split("\r\n")[0]!.replaceAll(String(oport), "PORT")));
    const parts = message.split(/\s+/).filter((p) => p);
    if (parts.length < 2 || !parts[1]!.startsWith("http://")) {
      await client.sendall(b("HTTP/1.0 400 Bad Request\r\n\r\n"));
      continue;
    }
    const url = parts[1]!.slice("http://".length);
    const slash = url.indexOf("/");
    const [hostport, path] = slash < 0 ? [url, ""] : [url.slice(0, slash), url.slice(slash + 1)];
    if (path === "stop") return;
    if (cache.has(url)) {
      print("proxy: cache hit", "/" + path);
      await client.sendall(cache.get(url)!);
      continue;
    }
    const [host, port] = hostport.split(":") as [string, string];
    let reply = new Uint8Array(0);
    {
      using upstream = await socket.create_connection([host, parseInt(port)], { timeout: 10 });
      await upstream.sendall(b(`GET /${path} HTTP/1.0\r\nHost: ${host}\r\n\r\n`));
      while (true) {
        const data = await upstream.recv(1000);
        if (!data.length) break;
        reply = bjoin([reply, data]);
      }
    }
    const first = latin1(reply).split("\r\n")[0]!;
    print("proxy: fetched", "/" + path, reply.length, "bytes,", b(first));
    if (first.startsWith("HTTP/1.0 200")) cache.set(url, reply);
    await client.sendall(reply);
  }
}

const origin_listener = socket.create_server(["127.0.0.1", 0]);
const proxy_listener = socket.create_server(["127.0.0.1", 0]);
const oport = origin_listener.getsockname()[1] as number;
const pport = proxy_listener.getsockname()[1] as number;
const cache = new Map<string, Uint8Array>();
const alive = [true, true];
const threads = [
  origin(origin_listener).finally(() => alive[0] = false),
  proxy(proxy_listener, cache).finally(() => alive[1] = false),
];

async function browse(request: Uint8Array) {
  let reply = new Uint8Array(0);
  {
    using s = await socket.create_connection(["127.0.0.1", pport], { timeout: 10 });
    await s.sendall(request);
    while (true) {
      const data = await s.recv(4096);
      if (!data.length) break;
      reply = bjoin([reply, data]);
    }
  }
  const text = latin1(reply);
  const at = text.indexOf(CRLF2);
  const [head, body] = at < 0 ? [reply, new Uint8Array(0)] : [reply.subarray(0, at), reply.subarray(at + 4)];
  print("client:", b(latin1(head).split("\r\n")[0]!), body.length, body.subarray(0, 16));
}

for (const path of ["/hello.html", "/big.bin", "/hello.html", "/nope", "/nope", "/big.bin"]) {
  await browse(b(`GET http://127.0.0.1:${oport}${path} HTTP/1.0\r\n\r\n`));
}
await browse(b("garbage\r\n\r\n"));
print(
  "origin hits:",
  origin_hits,
  "cached:",
  list([...cache.keys()].map((k) => k.split("/").slice(1).join("/")).sort()),
);
for (const [port, path] of [[pport, `http://127.0.0.1:${oport}/stop`], [oport, "/stop"]] as [number, string][]) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await s.sendall(b(`GET ${path} HTTP/1.0\r\n\r\n`));
}
for (const t of threads) await join(t, 10);
origin_listener.close();
proxy_listener.close();
print("threads alive:", list(alive));
