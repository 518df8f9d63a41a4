// Port of ss_block_on_close.py (threads become tasks; the lock goes; the polling loop sleeps 10 ms).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, join, list, print, sleep } from "../ported/_py.ts";

const events = list<string>([]);
const note = (what: string) => events.push(what);

class Slow extends socketserver.BaseRequestHandler<socket.Socket> {
  override async handle() {
    await this.request.recv(100);
    note("handler started");
    await sleep(0.6);
    await this.request.sendall(b("done"));
    note("handler finished");
  }
}

async function scenario(label: string, cls: typeof socketserver.TCPServer) {
  events.length = 0;
  const server = new cls(["127.0.0.1", 0], Slow);
  const t = server.serve_forever({ poll_interval: 0.05 });
  const c = await socket.create_connection(server.server_address as [string, number], { timeout: 5 });
  await c.sendall(b("go"));
  while (!events.includes("handler started")) await sleep(0.01);
  await server.shutdown();
  note("shutdown returned");
  await server.server_close();
  note("server_close returned");
  print(label, "reply:", await c.recv(10));
  c.close();
  await sleep(0.8);
  await join(t, 5);
  print(label, events);
}

class Daemonic extends socketserver.ThreadingTCPServer {
  static override daemon_threads = true;
}

class NoBlock extends socketserver.ThreadingTCPServer {
  static override block_on_close = false;
}

await scenario("threading", socketserver.ThreadingTCPServer);
await scenario("daemon_threads", Daemonic);
await scenario("block_on_close=False", NoBlock);
await scenario("plain", socketserver.TCPServer);
