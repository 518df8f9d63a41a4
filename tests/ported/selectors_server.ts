// Port of selectors_server.py.
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { print, repr } from "./_py.ts";

const sel = new selectors.DefaultSelector<(sock: Socket, mask: number) => Promise<void>>();

async function accept(sock: Socket, _mask: number) {
  const [conn, addr] = await sock.accept(); // Should be ready
  print("accepted", conn, "from", addr);
  conn.setblocking(false);
  sel.register(conn, selectors.EVENT_READ, read);
}

async function read(conn: Socket, _mask: number) {
  const data = await conn.recv(1000); // Should be ready
  if (data.length) {
    print("echoing", repr(data), "to", conn);
    await conn.send(data); // Hope it won't block
  } else {
    print("closing", conn);
    sel.unregister(conn);
    conn.close();
  }
}

const sock = socket.socket();
sock.bind(["localhost", Number(Deno.args[0])]);
sock.listen(100);
sock.setblocking(false);
sel.register(sock, selectors.EVENT_READ, accept);

while (true) {
  const events = await sel.select();
  for (const [key, mask] of events) {
    const callback = key.data!;
    await callback(key.fileobj as Socket, mask);
  }
}
