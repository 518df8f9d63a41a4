// Port of scgi_netstring.py (serve_forever is a task; address_family and daemon_threads are static members, the
// handler's timeout an instance field; BadRequest is a small class; time.sleep() is an awaited timer).
import * as socket from "../../mod.ts";
import { StreamRequestHandler, ThreadingTCPServer } from "../../socketserver.ts";
import { b, beq, bjoin, decode, join, print, repr, sleep } from "../ported/_py.ts";

const MAX_HEADERS = 4096;
const log: string[] = [];

class BadRequest extends Error {}

type RFile = StreamRequestHandler["rfile"];

async function read_netstring(rfile: RFile, limit: number): Promise<Uint8Array> {
  let digits = "";
  while (true) {
    const c = await rfile.read(1) as Uint8Array;
    if (!c.length) throw new BadRequest("EOF in the length");
    if (c[0] === 0x3a) break;
    if (!(c[0]! >= 0x30 && c[0]! <= 0x39) || digits.length >= 10) throw new BadRequest(`bad length byte ${repr(c)}`);
    digits += decode(c);
  }
  if (!digits || (digits.length > 1 && digits[0] === "0")) throw new BadRequest(`bad length ${repr(b(digits))}`);
  const n = Number(digits);
  if (n > limit) throw new BadRequest(`netstring of ${n} bytes, limit ${limit}`);
  const data = await rfile.read(n) as Uint8Array;
  if (data.length !== n) throw new BadRequest("EOF in the data");
  const comma = await rfile.read(1) as Uint8Array;
  if (!beq(comma, b(","))) throw new BadRequest(`expected ',' got ${repr(comma)}`);
  return data;
}

class SCGIHandler extends StreamRequestHandler {
  override timeout = 5;

  override async handle() {
    let env: Map<string, string>;
    let body: Uint8Array;
    try {
      const raw = decode(await read_netstring(this.rfile, MAX_HEADERS));
      const items = raw.split("\0");
      if (items.at(-1) !== "" || items.length % 2 !== 1) throw new BadRequest("headers not NUL-terminated pairs");
      const names = items.filter((_, i) => i % 2 === 0 && i < items.length - 1);
      env = new Map(names.map((k, i) => [k, items[2 * i + 1]!]));
      if (names[0] !== "CONTENT_LENGTH") throw new BadRequest(`CONTENT_LENGTH is not first but ${names[0]}`);
      if (env.get("SCGI") !== "1") throw new BadRequest("SCGI header missing");
      body = await this.rfile.read(Number(env.get("CONTENT_LENGTH"))) as Uint8Array;
    } catch (e) {
      if (!(e instanceof BadRequest)) throw e;
      log.push(`app: 400 ${e.message}`);
      await this.wfile.write(b(`Status: 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n${e.message}\n`));
      await this.rfile.read(); // the rest, unread, would make the close a reset
      return;
    }
    log.push(
      `app: ${env.get("REQUEST_METHOD")} ${env.get("REQUEST_URI")}, ${env.size} headers, ${body.length} body bytes`,
    );
    const out = `method=${env.get("REQUEST_METHOD")} uri=${env.get("REQUEST_URI")} body=${decode(body)} remote=${
      env.get("REMOTE_ADDR") ?? "None"
    }`;
    await this.wfile.write(b("Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n" + out));
  }
}

class Server extends ThreadingTCPServer {
  static override address_family = socket.AF_INET6;
  static override daemon_threads = true;
}

const netstring = (data: Uint8Array) => bjoin([b(`${data.length}:`), data, b(",")]);

function scgi_request(
  method: string,
  uri: string,
  body: Uint8Array = new Uint8Array(0),
  extra: [string, string][] = [],
): [Uint8Array, Uint8Array] {
  const headers: [string, string][] = [
    ["CONTENT_LENGTH", String(body.length)],
    ["SCGI", "1"],
    ["REQUEST_METHOD", method],
    ["REQUEST_URI", uri],
    ["REMOTE_ADDR", "::1"],
    ...extra,
  ];
  return [netstring(b(headers.map(([k, v]) => k + "\0" + v + "\0").join(""))), body];
}

async function exchange(addr: [string, number], pieces: Uint8Array[], pause = 0.0, label = "") {
  let data = new Uint8Array(0);
  {
    using s = await socket.create_connection(addr, { timeout: 5 });
    for (const [i, piece] of pieces.entries()) {
      if (i && pause) await sleep(pause);
      await s.sendall(piece);
    }
    await s.shutdown(socket.SHUT_WR);
    while (true) {
      const chunk = await s.recv(1024);
      if (!chunk.length) break;
      data = bjoin([data, chunk]);
    }
  }
  const text = decode(data);
  const k = text.indexOf("\r\n\r\n");
  const [head, body] = k < 0 ? [text, ""] : [text.slice(0, k), text.slice(k + 4)];
  print(`${label} -> ${head.split("\r\n")[0]} | ${body.trim()}`);
}

{
  await using server = new Server(["::1", 0], SCGIHandler);
  const addr = (server.server_address as unknown[]).slice(0, 2) as [string, number];
  print("server family AF_INET6:", server.socket.family === socket.AF_INET6, "address", addr[0]);
  const t = server.serve_forever(0.05);
  let [head, body] = scgi_request("POST", "/submit", b("a=1&b=2"));
  await exchange(addr, [head, body], 0.05, "header then body");
  [head, body] = scgi_request("GET", "/hello", undefined, [["HTTP_HOST", "example.test"]]);
  await exchange(addr, Array.from(head, (_, i) => head.subarray(i, i + 1)), undefined, "byte by byte");
  await exchange(addr, [b("12x:abc,")], undefined, "non-digit length");
  await exchange(addr, [b("05:abcde,")], undefined, "leading zero");
  await exchange(addr, [b("3:abc;")], undefined, "no comma");
  await exchange(addr, [b("99999:")], undefined, "too large");
  await exchange(addr, [netstring(b("SCGI\x001\x00CONTENT_LENGTH\x000\x00"))], undefined, "length not first");
  await exchange(addr, [netstring(b("CONTENT_LENGTH\x000\x00"))], undefined, "no SCGI header");
  await exchange(addr, [b("40:CONTENT_LENGTH")], undefined, "cut short");
  await server.shutdown();
  await join(t, 5);
}

for (const line of log.sort()) print(line);
