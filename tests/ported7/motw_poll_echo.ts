// Port of motw_poll_echo.py (the server thread is a task; queue.Queue is an array; dicts keyed by socket are
// Maps; time.sleep is sleep()).
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { bjoin, join, print, repr, sleep } from "../ported/_py.ts";

const server = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
server.setblocking(0);
let server_address: [string, number] = ["localhost", 0];
server.bind(server_address);
server.listen(5);
const port = server.getsockname()[1] as number;
print(`starting up on ${server_address[0]} port ${"PORT"}`);

const message_queues = new Map<socket.Socket, Uint8Array[]>();
const TIMEOUT = 1000;
const READ_ONLY = select.POLLIN | select.POLLPRI | select.POLLHUP | select.POLLERR;
const READ_WRITE = READ_ONLY | select.POLLOUT;

const logs = new Map<string, string[]>();
const names = new Map<socket.Socket, string>();
const closed = [0];

function log(s: socket.Socket, line: string) {
  const name = names.get(s)!;
  if (!logs.has(name)) logs.set(name, []);
  logs.get(name)!.push(line);
}

async function serve() {
  const poller = select.poll();
  poller.register(server, READ_ONLY);
  const fd_to_socket = new Map<number, socket.Socket>([[server.fileno(), server]]);
  let waits = 0;
  while (closed[0]! < 3) {
    waits += 1;
    const events = await poller.poll(TIMEOUT);
    for (const [fd, flag] of events) {
      const s = fd_to_socket.get(fd)!;
      if (flag & (select.POLLIN | select.POLLPRI)) {
        if (s === server) {
          const [connection, client_address] = await s.accept();
          names.set(connection, `conn${names.size + 1}`);
          log(connection, `  connection ${client_address[0]}`);
          connection.setblocking(0);
          fd_to_socket.set(connection.fileno(), connection);
          poller.register(connection, READ_ONLY);
          message_queues.set(connection, []);
        } else {
          const data = await s.recv(1024);
          if (data.length) {
            log(s, `  received ${repr(data)} from ${s.getpeername()[0]}`);
            message_queues.get(s)!.push(data);
            poller.modify(s, READ_WRITE);
          } else {
            log(s, "  closing");
            poller.unregister(s);
            fd_to_socket.delete(fd);
            s.close();
            message_queues.delete(s);
            closed[0]! += 1;
          }
        }
      } else if (flag & select.POLLHUP) {
        log(s, "  closing (HUP)");
        poller.unregister(s);
        s.close();
        closed[0]! += 1;
      } else if (flag & select.POLLOUT) {
        const q = message_queues.get(s)!;
        if (!q.length) {
          poller.modify(s, READ_ONLY);
        } else {
          const next_msg = q.shift()!;
          log(s, `  sending ${repr(next_msg)}`);
          await s.send(next_msg);
        }
      } else if (flag & select.POLLERR) {
        log(s, "  exception");
        poller.unregister(s);
        s.close();
        message_queues.delete(s);
      }
    }
  }
  print("server waited at least 3 times:", waits >= 3);
  server.close();
}

const t = serve();

// select_echo_multiclient.py
const messages = ["This is the message. ", "It will be sent ", "in parts."];
server_address = ["localhost", port];
const socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM), socket.socket(socket.AF_INET, socket.SOCK_STREAM)];
print(`connecting to ${server_address[0]} port ${"PORT"}`);
for (const s of socks) {
  await s.connect(server_address);
}
for (const message of messages) {
  const outgoing_data = new TextEncoder().encode(message);
  for (const [i, s] of socks.entries()) {
    print(`sock${i}: sending ${repr(outgoing_data)}`);
    await s.send(outgoing_data);
  }
  for (const [i, s] of socks.entries()) {
    const data = await s.recv(1024);
    print(`sock${i}: received ${repr(data)}`);
    if (!data.length) {
      print("closing socket", i);
      s.close();
    }
  }
}
for (const s of socks) {
  s.close();
}

// select_echo_slow_client.py
const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
print(`connecting to ${server_address[0]} port ${"PORT"}`);
await sock.connect(server_address);
await sleep(0.3);
for (const part of ["Part one of the message.", "Part two of the message."].map((x) => new TextEncoder().encode(x))) {
  print(`sending ${repr(part)}`);
  await sock.sendall(part);
  await sleep(0.3);
}
let amount_received = 0;
const amount_expected = 48;
const parts: Uint8Array[] = [];
while (amount_received < amount_expected) {
  const data = await sock.recv(16);
  amount_received += data.length;
  parts.push(data);
}
print(`received ${repr(bjoin(parts))}`);
print("closing socket");
sock.close();

await join(t, 30);
for (const name of [...logs.keys()].sort()) {
  print(name);
  for (const line of logs.get(name)!) {
    print(line);
  }
}
