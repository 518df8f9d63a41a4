// Port of resp_server.py (bytes % formatting is spelled out; the two client threads become tasks).
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, beq, bjoin, decode, join, list, print, repr } from "../ported/_py.ts";

const db = new Map<string, Uint8Array>(); // keys as latin-1 strings (bytes keys)
const key = (x: Uint8Array) => new TextDecoder("latin1").decode(x);
const CRLF = b("\r\n");

function bulk(v: Uint8Array | undefined): Uint8Array {
  return v === undefined ? b("$-1\r\n") : bjoin([b(`$${v.length}\r\n`), v, CRLF]);
}

class RESPHandler extends socketserver.StreamRequestHandler {
  async read_command(): Promise<Uint8Array[] | null> {
    const line = await this.rfile.readline() as Uint8Array;
    if (!line.length) return null;
    if (line[0] !== 0x2a) return [b(decode(line).trim())]; // inline command
    const args: Uint8Array[] = [];
    const count = parseInt(decode(line.subarray(1)));
    for (let i = 0; i < count; i++) {
      const n = parseInt(decode((await this.rfile.readline() as Uint8Array).subarray(1)));
      args.push((await this.rfile.read(n + 2) as Uint8Array).subarray(0, -2));
    }
    return args;
  }

  override async handle() {
    while (true) {
      const cmd = await this.read_command();
      if (cmd === null) break;
      const name = decode(cmd[0]!).toUpperCase();
      let out: Uint8Array;
      if (name === "PING") {
        out = cmd.length === 1 ? b("+PONG\r\n") : bulk(cmd[1]);
      } else if (name === "SET" && cmd.length === 3) {
        db.set(key(cmd[1]!), cmd[2]!);
        out = b("+OK\r\n");
      } else if (name === "GET" && cmd.length === 2) {
        out = bulk(db.get(key(cmd[1]!)));
      } else if (name === "INCR" && cmd.length === 2) {
        const text = decode(db.get(key(cmd[1]!)) ?? b("0")).trim();
        if (/^[-+]?\d+$/.test(text)) {
          db.set(key(cmd[1]!), b(String(parseInt(text) + 1)));
          out = bjoin([b(":"), db.get(key(cmd[1]!))!, CRLF]);
        } else {
          out = b("-ERR value is not an integer or out of range\r\n");
        }
      } else if (name === "MGET") {
        out = bjoin([b(`*${cmd.length - 1}\r\n`), ...cmd.slice(1).map((k) => bulk(db.get(key(k))))]);
      } else if (name === "DEL") {
        out = b(`:${cmd.slice(1).filter((k) => db.delete(key(k))).length}\r\n`);
      } else if (name === "QUIT") {
        await this.wfile.write(b("+OK\r\n"));
        break;
      } else {
        out = bjoin([b("-ERR unknown command '"), cmd[0]!, b("'\r\n")]);
      }
      await this.wfile.write(out);
    }
  }
}

function encode(...args: (string | Uint8Array)[]): Uint8Array {
  const parts = [b(`*${args.length}\r\n`)];
  for (const a of args) {
    const v = a instanceof Uint8Array ? a : b(String(a));
    parts.push(b(`$${v.length}\r\n`), v, CRLF);
  }
  return bjoin(parts);
}

type Reply = string | number | Uint8Array | null | Reply[];

async function read_reply(f: SocketFile): Promise<Reply> {
  const line = await f.readline() as Uint8Array;
  const [kind, rest] = [String.fromCharCode(line[0]!), line.subarray(1, -2)];
  if (kind === "+") return decode(rest);
  if (kind === "-") return "error: " + decode(rest);
  if (kind === ":") return parseInt(decode(rest));
  if (kind === "$") {
    const n = parseInt(decode(rest));
    return n < 0 ? null : (await f.read(n + 2) as Uint8Array).subarray(0, -2);
  }
  if (kind === "*") {
    const out = list<Reply>([]);
    for (let i = 0, n = parseInt(decode(rest)); i < n; i++) out.push(await read_reply(f));
    return out;
  }
  return `bad reply ${repr(line)}`;
}

async function client(port: number, commands: string[][] | (string | Uint8Array)[][], raw = b("")): Promise<Reply[]> {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await s.sendall(bjoin([...commands.map((c) => encode(...c)), raw]));
  const f = s.makefile("rb");
  const replies = list<Reply>([]);
  const n = commands.length + raw.filter((c) => c === 0x0a).length;
  for (let i = 0; i < n; i++) replies.push(await read_reply(f));
  await f.close();
  return replies;
}

const server = new socketserver.ThreadingTCPServer(["127.0.0.1", 0], RESPHandler);
server.daemon_threads = true;
const port = server.server_address[1] as number;
const t = server.serve_forever({ poll_interval: 0.05 });
const value = bjoin(Array(50).fill(bjoin([b("line one\r\nline two\x00"), new Uint8Array([0xff])])));
const replies = await client(port, [
  ["PING"],
  ["SET", "k", value],
  ["GET", "k"],
  ["GET", "nope"],
  ["INCR", "n"],
  ["INCR", "n"],
  ["INCR", "k"],
  ["MGET", "n", "nope", "n"],
  ["PING", "pong me"],
  ["FLY"],
  ["DEL", "n", "x"],
], b("PING\r\n"));
for (const r of replies) {
  print(!(r instanceof Uint8Array) || r.length < 60 ? r : [r.length, r.subarray(0, 24), beq(r, value)]);
}
const results = new Map<number, Reply[]>();
const workers = [0, 1].map(async (i) => {
  results.set(i, await client(port, [...Array(200).fill(["INCR", "counter"]), ["GET", "counter"]]));
});
for (const w of workers) await join(w, 30);
const lasts = [...results.values()].map((r) => r.at(-1) as Uint8Array).sort((x, y) => key(x) < key(y) ? 1 : -1);
print("counter:", lasts[0], list([...results.values()].map((r) => r.length).sort((x, y) => x - y)));
print(await client(port, [["QUIT"]]));
await server.shutdown();
await join(t, 10);
await server.server_close();
