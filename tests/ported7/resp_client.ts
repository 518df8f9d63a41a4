// Port of resp_client.py (the parser's arrays are PyLists so they print as Python lists; isinstance(arg, int)
// and (arg, str) are typeof checks; ConnectionError is pysocket's).
import * as socket from "../../mod.ts";
import { ConnectionError } from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { b, beq, bjoin, decode, list, print, PyList, repr } from "../ported/_py.ts";

const port = Number(Deno.args[0]);

class ResponseError extends Error {}

type Reply = Uint8Array | number | null | ResponseError | PyList<Reply>;
type Arg = Uint8Array | number | string;

class Connection {
  sock!: socket.Socket;
  file!: SocketFile;

  static async make(port: number): Promise<Connection> {
    const c = new Connection();
    c.sock = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
    c.file = c.sock.makefile("rb");
    return c;
  }

  static pack_command(...args: Arg[]): Uint8Array {
    const out = [b(`*${args.length}\r\n`)];
    for (let arg of args) {
      if (typeof arg === "number") {
        arg = b(String(arg));
      } else if (typeof arg === "string") {
        arg = b(arg);
      }
      out.push(b(`$${arg.length}\r\n`), arg, b("\r\n"));
    }
    return bjoin(out);
  }

  async send_command(...args: Arg[]) {
    await this.sock.sendall(Connection.pack_command(...args));
  }

  async read_response(): Promise<Reply> {
    const line = await this.file.readline() as Uint8Array;
    if (!line.length) {
      throw new ConnectionError("Connection closed by server.");
    }
    const kind = String.fromCharCode(line[0]!);
    const rest = line.subarray(1, -2);
    if (kind === "+") {
      return rest;
    }
    if (kind === "-") {
      return new ResponseError(decode(rest));
    }
    if (kind === ":") {
      return parseInt(decode(rest));
    }
    if (kind === "$") {
      const n = parseInt(decode(rest));
      if (n === -1) {
        return null;
      }
      const data = await this.file.read(n + 2) as Uint8Array;
      return data.subarray(0, -2);
    }
    if (kind === "*") {
      const n = parseInt(decode(rest));
      if (n === -1) return null;
      const items: Reply[] = [];
      for (let i = 0; i < n; i++) items.push(await this.read_response());
      return list(items);
    }
    throw new ConnectionError(`Protocol error: ${repr(line)}`);
  }

  async execute(...args: Arg[]): Promise<Reply> {
    await this.send_command(...args);
    const reply = await this.read_response();
    if (reply instanceof ResponseError) {
      throw reply;
    }
    return reply;
  }

  async pipeline(commands: Arg[][]): Promise<Reply[]> {
    await this.sock.sendall(bjoin(commands.map((c) => Connection.pack_command(...c))));
    const out: Reply[] = [];
    for (let i = 0; i < commands.length; i++) out.push(await this.read_response());
    return out;
  }

  async close() {
    await this.file.close();
    this.sock.close();
  }
}

const r = await Connection.make(port);
print("PING", await r.execute("PING"));
print("ECHO", await r.execute("ECHO", "hello"));
print("SET", await r.execute("SET", "greeting", "hi there", "EX", 60));
print("GET", await r.execute("GET", "greeting"));
print("GET missing", await r.execute("GET", "nothing"));
const binary = bjoin([new Uint8Array(256).map((_, i) => i), b("\r\n$5\r\n")]);
print("SET binary", await r.execute("SET", b("bin"), binary));
print("GET binary ok", beq((await r.execute("GET", b("bin"))) as Uint8Array, binary));
const incrs: Reply[] = [];
for (let i = 0; i < 3; i++) incrs.push(await r.execute("INCR", "counter"));
print("INCR", list(incrs));
print("LPUSH", await r.execute("LPUSH", "list", "a", "b", "c"));
print("LRANGE", await r.execute("LRANGE", "list", 0, -1));
print("MGET", await r.execute("MGET", "greeting", "nothing", "list", "counter"));
for (const bad of [["GET", "list"], ["INCR", "greeting"], ["FLY", "away"]]) {
  try {
    await r.execute(...bad);
  } catch (e) {
    if (!(e instanceof ResponseError)) throw e;
    print("error", bad[0], e.message);
  }
}
const big = new Uint8Array(300000).fill(0x78);
print("big value", await r.execute("SET", "big", big), ((await r.execute("GET", "big")) as Uint8Array).length);
const replies = await r.pipeline([["INCR", "counter"], ["GET", "counter"], ["GET", "list"], [
  "DEL",
  "counter",
  "big",
  "x",
], ["PING", "p"]]);
print("pipeline", list(replies.map((x) => x instanceof ResponseError ? x.message : x)));

const sub = await Connection.make(port);
await sub.send_command("SUBSCRIBE", "news", "sport");
print("subscribed", list([await sub.read_response(), await sub.read_response()]));
print("PUBLISH", await r.execute("PUBLISH", "news", "first"), await r.execute("PUBLISH", "weather", "nobody"));
print("message", await sub.read_response());
print("PUBLISH", await r.execute("PUBLISH", "sport", b("2-1\r\n")));
print("message", await sub.read_response());
await sub.send_command("UNSUBSCRIBE", "news");
print("unsubscribed", await sub.read_response());
print("PUBLISH", await r.execute("PUBLISH", "news", "second"));
await sub.send_command("QUIT");
print("quit", await sub.read_response());
print("then EOF", ((await sub.file.read()) as Uint8Array).length === 0);
await sub.close();
print("SHUTDOWN", await r.execute("SHUTDOWN"));
await r.close();
