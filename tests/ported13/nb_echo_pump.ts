// Port of nb_echo_pump.py (hashlib.sha256 of the stream becomes a byte-for-byte comparison with the expected
// transformed payload, which prints the same; memoryview slices are subarray(); bytes.translate is a map through
// the table; the per-connection dict is a Map of objects).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../../selectors.ts";
import { bjoin, list, print } from "../ported/_py.ts";

const { errno, errorcode } = socket;
const TOTAL = 6 * 1024 * 1024;
const block = new Uint8Array(65536).map((_, i) => (i * 7 + (i >> 10)) & 0xff);
const payload = bjoin(Array.from({ length: TOTAL / 65536 }, () => block));
const XOR = new Uint8Array(256).map((_, i) => i ^ 0x5a);
const expect = payload.map((x) => XOR[x]!);

const sel = new DefaultSelector<string>();
const lsock = socket.socket();
lsock.bind(["127.0.0.1", 0]);
lsock.listen();
lsock.setblocking(false);
sel.register(lsock, EVENT_READ, "listener");

// a closed port: bound, never listening, closed
const tmp = socket.socket();
tmp.bind(["127.0.0.1", 0]);
const closed_port = (tmp.getsockname() as [string, number])[1];
tmp.close();

const refused = socket.socket();
refused.setblocking(false);
let rc = await refused.connect_ex(["127.0.0.1", closed_port]);
print(
  "closed port connect_ex in progress or refused:",
  rc === errno.EINPROGRESS || rc === errno.ECONNREFUSED,
);
sel.register(refused, EVENT_WRITE, "refused");

const client = socket.socket();
client.setblocking(false);
rc = await client.connect_ex(lsock.getsockname());
print("connect_ex:", rc ? (errorcode[rc] ?? rc) : 0);
sel.register(client, EVENT_WRITE, "connecting");

const conns = new Map<Socket, { buf: Uint8Array; eof: boolean }>();
let c_out = payload.subarray(0);
const c_in = new Uint8Array(TOTAL);
let c_got = 0;
let c_overflow = false;
const state = { half_closed: false, done: false };
const events_seen = new Set<string>();

for (let i = 0; i < 200000; i++) {
  if (state.done && !conns.size) break;
  for (const [key, mask] of await sel.select(5)) {
    const tag = key.data;
    const sock = key.fileobj as Socket;
    if (tag === "listener") {
      const [conn] = await lsock.accept();
      conn.setblocking(false);
      conns.set(conn, { buf: new Uint8Array(0), eof: false });
      sel.register(conn, EVENT_READ, "server");
      events_seen.add("accept");
    } else if (tag === "refused") {
      const err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
      print("closed port SO_ERROR:", err ? (errorcode[err] ?? err) : 0);
      sel.unregister(sock);
      sock.close();
    } else if (tag === "connecting") {
      const err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR);
      print("connected, SO_ERROR:", err);
      let n = 0;
      try {
        for (let j = 0; j < 10000; j++) n += await sock.send(c_out.subarray(n, n + 65536));
      } catch (e) {
        if (!(e instanceof socket.BlockingIOError)) throw e;
        print("send buffer full:", e.constructor.name, errorcode[e.errno!]);
      }
      c_out = c_out.subarray(n);
      sel.modify(sock, EVENT_READ | EVENT_WRITE, "client");
    } else if (tag === "client") {
      if (mask & EVENT_WRITE) {
        if (c_out.length) {
          const n = await sock.send(c_out.subarray(0, 262144));
          c_out = c_out.subarray(n);
        }
        if (!c_out.length && !state.half_closed) {
          await sock.shutdown(socket.SHUT_WR);
          state.half_closed = true;
          sel.modify(sock, EVENT_READ, "client");
        }
      }
      if (mask & EVENT_READ) {
        const data = await sock.recv(65536);
        if (data.length) {
          if (c_got + data.length > TOTAL) c_overflow = true;
          else c_in.set(data, c_got);
          c_got += data.length;
        } else {
          print("client read EOF after", c_got, "bytes");
          sel.unregister(sock);
          sock.close();
          state.done = true;
        }
      }
    } else if (tag === "server") {
      const st = conns.get(sock)!;
      if (mask & EVENT_READ) {
        const data = await sock.recv(100000);
        if (data.length) {
          st.buf = bjoin([st.buf, data.map((x) => XOR[x]!)]);
        } else {
          st.eof = true;
          events_seen.add("server EOF");
        }
      }
      if (mask & EVENT_WRITE && st.buf.length) {
        const n = await sock.send(st.buf);
        st.buf = st.buf.slice(n);
      }
      if (st.eof && !st.buf.length) {
        sel.unregister(sock);
        sock.close();
        conns.delete(sock);
        continue;
      }
      let want = st.eof || st.buf.length > 1 << 20 ? 0 : EVENT_READ;
      if (st.buf.length) want |= EVENT_WRITE;
      if (want !== key.events) sel.modify(sock, want, "server");
    }
  }
}

const intact = !c_overflow && c_got === TOTAL && c_in.every((x, i) => x === expect[i]);
print("echo intact:", intact, c_got === TOTAL);
print("seen:", list([...events_seen].sort()));
sel.unregister(lsock);
lsock.close();
sel.close();
