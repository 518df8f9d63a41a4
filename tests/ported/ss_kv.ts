// Port of ss_kv.py (threads become tasks, so the lock goes away; Thread.join(10) is join(task, 10)).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, bjoin, decode, join, list, print, repr } from "./_py.ts";

const store = new Map<string, string>();

class KVHandler extends socketserver.StreamRequestHandler {
  override timeout = 10;

  override async handle() {
    await this.wfile.write(b("+OK kv ready\r\n"));
    while (true) {
      const line = await this.rfile.readline(1024) as Uint8Array; // cast: SocketFile is not typed by mode (finding T2)
      if (!line.length) break;
      const parts = decode(line).split(/\s+/).filter((p) => p);
      if (!parts.length) {
        await this.wfile.write(b("-ERR empty\r\n"));
        continue;
      }
      const [cmd, args] = [parts[0]!.toUpperCase(), parts.slice(1)];
      let reply: string;
      if (cmd === "SET" && args.length === 2) {
        store.set(args[0]!, args[1]!);
        reply = "+OK";
      } else if (cmd === "GET" && args.length === 1) {
        reply = store.has(args[0]!) ? "$" + store.get(args[0]!) : "-ERR no such key";
      } else if (cmd === "DEL" && args.length === 1) {
        reply = `:${store.delete(args[0]!) ? 1 : 0}`;
      } else if (cmd === "KEYS") {
        reply = "*" + [...store.keys()].sort().join(",");
      } else if (cmd === "QUIT") {
        await this.wfile.write(b("+BYE\r\n"));
        return;
      } else {
        reply = `-ERR unknown command ${repr(parts[0])}`;
      }
      await this.wfile.write(bjoin([new TextEncoder().encode(reply), b("\r\n")]));
    }
  }
}

class KVServer extends socketserver.ThreadingTCPServer {
  static override allow_reuse_address = true;
  static override daemon_threads = true;
}

async function client(port: number, name: string, commands: string[], results: Map<string, string[]>) {
  using sock = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  const f = sock.makefile("rw", { encoding: "utf-8", newline: "" });
  const lines = [await f.readline() as string]; // cast: SocketFile is not typed by mode (finding T2)
  for (const c of commands) {
    await f.write(c + "\r\n");
    await f.flush();
    lines.push(await f.readline() as string);
  }
  await f.close();
  results.set(name, lines);
}

{
  await using server = new KVServer(["127.0.0.1", 0], KVHandler);
  const port = server.server_address[1] as number;
  const t = server.serve_forever({ poll_interval: 0.05 });
  const results = new Map<string, string[]>();
  const first = client(port, "a", ["SET x 1", "SET y 2", "GET x"], results);
  await first;
  const workers = [
    client(port, "b", ["GET y", "DEL y", "DEL y", "GET y"], results),
    client(port, "c", ["set ключ значение", "GET ключ", "FROB", "", "QUIT"], results),
  ];
  for (const w of workers) await join(w, 10);
  const last = client(port, "d", ["KEYS"], results);
  await join(last, 10);
  for (const name of [...results.keys()].sort()) {
    print(name, list(results.get(name)!));
  }
  await server.shutdown();
  let alive = true;
  await join(t.then(() => alive = false), 10);
  print("served; thread alive:", alive);
}
