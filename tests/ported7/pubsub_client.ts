// Port of pubsub_client.py (the class's constructor that connects is an async static make(); time.sleep is
// sleep()).
import * as socket from "../../mod.ts";
import type { SocketFile } from "../../mod.ts";
import { TimeoutError } from "../../mod.ts";
import { b, decode, print, repr, sleep } from "../ported/_py.ts";

const port = Number(Deno.args[0]);

class Client {
  name: string;
  sock!: socket.Socket;
  f!: SocketFile;
  constructor(name: string) {
    this.name = name;
  }

  static async make(name: string): Promise<Client> {
    const c = new Client(name);
    c.sock = await socket.create_connection(["127.0.0.1", port]);
    c.sock.settimeout(10);
    c.f = c.sock.makefile("rb");
    return c;
  }

  async send(text: string) {
    await this.sock.sendall(b(text));
  }

  async line() {
    const line = await this.f.readline() as Uint8Array;
    print(`${this.name} <- ${repr(decode(line))}`);
    return line;
  }

  async cmd(text: string) {
    await this.send(text + "\n");
    return await this.line();
  }

  async nothing_waiting() {
    this.sock.settimeout(0.2);
    try {
      const data = await this.sock.recv(100);
      print(`${this.name} had ${repr(data)}`);
    } catch (e) {
      if (!(e instanceof TimeoutError)) throw e;
      print(`${this.name} has nothing waiting`);
    } finally {
      this.sock.settimeout(10);
    }
  }
}

const [alice, bob, carol, pub] = [
  await Client.make("alice"),
  await Client.make("bob"),
  await Client.make("carol"),
  await Client.make("pub"),
];
await alice.cmd("SUB news");
await bob.cmd("SUB news");
await bob.cmd("SUB sport");
await carol.cmd("SUB sport");
await pub.cmd("TOPICS");
await pub.cmd("PUB news hello everyone");
await alice.line();
await bob.line();
await carol.nothing_waiting();
await pub.cmd("PUB sport 2-1 at half time");
await bob.line();
await carol.line();
await pub.cmd("PUB weather nobody listens");
// a command in pieces, then two in one send
await alice.send("PU");
await sleep(0.1);
await alice.send("B sport from al");
await sleep(0.1);
await alice.send("ice\n");
await alice.line();
await bob.line();
await carol.line();
await carol.send("UNSUB sport\nUNSUB sport\n");
await carol.line();
await carol.line();
await pub.cmd("PUB sport final 2-2");
await bob.line();
await carol.nothing_waiting();
await pub.cmd("HELLO");
await pub.cmd("PUB");
// bob vanishes without QUIT (the file first: CPython's close() leaves the connection open while a makefile()
// file is)
await bob.f.close();
bob.sock.close();
await sleep(0.2);
await pub.cmd("PUB news after bob left");
await alice.line();
await pub.cmd("TOPICS");
await alice.cmd("QUIT");
print("alice then EOF:", ((await alice.f.read()) as Uint8Array).length === 0);
await pub.cmd("TOPICS");
await pub.send("SHUTDOWN\n");
print("pub then EOF:", ((await pub.f.read()) as Uint8Array).length === 0);
for (const c of [alice, carol, pub]) {
  await c.f.close();
  c.sock.close();
}
