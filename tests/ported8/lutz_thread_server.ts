// Port of lutz_thread_server.py: threads are tasks (start_new_thread(handleClient, (connection,)) is
// handleClient(connection) without await; a thread's join() is awaiting its Promise).
import * as socket from "../../mod.ts";
import { print, repr, sleep } from "../ported/_py.ts";
import { now, stamp } from "./_lutz.ts";

const myHost = "127.0.0.1";
let myPort = 0;
const sockobj = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
sockobj.bind([myHost, myPort]);
sockobj.listen(5);
myPort = sockobj.getsockname()[1] as number;

const done: number[] = [];
const tasks: Promise<void>[] = [];

async function handleClient(connection: socket.Socket) {
  await sleep(0.5);
  while (true) {
    const data = await connection.recv(1024);
    if (!data.length) break;
    const reply = `Echo=>${repr(data)} at ${now()}`;
    await connection.send(new TextEncoder().encode(reply));
  }
  connection.close();
  done.push(1);
}

async function dispatcher(count: number) {
  for (let i = 0; i < count; i++) {
    const [connection, address] = await sockobj.accept();
    print("Server connected by", address[0], "at", stamp(now()));
    tasks.push(handleClient(connection));
  }
}

async function client(n: number, results: Map<number, string[]>) {
  const message = [0, 1, 2].map((i) => new TextEncoder().encode(`client ${n} line ${i}`));
  const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  await sock.connect(["127.0.0.1", myPort]);
  const got: string[] = [];
  for (const line of message) {
    await sock.send(line);
    const data = new TextDecoder().decode(await sock.recv(1024));
    const cut = data.lastIndexOf(" at ");
    got.push(`Client received: ${data.slice(0, cut)} at ${stamp(data.slice(cut + 4))}`);
  }
  sock.close();
  results.set(n, got);
}

const numclients = 6;
const results = new Map<number, string[]>();
const server = dispatcher(numclients);
const start = Date.now();
const clients = Array.from({ length: numclients }, (_, n) => client(n, results));
await Promise.all(clients);
await server;
for (let n = 0; n < numclients; n++) {
  for (const line of results.get(n)!) print(line);
}
print("clients served at once:", (Date.now() - start) / 1000 < 0.5 * numclients);
while (done.length < numclients) await sleep(0.01);
sockobj.close();
print("handlers done:", done.length);
