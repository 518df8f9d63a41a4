// Port of ss_chat.py (threads are tasks, so the lock goes away; a Condition's wait_for is a Promise that each
// new line resolves).
import * as socket from "../../mod.ts";
import * as socketserver from "../../socketserver.ts";
import { b, join, list, print } from "./_py.ts";

const members = new Map<socket.Socket, string>();
const text = (raw: Uint8Array | string) => new TextDecoder().decode(raw as Uint8Array);

async function broadcast(sender: socket.Socket, line: string) {
  for (const [sock] of [...members]) {
    if (sock !== sender) {
      try {
        await sock.sendall(b(line + "\n"));
      } catch (e) {
        if (!(e instanceof socket.OSError)) throw e;
      }
    }
  }
}

class Chat extends socketserver.StreamRequestHandler {
  override async handle() {
    const nick = text(await this.rfile.readline()).trim().split(" ")[1]!;
    members.set(this.request, nick);
    await broadcast(this.request, `* ${nick} joined`);
    for await (const raw of this.rfile) {
      const line = text(raw).replace(/\n$/, "");
      if (line === "QUIT") {
        await this.wfile.write(b("bye\n"));
        break;
      }
      await broadcast(this.request, `${nick}: ${line}`);
    }
    members.delete(this.request);
    await broadcast(this.request, `* ${nick} left`);
  }
}

class Client {
  sock!: socket.Socket;
  f!: socket.SocketFile;
  lines: string[] = [];
  t!: Promise<void>;
  #changed: () => void = () => {};

  static async create(addr: [string, number], nick: string) {
    const c = new Client();
    c.sock = await socket.create_connection(addr, 10);
    c.f = c.sock.makefile("rb");
    await c.sock.sendall(b("NICK " + nick + "\n"));
    c.t = c.read();
    return c;
  }

  async read() {
    for await (const raw of this.f) {
      this.lines.push(text(raw).replace(/\n$/, ""));
      this.#changed();
    }
  }

  async wait_for(count: number) {
    const deadline = performance.now() + 10_000;
    while (this.lines.length < count && performance.now() < deadline) {
      await new Promise<void>((r) => {
        const timer = setTimeout(r, deadline - performance.now());
        this.#changed = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  }
}

let alice: Client, bob: Client, carol: Client, dave: Client;
{
  await using server = new socketserver.ThreadingTCPServer(["127.0.0.1", 0], Chat);
  server.daemon_threads = true;
  const st = server.serve_forever(0.05);
  const addr = server.server_address as [string, number];
  alice = await Client.create(addr, "alice");
  bob = await Client.create(addr, "bob");
  await alice.wait_for(1);
  carol = await Client.create(addr, "carol");
  await alice.wait_for(2);
  await bob.wait_for(1);
  dave = await Client.create(addr, "dave");
  for (const [c, n] of [[alice, 3], [bob, 2], [carol, 1]] as [Client, number][]) {
    await c.wait_for(n);
  }
  await alice.sock.sendall(b("hello all\n"));
  for (const [c, n] of [[bob, 3], [carol, 2], [dave, 1]] as [Client, number][]) {
    await c.wait_for(n);
  }
  await bob.sock.sendall(b("hi alice\n"));
  for (const [c, n] of [[alice, 4], [carol, 3], [dave, 2]] as [Client, number][]) {
    await c.wait_for(n);
  }
  await dave.sock.shutdown(socket.SHUT_RDWR); // wakes dave's reader task; the server sees EOF
  await join(dave.t, 5);
  await dave.f.close();
  dave.sock.close();
  for (const [c, n] of [[alice, 5], [bob, 4], [carol, 4]] as [Client, number][]) {
    await c.wait_for(n);
  }
  await carol.sock.sendall(b("QUIT\n"));
  await carol.wait_for(5);
  for (const [c, n] of [[alice, 6], [bob, 5]] as [Client, number][]) {
    await c.wait_for(n);
  }
  for (const [c, then] of [[alice, [bob, 6]], [bob, null], [carol, null]] as [Client, [Client, number] | null][]) {
    await c.sock.shutdown(socket.SHUT_RDWR);
    if (then) {
      await then[0].wait_for(then[1]);
    }
    await join(c.t, 5);
    await c.f.close();
    c.sock.close();
  }
  await server.shutdown();
  await join(st, 5);
}
for (const [name, c] of [["alice", alice], ["bob", bob], ["carol", carol], ["dave", dave]] as [string, Client][]) {
  print(name, list(c.lines));
}
