// Port of motw_socketpair.py (the forked child is a task; socketpair() is awaited; family.name is
// AddressFamily[family]).
import * as socket from "../../mod.ts";
import { AddressFamily, BlockingIOError, SocketKind } from "../../mod.ts";
import { b, join, print, repr } from "../ported/_py.ts";

const [parent, child] = await socket.socketpair();
print(
  "family",
  AddressFamily[parent.family],
  "type",
  SocketKind[parent.type],
  "names",
  repr(parent.getsockname()),
  repr(child.getpeername()),
);
const child_lines: string[] = [];

async function in_child() {
  child_lines.push("in child, waiting for message");
  const message = await child.recv(1024);
  child_lines.push(`message from parent: ${repr(message)}`);
  await child.sendall(b("pong"));
  child.close();
}

const t = in_child();
print("in parent, sending message");
await parent.sendall(b("ping"));
const response = await parent.recv(1024);
print("response from child:", response);
print("then EOF:", await parent.recv(1024));
parent.close();
await join(t, 10);
for (const line of child_lines) {
  print(line);
}

const [a, b_] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
print("family", AddressFamily[a.family], "type", SocketKind[a.type]);
for (const msg of [b("one"), b("two two"), b(""), b("three three three")]) {
  await a.send(msg);
}
for (let i = 0; i < 4; i++) {
  print("datagram", await b_.recv(1024));
}
await b_.send(b("a reply too long for the buffer"));
print("cut to", await a.recv(7));
a.setblocking(false);
try {
  await a.recv(1024);
} catch (e) {
  if (!(e instanceof BlockingIOError)) throw e;
  print("nothing more:", e.message);
}
a.close();
b_.close();
