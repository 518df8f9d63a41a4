// Port of sel_bufecho_server.py (types.SimpleNamespace is an object literal).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { bjoin, list, print } from "./_py.ts";

interface Data {
  addr: socket.Address;
  inb: number;
  outb: Uint8Array;
  eof: boolean;
}

const sel = new selectors.DefaultSelector<Data>();

const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.bind(["127.0.0.1", Number(Deno.args[0])]);
lsock.listen();
print("listening on", lsock.getsockname());
lsock.setblocking(false);
sel.register(lsock, selectors.EVENT_READ, null);
let served = 0;
let write_events = 0;

async function accept_wrapper(sock: Socket) {
  const [conn, addr] = await sock.accept();
  print("accepted connection from", addr);
  conn.setblocking(false);
  const data: Data = { addr, inb: 0, outb: new Uint8Array(0), eof: false };
  sel.register(conn, selectors.EVENT_READ, data);
}

function close(sock: Socket, data: Data) {
  print("closing connection to", data.addr, "echoed", data.inb);
  sel.unregister(sock);
  sock.close();
  served += 1;
}

async function service_connection(key: selectors.SelectorKey<Data>, mask: number) {
  const sock = key.fileobj as Socket;
  const data = key.data!;
  if (mask & selectors.EVENT_READ) {
    const recv_data = await sock.recv(65536);
    if (recv_data.length) {
      data.inb += recv_data.length;
      const was_empty = !data.outb.length;
      data.outb = bjoin([data.outb, recv_data]);
      if (was_empty) {
        sel.modify(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, data);
      }
    } else {
      data.eof = true;
      if (!data.outb.length) {
        close(sock, data);
        return;
      }
      sel.modify(sock, selectors.EVENT_WRITE, data);
    }
  }
  if (mask & selectors.EVENT_WRITE) {
    write_events += 1;
    if (data.outb.length) {
      let sent: number;
      try {
        sent = await sock.send(data.outb);
      } catch (e) {
        if (!(e instanceof socket.BlockingIOError)) throw e;
        sent = 0;
      }
      data.outb = data.outb.subarray(sent);
    }
    if (!data.outb.length) {
      if (data.eof) {
        close(sock, data);
      } else {
        sel.modify(sock, selectors.EVENT_READ, data);
      }
    }
  }
}

for (let _ = 0; _ < 100000; _++) {
  if (served === 2) break;
  const events = await sel.select({ timeout: 10 } as selectors.SelectOptions); // cast: SelectOptions lacks timeout (finding P3)
  if (!events.length) {
    print("idle for 10 s: giving up");
    break;
  }
  for (const [key, mask] of events) {
    if (key.data === null) {
      await accept_wrapper(key.fileobj as Socket);
    } else {
      await service_connection(key, mask);
    }
  }
}
print("served", served, "clients; write events seen:", write_events > 0);
print("map after:", list([...sel.get_map()!.values()].map((k) => k.fileobj === lsock)));
sel.unregister(lsock);
lsock.close();
sel.close();
