// Port of sel_many_clients.py (threads are tasks; key.data is a [conn, out, eof] list, out a growable buffer).
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { bjoin, join, print } from "./_py.ts";

type Data = [socket.Socket, Uint8Array, boolean] | null;
const sel = new selectors.DefaultSelector<Data>();
const listener = socket.socket();
listener.bind(["127.0.0.1", 0]);
listener.listen(100);
listener.setblocking(false);
sel.register(listener, selectors.EVENT_READ, { data: null });
const served = { accepted: 0, closed: 0, bytes: 0 };
const stop = { set: false };

async function serve() {
  while (!stop.set) {
    for (const [key, mask] of await sel.select(0.05)) {
      if (key.data === null) {
        const [conn] = await (key.fileobj as socket.Socket).accept();
        conn.setblocking(false);
        served.accepted += 1;
        sel.register(conn, selectors.EVENT_READ, { data: [conn, new Uint8Array(0), false] });
        continue;
      }
      const d = key.data;
      const conn = d[0];
      let eof = d[2];
      if (mask & selectors.EVENT_READ && !eof) {
        let data: Uint8Array | null;
        try {
          data = await conn.recv(65536);
        } catch (e) {
          if (!(e instanceof socket.BlockingIOError)) throw e;
          data = null;
        }
        if (data && data.length) {
          d[1] = bjoin([d[1], data]);
          served.bytes += data.length;
        } else if (data) {
          d[2] = eof = true;
        }
      }
      if (mask & selectors.EVENT_WRITE && d[1].length) {
        try {
          const n = await conn.send(d[1]);
          d[1] = d[1].subarray(n);
        } catch (e) {
          if (!(e instanceof socket.BlockingIOError)) throw e;
        }
      }
      if (eof && !d[1].length) {
        sel.unregister(conn);
        served.closed += 1;
        conn.close();
        continue;
      }
      const events = (eof ? 0 : selectors.EVENT_READ) | (d[1].length ? selectors.EVENT_WRITE : 0);
      if (events !== key.events) {
        sel.modify(conn, events, { data: d });
      }
    }
  }
}

const results = new Map<number, [number, boolean]>();

async function client(n: number) {
  const payload = new Uint8Array(100_000).map((_, i) => (i * n + 1) % 256);
  using s = await socket.create_connection(listener.getsockname(), 20);
  const got: Uint8Array[] = [];
  const reader = async () => {
    while (true) {
      const chunk = await s.recv(65536);
      if (!chunk.length) {
        return;
      }
      got.push(chunk);
    }
  };
  const r = reader();
  for (let i = 0; i < payload.length; i += 7000) {
    await s.sendall(payload.subarray(i, i + 7000));
  }
  await s.shutdown(socket.SHUT_WR);
  await join(r, 20);
  const all = bjoin(got);
  results.set(n, [all.length, all.length === payload.length && all.every((x, i) => x === payload[i])]);
}

const t = serve();
const clients = Array.from({ length: 20 }, (_, n) => client(n));
for (const c of clients) {
  await join(c, 60);
}
stop.set = true;
await join(t, 5);
const ok = Array.from({ length: 20 }, (_, n) => results.get(n)).every((r) => r && r[0] === 100_000 && r[1]);
print("all echoed", ok, results.size);
print(`served {'accepted': ${served.accepted}, 'closed': ${served.closed}, 'bytes': ${served.bytes}}`);
listener.close();
sel.close();
