// Port of sse_stream.py (serve_forever runs as a task; daemon_threads is a static member; time.sleep() is an
// awaited timer; the headers dict is a Map; latin-1 decoding of the ASCII request head is decode()).
import * as socket from "../../mod.ts";
import { StreamRequestHandler, ThreadingTCPServer } from "../../socketserver.ts";
import { b, bjoin, decode, join, print, repr, sleep } from "../ported/_py.ts";

const EVENTS: [number, string | null, string[]][] = [
  [1, null, ["hello"]],
  [2, "price", ["AAPL 187.5"]],
  [3, "note", ["first line", "second line"]],
  [4, null, ["caf\u00e9 \u2615"]],
  [5, "price", ["MSFT 402.1"]],
  [6, "end", ["bye"]],
];
const log: string[] = [];

const strip_eol = (s: string) => s.replace(/[\r\n]+$/, "");

class SSEHandler extends StreamRequestHandler {
  override async handle() {
    const request = strip_eol(decode(await this.rfile.readline() as Uint8Array));
    const headers = new Map<string, string>();
    while (true) {
      const line = decode(await this.rfile.readline() as Uint8Array);
      if (line === "\r\n" || line === "\n" || line === "") break;
      const i = line.indexOf(":");
      const [k, v] = i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1)];
      headers.set(k.trim().toLowerCase(), v.trim());
    }
    const [method, path] = request.split(" ");
    const last = headers.get("last-event-id") ?? null;
    log.push(`${method} ${path} last-event-id=${last ?? "None"}`);
    if (path !== "/events") {
      const body = b("no such stream\n");
      await this.wfile.write(bjoin([
        b("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"),
        b(`Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`),
        body,
      ]));
      return;
    }
    await this.wfile.write(
      b("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"),
    );
    await this.wfile.write(b(": stream opened\n\nretry: 50\n\n"));
    let sent = 0;
    for (const [eid, etype, lines] of EVENTS) {
      if (last !== null && eid <= Number(last)) continue;
      let out = `id: ${eid}\n`;
      if (etype) out += `event: ${etype}\n`;
      out += lines.map((line) => `data: ${line}\n`).join("") + "\n";
      if (eid === 4) out = out.replaceAll("\n", "\r\n") + "data\n\n";
      await this.wfile.write(b(out));
      await this.wfile.flush();
      sent += 1;
      if (sent === 3) break;
    }
  }
}

class Server extends ThreadingTCPServer {
  static override daemon_threads = true;
}

async function connect(addr: [string, number], path: string, last_id: string | null) {
  const s = await socket.create_connection(addr, { timeout: 5 });
  let head = `GET ${path} HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n`;
  if (last_id !== null) head += `Last-Event-ID: ${last_id}\r\n`;
  await s.sendall(b(head + "\r\n"));
  const f = s.makefile("rb");
  const status = strip_eol(decode(await f.readline() as Uint8Array));
  const headers = new Map<string, string>();
  while (true) {
    const line = strip_eol(decode(await f.readline() as Uint8Array));
    if (!line) break;
    const i = line.indexOf(":");
    const [k, v] = i < 0 ? [line, ""] : [line.slice(0, i), line.slice(i + 1)];
    headers.set(k.toLowerCase(), v.trim());
  }
  return { s, f, status, headers };
}

async function event_source(addr: [string, number]): Promise<number | undefined> {
  let last_id: string | null = null;
  let retry = 0;
  let connections = 0;
  while (connections < 5) {
    const { s, f, status, headers } = await connect(addr, "/events", last_id);
    connections += 1;
    print(`connection ${connections}: ${status}, ${headers.get("content-type") ?? "None"}`);
    let etype = "message";
    let data: string[] = [];
    let ended = false;
    while (true) {
      const raw = await f.readline() as Uint8Array;
      if (!raw.length) {
        print("  stream closed by the server");
        break;
      }
      const line = strip_eol(decode(raw));
      if (!line) {
        if (data.length) {
          print(`  event ${repr(etype)} id=${last_id ?? "None"} data=${repr(data.join("\n"))}`);
          if (etype === "end") {
            ended = true;
            break;
          }
        }
        etype = "message";
        data = [];
        continue;
      }
      if (line.startsWith(":")) {
        print(`  comment ${repr(line.slice(1).trim())}`);
        continue;
      }
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? "" : line.slice(i + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "id") {
        last_id = value;
      } else if (field === "event") {
        etype = value;
      } else if (field === "data") {
        data.push(value);
      } else if (field === "retry") {
        retry = Number(value);
        print(`  retry set to ${retry} ms`);
      }
    }
    await f.close();
    s.close();
    if (ended) return connections;
    await sleep(retry / 1000);
  }
}

{
  await using server = new Server(["127.0.0.1", 0], SSEHandler);
  const addr = server.server_address as [string, number];
  const t = server.serve_forever({ poll_interval: 0.05 });
  print("connections used:", await event_source(addr));
  const { s, f, status, headers } = await connect(addr, "/nope", null);
  print("other path:", status, headers.get("content-length"), await f.read(Number(headers.get("content-length"))));
  await f.close();
  s.close();
  await server.shutdown();
  await join(t, 5);
}

for (const line of log) print(line);
