// Port of mqtt_mini.py (the broker thread is a task; the connection table is a Map; bytearray buffers are
// Uint8Arrays rebuilt as they grow and shrink; struct's "!H" is two bytes by hand).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ, EVENT_WRITE } from "../../selectors.ts";
import { b, bjoin, decode, list, print, repr } from "../ported/_py.ts";

const log: string[] = [];

function enc_len(n: number): Uint8Array {
  const out: number[] = [];
  while (true) {
    const byte = n % 128;
    n = Math.floor(n / 128);
    out.push(byte | (n ? 0x80 : 0));
    if (!n) return new Uint8Array(out);
  }
}

function dec_len(buf: Uint8Array, pos: number): [number | null, number | null] {
  let mult = 1, value = 0;
  for (let i = 0; i < 4; i++) {
    if (pos + i >= buf.length) return [null, null];
    const byte = buf[pos + i]!;
    value += (byte & 0x7f) * mult;
    if (!(byte & 0x80)) return [value, pos + i + 1];
    mult *= 128;
  }
  throw new RangeError("malformed remaining length");
}

const u16 = (n: number) => new Uint8Array([n >> 8, n & 0xff]);
const get_u16 = (x: Uint8Array) => (x[0]! << 8) | x[1]!;
const mqtt_str = (s: string) => bjoin([u16(b(s).length), b(s)]);
const packet = (first: number, body: Uint8Array) => bjoin([new Uint8Array([first]), enc_len(body.length), body]);
const hex = (n: number) => "0x" + n.toString(16);

function topic_match(filt: string, topic: string): boolean {
  const f = filt.split("/"), t = topic.split("/");
  for (const [i, part] of f.entries()) {
    if (part === "#") return true;
    if (i >= t.length || (part !== "+" && part !== t[i])) return false;
  }
  return f.length === t.length;
}

interface State {
  id: string | null;
  in: Uint8Array;
  out: Uint8Array;
  subs: string[];
}

class Broker {
  sel = new DefaultSelector<State | null>();
  lsock = socket.create_server(["127.0.0.1", 0]);
  conns = new Map<Socket, State>();
  running = true;

  constructor() {
    this.lsock.setblocking(false);
    this.sel.register(this.lsock, EVENT_READ, { data: null });
  }

  send(conn: Socket, data: Uint8Array) {
    const st = this.conns.get(conn)!;
    st.out = bjoin([st.out, data]);
    this.sel.modify(conn, EVENT_READ | EVENT_WRITE, st);
  }

  drop(conn: Socket, why: string) {
    const st = this.conns.get(conn)!;
    this.conns.delete(conn);
    log.push(`broker: closed ${st.id || "?"} (${why})`);
    this.sel.unregister(conn);
    conn.close();
  }

  handle(conn: Socket, first: number, body: Uint8Array) {
    const st = this.conns.get(conn)!;
    const kind = first >> 4;
    if (kind === 1) { // CONNECT
      const n = get_u16(body.subarray(10, 12));
      st.id = decode(body.subarray(12, 12 + n));
      log.push(`broker: CONNECT ${st.id}`);
      this.send(conn, packet(0x20, new Uint8Array([0, 0])));
    } else if (kind === 8) { // SUBSCRIBE
      const pid = body.subarray(0, 2);
      let pos = 2;
      const granted: number[] = [];
      while (pos < body.length) {
        const n = get_u16(body.subarray(pos, pos + 2));
        st.subs.push(decode(body.subarray(pos + 2, pos + 2 + n)));
        pos += 2 + n + 1;
        granted.push(0);
      }
      log.push(`broker: ${st.id} subscribes ${repr(list(st.subs))}`);
      this.send(conn, packet(0x90, bjoin([pid, new Uint8Array(granted)])));
    } else if (kind === 3) { // PUBLISH, QoS 0
      const n = get_u16(body.subarray(0, 2));
      const topic = decode(body.subarray(2, 2 + n));
      for (const [other, ost] of [...this.conns]) {
        if (ost.subs.some((f) => topic_match(f, topic))) this.send(other, packet(0x30, body));
      }
    } else if (kind === 12) { // PINGREQ
      this.send(conn, packet(0xd0, new Uint8Array(0)));
    } else if (kind === 14) { // DISCONNECT
      this.drop(conn, "DISCONNECT");
      if (!this.conns.size) this.running = false;
    } else {
      this.drop(conn, `bad packet type ${kind}`);
    }
  }

  async readable(conn: Socket) {
    let data: Uint8Array;
    try {
      data = await conn.recv(65536);
    } catch (e) {
      if (e instanceof socket.BlockingIOError) return;
      throw e;
    }
    if (!data.length) {
      this.drop(conn, "EOF");
      return;
    }
    const st = this.conns.get(conn)!;
    st.in = bjoin([st.in, data]);
    while (this.conns.has(conn)) {
      const buf = st.in;
      if (buf.length < 2) break;
      let n: number | null, pos: number | null;
      try {
        [n, pos] = dec_len(buf, 1);
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        this.drop(conn, e.message);
        return;
      }
      if (n === null || pos === null || buf.length < pos + n) break;
      const first = buf[0]!, body = buf.slice(pos, pos + n);
      st.in = buf.slice(pos + n);
      this.handle(conn, first, body);
    }
  }

  async writable(conn: Socket) {
    const st = this.conns.get(conn)!;
    let sent: number;
    try {
      sent = await conn.send(st.out);
    } catch (e) {
      if (e instanceof socket.BlockingIOError) return;
      throw e;
    }
    st.out = st.out.slice(sent);
    if (!st.out.length) this.sel.modify(conn, EVENT_READ, st);
  }

  async serve() {
    for (let i = 0; i < 10000; i++) {
      if (!this.running) break;
      for (const [key, mask] of await this.sel.select(5)) {
        if (key.data === null) {
          let conn: Socket;
          try {
            [conn] = await this.lsock.accept();
          } catch (e) {
            if (e instanceof socket.BlockingIOError) continue;
            throw e;
          }
          conn.setblocking(false);
          const st: State = { id: null, in: new Uint8Array(0), out: new Uint8Array(0), subs: [] };
          this.conns.set(conn, st);
          this.sel.register(conn, EVENT_READ, st);
          continue;
        }
        const conn = key.fileobj as Socket;
        if (mask & EVENT_READ && this.conns.has(conn)) await this.readable(conn);
        if (mask & EVENT_WRITE && this.conns.has(conn)) await this.writable(conn);
      }
    }
    this.sel.close();
    this.lsock.close();
  }
}

async function recv_exact(sock: Socket, n: number): Promise<Uint8Array> {
  const buf = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const k = await sock.recv_into(buf.subarray(got), n - got);
    if (!k) throw new socket.ConnectionError("broker closed");
    got += k;
  }
  return buf;
}

async function read_packet(sock: Socket): Promise<[number, Uint8Array]> {
  const first = (await recv_exact(sock, 1))[0]!;
  let mult = 1, n = 0;
  while (true) {
    const byte = (await recv_exact(sock, 1))[0]!;
    n += (byte & 0x7f) * mult;
    if (!(byte & 0x80)) break;
    mult *= 128;
  }
  return [first, await recv_exact(sock, n)];
}

async function client(addr: [string, number], cid: string): Promise<Socket> {
  const s = await socket.create_connection(addr, { timeout: 5 });
  const body = bjoin([mqtt_str("MQTT"), new Uint8Array([4, 2, 0, 0x3c]), mqtt_str(cid)]);
  await s.sendall(packet(0x10, body));
  const [first, rest] = await read_packet(s);
  print(cid, "CONNACK", hex(first), rest);
  return s;
}

async function subscribe(s: Socket, cid: string, pid: number, ...filters: string[]) {
  const body = bjoin([u16(pid), ...filters.map((f) => bjoin([mqtt_str(f), new Uint8Array([0])]))]);
  await s.sendall(packet(0x82, body));
  const [first, rest] = await read_packet(s);
  print(cid, "SUBACK", hex(first), rest);
}

async function publish(s: Socket, topic: string, payload: Uint8Array) {
  await s.sendall(packet(0x30, bjoin([mqtt_str(topic), payload])));
}

async function show_publish(cid: string, s: Socket) {
  const [, body] = await read_packet(s);
  const n = get_u16(body.subarray(0, 2));
  const payload = body.subarray(2 + n);
  print(cid, "got", decode(body.subarray(2, 2 + n)), payload.length, payload.subarray(0, 12));
}

const broker = new Broker();
const addr = broker.lsock.getsockname() as [string, number];
const t = broker.serve();

print(
  "remaining length encodings:",
  list(
    [0, 127, 128, 16383, 16384, 2097151].map((n) =>
      [...enc_len(n)].map((x) => x.toString(16).padStart(2, "0")).join("")
    ),
  ),
);
const a = await client(addr, "sensor-a");
const bb = await client(addr, "dash-b");
const c = await client(addr, "logger-c");
await subscribe(bb, "dash-b", 1, "home/+/temp");
await subscribe(c, "logger-c", 2, "home/#", "alerts");
await publish(a, "home/kitchen/temp", b("21.5C"));
await show_publish("dash-b", bb);
await show_publish("logger-c", c);
await publish(a, "home/kitchen/humidity", b("x".repeat(300)));
await show_publish("logger-c", c);
const ramp = Uint8Array.from({ length: 256 }, (_, i) => i);
await publish(a, "alerts", bjoin([...Array(78).fill(ramp), b("tail")]));
await show_publish("logger-c", c);
await a.sendall(packet(0xc0, new Uint8Array(0)));
print("sensor-a PINGRESP", await read_packet(a));
// a malformed remaining length: five continuation bytes
const bad = await socket.create_connection(addr, { timeout: 5 });
await bad.sendall(new Uint8Array([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
print("malformed: broker closed:", (await bad.recv(10)).length === 0);
bad.close();
for (const s of [a, bb, c]) {
  await s.sendall(packet(0xe0, new Uint8Array(0)));
  print("after DISCONNECT:", await s.recv(10));
  s.close();
}
await t;
for (const entry of log) print(entry);
