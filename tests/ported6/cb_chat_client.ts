// Port of cb_chat_client.py (select.select over the clients' sockets; send/receive in _chat_frames.ts).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { print } from "../ported/_py.ts";
import { receive, send } from "./_chat_frames.ts";

const SERVER_HOST = "127.0.0.1";

/** A command line chat client using select */
class ChatClient {
  name: string;
  connected = false;
  host: string;
  port: number;
  prompt: string;
  sock!: socket.Socket;

  private constructor(name: string, port: number, host: string) {
    this.name = name;
    this.host = host;
    this.port = port;
    // Initial prompt
    this.prompt = "[" + [name, "me"].join("@") + "]> ";
  }

  static async make(name: string, port: number, host = SERVER_HOST): Promise<ChatClient> {
    const c = new ChatClient(name, port, host);
    // Connect to server at port
    try {
      c.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
      await c.sock.connect([host, c.port]);
      print(`Now connected to chat server@ port ${c.port}`);
      c.connected = true;
      // Send my name...
      await send(c.sock, "NAME: " + c.name);
      const data = await receive(c.sock);
      // Contains client address, set it
      const addr = data.split("CLIENT: ")[1];
      c.prompt = "[" + [c.name, addr].join("@") + "]> ";
    } catch (e) {
      if (!(e instanceof socket.error)) throw e;
      print(`Failed to connect to chat server @ port ${c.port}`);
      Deno.exit(1);
    }
    return c;
  }

  async say(data: string) {
    print(this.prompt + data);
    await send(this.sock, data);
  }
}

/** Wait until each client got its count of messages; print them per client. */
async function expect(counts: Map<ChatClient, number>) {
  const got = new Map([...counts.keys()].map((c) => [c, [] as string[]]));
  const by_sock = new Map([...counts.keys()].map((c) => [c.sock, c]));
  for (let i = 0; i < 100; i++) {
    const waiting = [...counts].filter(([c, n]) => got.get(c)!.length < n).map(([c]) => c.sock);
    if (!waiting.length) break;
    const [readable] = await select(waiting, [], [], 10);
    if (!readable.length) {
      print("(nothing for 10 s)");
      break;
    }
    for (const sock of readable) {
      const c = by_sock.get(sock)!;
      const data = await receive(sock);
      if (!data) {
        print("Client shutting down.");
        c.connected = false;
        counts.set(c, 0);
      } else {
        got.get(c)!.push(data);
      }
    }
  }
  for (const c of counts.keys()) {
    for (const data of got.get(c)!) print(c.name + " " + c.prompt + data);
  }
}

const port = Number(Deno.args[0]);
const alice = await ChatClient.make("alice", port);
print(alice.prompt);
const bob = await ChatClient.make("bob", port);
await expect(new Map([[alice, 1]]));
await alice.say("hi bob");
await expect(new Map([[bob, 1]]));
const carol = await ChatClient.make("carol", port);
await expect(new Map([[alice, 1], [bob, 1]]));
await bob.say("welcome carol, this line is a little longer than the others ".repeat(3));
await expect(new Map([[alice, 1], [carol, 1]]));
await carol.say("\u00e7a va? \u2603");
await expect(new Map([[alice, 1], [bob, 1]]));
alice.sock.close();
await expect(new Map([[bob, 1], [carol, 1]]));
await bob.sock.shutdown(socket.SHUT_WR);
await expect(new Map([[carol, 1]]));
await carol.say("bye");
const last = await receive(bob.sock);
print("bob reads to EOF:", last === "" ? true : "more");
bob.sock.close();
carol.sock.close();
