// Port of lutz_class_server.py (handle() is async; serve_forever() in a thread is a task; server_close()
// is awaited so the next connect is refused).
import * as socket from "../../mod.ts";
import { ConnectionRefusedError } from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, print, repr, sleep } from "../ported/_py.ts";
import { now, stamp } from "./_lutz.ts";

const myHost = "127.0.0.1";
const myPort = 0;

class MyClientHandler extends socketserver.BaseRequestHandler {
  override async handle() {
    print(this.client_address[0], stamp(now()));
    await sleep(0.5);
    while (true) {
      const data = await this.request.recv(1024);
      if (!data.length) break;
      const reply = `Echo=>${repr(data)} at ${now()}`;
      await this.request.send(b(reply));
    }
    this.request.close();
  }
}

async function client(port: number, n: number, results: Map<number, string[]>) {
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect([myHost, port]);
  const got: string[] = [];
  for (const line of [b("Hello network world"), b(`from client ${n}`)]) {
    await sock.send(line);
    const data = new TextDecoder().decode(await sock.recv(1024));
    const cut = data.lastIndexOf(" at ");
    got.push(`Client received: ${data.slice(0, cut)} at ${stamp(data.slice(cut + 4))}`);
  }
  sock.close();
  results.set(n, got);
}

const myaddr: [string, number] = [myHost, myPort];
const server = new socketserver.ThreadingTCPServer(myaddr, MyClientHandler);
const port = server.server_address[1] as number;
print("server class:", server.constructor.name, "daemon_threads:", server.daemon_threads);
const t = server.serve_forever();
const results = new Map<number, string[]>();
const start = Date.now();
await Promise.all([0, 1, 2, 3, 4].map((n) => client(port, n, results)));
print("clients served at once:", (Date.now() - start) / 1000 < 2.5);
for (let n = 0; n < 5; n++) {
  for (const line of results.get(n)!) print(line);
}
await server.shutdown();
await t;
await server.server_close();
print("server closed");
try {
  await socket.create_connection([myHost, port]);
} catch (e) {
  if (!(e instanceof ConnectionRefusedError)) throw e;
  print("after close:", e);
}
