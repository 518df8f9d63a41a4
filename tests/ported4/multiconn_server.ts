// Port of multiconn_server.py (a SimpleNamespace is a plain object kept as the key's data).
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { bjoin, decode, print } from "../ported/_py.ts";

interface Conn {
  addr: socket.Address;
  inb: Uint8Array;
  outb: Uint8Array;
  total: number;
}

const sel = new selectors.DefaultSelector<Conn | null>();
const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.bind(["127.0.0.1", parseInt(Deno.args[0]!)]);
lsock.listen();
print("listening on", lsock.getsockname()[1]);
lsock.setblocking(false);
sel.register(lsock, selectors.EVENT_READ, { data: null });
const done: Uint8Array[] = [];

async function accept_wrapper(sock: socket.Socket) {
  const [conn, addr] = await sock.accept();
  conn.setblocking(false);
  const data: Conn = { addr, inb: new Uint8Array(0), outb: new Uint8Array(0), total: 0 };
  sel.register(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, { data });
}

async function service_connection(key: selectors.SelectorKey<Conn | null>, mask: number) {
  const sock = key.fileobj as socket.Socket;
  const data = key.data!;
  if (mask & selectors.EVENT_READ) {
    const recv_data = await sock.recv(1024);
    if (recv_data.length) {
      data.outb = bjoin([data.outb, recv_data]);
      data.inb = bjoin([data.inb, recv_data]);
    } else {
      sel.unregister(sock);
      sock.close();
      done.push(data.inb);
    }
  }
  if (mask & selectors.EVENT_WRITE) {
    if (data.outb.length) {
      const sent = await sock.send(data.outb);
      data.total += sent;
      data.outb = data.outb.subarray(sent);
    }
  }
}

try {
  while (done.length < 3) {
    const events = await sel.select(10);
    if (!events.length) {
      print("idle, stopping");
      break;
    }
    for (const [key, mask] of events) {
      if (key.data === null) await accept_wrapper(key.fileobj as socket.Socket);
      else await service_connection(key, mask);
    }
  }
} finally {
  sel.close();
  lsock.close();
}
for (const inb of done.sort((x, y) => decode(x) < decode(y) ? -1 : 1)) print("echoed", inb);
