/**
 * An HTTP/1.1 GET written on `create_connection`: send the request with
 * `sendall`, read the status line and headers with `makefile("rb")`, then
 * count the body (Content-Length, chunked, or until the server closes).
 * It prints the status, the headers and the body size.
 *
 * With no URL it starts a small HTTP server, written with pysocket too
 * (`create_server` + `accept`), and fetches from it.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 examples/http_get.ts          # local server
 * deno run --allow-net examples/http_get.ts http://example.com/
 * ```
 *
 * In Python: `socket.create_connection((host, 80))`, `s.sendall(request)`,
 * `f = s.makefile("rb")`, `f.readline()`.
 * @module
 */

import { create_connection, create_server, type Socket } from "@pysocket/socket";

const enc = new TextEncoder();
const dec = new TextDecoder();
const TIMEOUT = 10; // seconds, for connect and for every read

let url = Deno.args[0];
let server: Promise<void> | null = null;
if (url === undefined || url === "--local") {
  const srv = create_server(["127.0.0.1", 0]);
  const [host, port] = srv.getsockname() as [string, number];
  server = serve_one(srv).finally(() => srv.close());
  url = `http://${host}:${port}/hello`;
  console.log(`(no URL given: serving ${url} from a local pysocket server)`);
}
await get(url);
await server;

/** GET `url` and print the status, headers and body size. */
async function get(url: string): Promise<void> {
  const u = new URL(url);
  if (u.protocol !== "http:") {
    throw new Error(`only http:// URLs (for https:// see examples/https_get.ts), not ${u.protocol}`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(u.port || 80);
  using s = await create_connection([host, port], TIMEOUT);
  const request = [
    `GET ${u.pathname}${u.search} HTTP/1.1`,
    `Host: ${u.host}`,
    "User-Agent: pysocket-http_get/0.1",
    "Accept: */*",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  await s.sendall(enc.encode(request));

  const f = s.makefile("rb");
  const status = dec.decode(await f.readline() as Uint8Array).trimEnd();
  if (!status.startsWith("HTTP/")) throw new Error(`not an HTTP response: ${JSON.stringify(status)}`);
  console.log(status);
  const headers = new Map<string, string>();
  while (true) {
    const line = dec.decode(await f.readline() as Uint8Array).trimEnd();
    if (line === "") break;
    console.log(`  ${line}`);
    const i = line.indexOf(":");
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }

  const buf = new Uint8Array(65536);
  /** Read and count up to `limit` body bytes (Infinity: until EOF). */
  const skip = async (limit: number): Promise<number> => {
    let n = 0;
    while (n < limit) {
      const got = await f.readinto(buf.subarray(0, Math.min(buf.length, limit - n)));
      if (got === 0) break;
      n += got;
    }
    return n;
  };
  let size = 0;
  let how: string;
  if (/chunked/i.test(headers.get("transfer-encoding") ?? "")) {
    how = "chunked";
    while (true) {
      const line = dec.decode(await f.readline() as Uint8Array).trim();
      const chunk = parseInt(line.split(";")[0]!, 16);
      if (!Number.isFinite(chunk)) throw new Error(`bad chunk size line: ${JSON.stringify(line)}`);
      if (chunk === 0) break;
      size += await skip(chunk);
      await f.readline(); // the CRLF after each chunk
    }
  } else if (headers.has("content-length")) {
    how = "Content-Length";
    size = await skip(Number(headers.get("content-length")));
  } else {
    how = "read until the server closed";
    size = await skip(Infinity);
  }
  console.log(`body: ${size} bytes (${how})`);
}

/** A one-request HTTP server on a pysocket listening socket. */
async function serve_one(srv: Socket): Promise<void> {
  srv.settimeout(TIMEOUT);
  const [conn, addr] = await srv.accept();
  using _conn = conn;
  conn.settimeout(TIMEOUT);
  const f = conn.makefile("rb");
  const first = dec.decode(await f.readline() as Uint8Array).trimEnd();
  while ((await f.readline()).length > 2); // skip the headers up to the empty line
  const body = enc.encode(
    `<!doctype html>\n<title>pysocket</title>\n<p>Hello ${addr[0]}:${addr[1]}, you asked for ${
      first.split(" ")[1]
    }</p>\n`,
  );
  const head = [
    "HTTP/1.1 200 OK",
    "Content-Type: text/html; charset=utf-8",
    `Content-Length: ${body.length}`,
    "Server: pysocket",
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  await conn.sendall(enc.encode(head));
  await conn.sendall(body);
}
