// Port of pubsub_server.py (the SimpleNamespace is a plain object, the data itself; `data=None` is
// `{ data: null }`; dicts are Maps; `global running` is a module-level let).
import * as socket from "../../mod.ts";
import { ConnectionError } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, decode, list, print, repr } from "../ported/_py.ts";

interface Conn {
  inb: Uint8Array;
  outb: Uint8Array;
  closing: boolean;
}

const sel = new selectors.DefaultSelector<Conn | null>();
const topics = new Map<string, socket.Socket[]>(); // topic -> list of connections
let running = true;
const stats = new Map([["connections", 0], ["published", 0], ["delivered", 0]]);

function queue(conn: socket.Socket, line: string) {
  const data = sel.get_key(conn).data!;
  data.outb = bjoin([data.outb, b(line), b("\n")]);
  sel.modify(conn, selectors.EVENT_READ | selectors.EVENT_WRITE, { data });
}

function drop(conn: socket.Socket) {
  for (const subs of topics.values()) {
    if (subs.includes(conn)) {
      subs.splice(subs.indexOf(conn), 1);
    }
  }
  sel.unregister(conn);
  conn.close();
}

function command(conn: socket.Socket, line: string) {
  // line.split(' ', 2): at most three words, the last one keeps its spaces
  const words = line.split(" ");
  if (words.length > 3) words.splice(2, words.length - 2, words.slice(2).join(" "));
  const cmd = words[0]!.toUpperCase();
  if (cmd === "SUB" && words.length === 2) {
    if (!topics.has(words[1]!)) topics.set(words[1]!, []);
    const subs = topics.get(words[1]!)!;
    if (!subs.includes(conn)) {
      subs.push(conn);
    }
    queue(conn, `OK subscribed ${words[1]}`);
  } else if (cmd === "UNSUB" && words.length === 2) {
    const subs = topics.get(words[1]!) ?? [];
    if (subs.includes(conn)) {
      subs.splice(subs.indexOf(conn), 1);
      queue(conn, `OK unsubscribed ${words[1]}`);
    } else {
      queue(conn, `ERR not subscribed to ${words[1]}`);
    }
  } else if (cmd === "PUB" && words.length === 3) {
    let n = 0;
    for (const other of topics.get(words[1]!) ?? []) {
      if (other !== conn) {
        queue(other, `MSG ${words[1]} ${words[2]}`);
        n += 1;
      }
    }
    stats.set("published", stats.get("published")! + 1);
    stats.set("delivered", stats.get("delivered")! + n);
    queue(conn, `OK ${n}`);
  } else if (cmd === "TOPICS" && words.length === 1) {
    const names = [...topics].filter(([, subs]) => subs.length).map(([t]) => t).sort();
    queue(conn, names.length ? `TOPICS ${names.join(" ")}` : "TOPICS");
  } else if (cmd === "QUIT") {
    queue(conn, "BYE");
    sel.get_key(conn).data!.closing = true;
  } else if (cmd === "SHUTDOWN") {
    running = false;
  } else {
    queue(conn, `ERR bad command ${repr(line)}`);
  }
}

async function accept(sock: socket.Socket) {
  const [conn, _addr] = await sock.accept();
  conn.setblocking(false);
  stats.set("connections", stats.get("connections")! + 1);
  sel.register(conn, selectors.EVENT_READ, { data: { inb: b(""), outb: b(""), closing: false } });
}

async function service(key: selectors.SelectorKey<Conn | null>, mask: number) {
  const conn = key.fileobj as socket.Socket;
  const data = key.data!;
  if (mask & selectors.EVENT_READ) {
    let recv_data: Uint8Array;
    try {
      recv_data = await conn.recv(4096);
    } catch (e) {
      if (!(e instanceof ConnectionError)) throw e;
      recv_data = b("");
    }
    if (!recv_data.length) {
      drop(conn);
      return;
    }
    data.inb = bjoin([data.inb, recv_data]);
    while (data.inb.includes(0x0a)) {
      const i = data.inb.indexOf(0x0a);
      const line = data.inb.subarray(0, i);
      data.inb = data.inb.subarray(i + 1);
      command(conn, decode(line).replace(/\r+$/, ""));
      if (!running) {
        return;
      }
    }
  }
  if (mask & selectors.EVENT_WRITE && data.outb.length) {
    const sent = await conn.send(data.outb);
    data.outb = data.outb.subarray(sent);
    if (!data.outb.length) {
      if (data.closing) {
        drop(conn);
      } else {
        sel.modify(conn, selectors.EVENT_READ, { data });
      }
    }
  }
}

const lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
lsock.bind(["127.0.0.1", Number(Deno.args[0])]);
lsock.listen();
print("broker listening on port", lsock.getsockname()[1]);
lsock.setblocking(false);
sel.register(lsock, selectors.EVENT_READ, { data: null });
while (running) {
  for (const [key, mask] of await sel.select(null)) {
    if (key.data === null) {
      await accept(key.fileobj as socket.Socket);
    } else {
      await service(key, mask);
    }
    if (!running) {
      break;
    }
  }
}
for (const key of [...sel.get_map()!.values()]) {
  (key.fileobj as socket.Socket).close();
}
sel.close();
print("stats:", list([...stats].sort(([a], [b]) => a < b ? -1 : 1)));
