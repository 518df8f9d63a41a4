// Port of motw_selectors.py (callbacks kept in the selector are async and awaited; the server thread is a
// task; `global keep_running` is a module-level let).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { bjoin, join, print, repr } from "../ported/_py.ts";

const mysel = new selectors.DefaultSelector<(sock: Socket, mask: number) => Promise<void>>();
let keep_running = true;
const server_log: string[] = [];

/** Callback for read events */
async function read(connection: Socket, _mask: number) {
  const client_address = connection.getpeername();
  const data = await connection.recv(1024);
  if (data.length) {
    received.set(connection, bjoin([received.get(connection) ?? new Uint8Array(), data]));
    await connection.sendall(data);
  } else {
    server_log.push(`read(${client_address[0]})`);
    server_log.push(`  received ${repr(received.get(connection))}`);
    received.delete(connection);
    server_log.push("  closing");
    mysel.unregister(connection);
    connection.close();
    keep_running = false;
  }
}

/** Callback for new connections */
async function accept(sock: Socket, _mask: number) {
  const [new_connection, addr] = await sock.accept();
  server_log.push(`accept(${addr[0]})`);
  new_connection.setblocking(false);
  mysel.register(new_connection, selectors.EVENT_READ, read);
}

const received = new Map<Socket, Uint8Array>();
let server_address: [string, number] = ["localhost", 0];
server_log.push(`starting up on ${server_address[0]} port ${"PORT"}`);
const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
server.setblocking(false);
server.bind(server_address);
server.listen(5);
const port = server.getsockname()[1] as number;

mysel.register(server, selectors.EVENT_READ, accept);

async function server_loop() {
  while (keep_running) {
    for (const [key, mask] of await mysel.select(1)) {
      const callback = key.data!;
      await callback(key.fileobj as Socket, mask);
    }
  }
  server_log.push("shutting down");
  mysel.close();
  server.close();
}

let alive = true;
const t = server_loop().finally(() => alive = false);

// selectors_echo_client.py
const csel = new selectors.DefaultSelector();
let running = true;
const outgoing = ["It will be repeated.", "This is the message.  "].map((x) => new TextEncoder().encode(x));
let bytes_sent = 0;
let bytes_received = 0;
let got = new Uint8Array();

server_address = ["localhost", port];
print(`connecting to ${server_address[0]} port ${"PORT"}`);
const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
await sock.connect(server_address);
sock.setblocking(false);
csel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE);
let reads = 0;
let connection: Socket = sock;
while (running) {
  for (const [key, mask] of await csel.select(1)) {
    connection = key.fileobj as Socket;
    const client_address = connection.getpeername();
    if (mask & selectors.EVENT_READ) {
      const data = await connection.recv(1024);
      if (data.length) {
        reads += 1;
        got = bjoin([got, data]);
        bytes_received += data.length;
      }
      if (!data.length) {
        running = false;
      }
    }
    if (mask & selectors.EVENT_WRITE) {
      print(`client(${client_address[0]}) ready to write`);
      if (!outgoing.length) {
        print("  switching to read-only");
        csel.modify(sock, selectors.EVENT_READ);
      } else {
        const next_msg = outgoing.pop()!;
        print(`  sending ${repr(next_msg)}`);
        await sock.sendall(next_msg);
        bytes_sent += next_msg.length;
      }
    }
    if (!outgoing.length && bytes_received && bytes_received === bytes_sent) {
      running = false;
    }
  }
}
print(`  received ${repr(got)} in ${"one or more"} read(s): ${reads >= 1 ? "True" : "False"}`);
print("sent", bytes_sent, "received", bytes_received);
print("shutting down");
csel.unregister(connection);
connection.close();
csel.close();
await join(t, 30);
print("server alive:", alive);
for (const line of server_log) {
  print(line);
}
