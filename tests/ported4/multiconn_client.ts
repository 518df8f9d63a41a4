// Port of multiconn_client.py (errno.errorcode is socket.errno.errorcode; a SimpleNamespace is an object).
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, list, print, repr } from "../ported/_py.ts";

const errorcode = socket.errorcode; // errno.errorcode (the README: errno's table is socket.errorcode)
const sel = new selectors.DefaultSelector<Conn>();
const messages = [b("Message 1 from client."), b("Message 2 from client.")];
const logs = new Map<number, string[]>();

interface Conn {
  connid: number;
  msg_total: number;
  recv_total: number;
  messages: Uint8Array[];
  outb: Uint8Array;
  inb: Uint8Array;
  first: number | null;
}

const closed = socket.socket();
closed.bind(["127.0.0.1", 0]);
const closed_port = closed.getsockname()[1] as number;
closed.close();

async function start_connections(host: string, port: number, num_conns: number) {
  const server_addr: [string, number] = [host, port];
  for (let i = 0; i < num_conns; i++) {
    const connid = i + 1;
    const sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
    sock.setblocking(false);
    const err = await sock.connect_ex(server_addr);
    logs.set(connid, [`connect_ex: ${errorcode[err] ?? err}`]);
    const events = selectors.EVENT_READ | selectors.EVENT_WRITE;
    const msgs = Array.from({ length: connid }, () => messages).flat();
    const data: Conn = {
      connid,
      msg_total: messages.reduce((n, m) => n + m.length, 0) * connid,
      recv_total: 0,
      messages: msgs,
      outb: new Uint8Array(0),
      inb: new Uint8Array(0),
      first: null,
    };
    sel.register(sock, events, { data });
  }
}

async function service_connection(key: selectors.SelectorKey<Conn>, mask: number) {
  const sock = key.fileobj as socket.Socket;
  const data = key.data!;
  const log = logs.get(data.connid)!;
  if (data.first === null) {
    data.first = mask;
    const err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
    log.push(
      `first events: ${mask === 3 ? "READ|WRITE" : mask === 2 ? "WRITE" : "READ"}, SO_ERROR ${errorcode[err] ?? err}`,
    );
    if (err) {
      log.push(`closing after ${errorcode[err]}`);
      sel.unregister(sock);
      sock.close();
      return;
    }
  }
  if (mask & selectors.EVENT_READ) {
    const recv_data = await sock.recv(1024);
    if (recv_data.length) {
      data.recv_total += recv_data.length;
      data.inb = bjoin([data.inb, recv_data]);
    }
    if (!recv_data.length || data.recv_total === data.msg_total) {
      log.push(`received ${data.recv_total} bytes: ${repr(data.inb.subarray(-30))}`);
      sel.unregister(sock);
      sock.close();
      return;
    }
  }
  if (mask & selectors.EVENT_WRITE) {
    if (!data.outb.length && data.messages.length) data.outb = data.messages.shift()!;
    if (data.outb.length) {
      const sent = await sock.send(data.outb);
      data.outb = data.outb.subarray(sent);
    }
  }
}

await start_connections("127.0.0.1", parseInt(Deno.args[0]!), 3);
const sock = socket.socket();
sock.setblocking(false);
const err = await sock.connect_ex(["127.0.0.1", closed_port]);
logs.set(0, [`connect_ex: ${errorcode[err] ?? err}`]);
sel.register(sock, selectors.EVENT_READ | selectors.EVENT_WRITE, {
  data: {
    connid: 0,
    msg_total: 0,
    recv_total: 0,
    messages: [],
    outb: new Uint8Array(0),
    inb: new Uint8Array(0),
    first: null,
  },
});
try {
  for (let i = 0; i < 200000; i++) { // busy on EVENT_WRITE while echoes are on their way (bounded)
    const events = await sel.select(10);
    if (!events.length) {
      print("timed out");
      break;
    }
    for (const [key, mask] of events) await service_connection(key, mask);
    if (!sel.get_map()!.size) break;
  }
} finally {
  sel.close();
}
for (const connid of [...logs.keys()].sort()) print(connid, list(logs.get(connid)!));
