// Port of pb_client.py (the wire helpers in _pb.ts; a dict of ints prints through pydict()).
import * as socket from "../../mod.ts";
import { print, repr, sleep } from "../ported/_py.ts";
import { cat, encode_varint, field, pack, unpack, zigzag } from "./_pb.ts";

const enc = new TextEncoder();

function person(
  name: string,
  id: number,
  email: string | null = null,
  phones: [string, number][] = [],
  score = 0.0,
  delta = 0,
  flags = 0,
  extra: Uint8Array = new Uint8Array(),
): Uint8Array {
  const parts = [field(1, 2, enc.encode(name)), field(2, 0, id)];
  if (email !== null) parts.push(field(3, 2, enc.encode(email)));
  for (const [number, kind] of phones) parts.push(field(4, 2, cat(field(1, 2, enc.encode(number)), field(2, 0, kind))));
  parts.push(field(5, 1, pack("<d", score)), field(6, 0, zigzag(delta)), field(7, 5, pack("<I", flags)));
  return cat(...parts, extra);
}

const frame = (msg: Uint8Array) => cat(encode_varint(msg.length), msg);

class Reader {
  sock: socket.Socket;
  buf: Uint8Array = new Uint8Array();
  constructor(sock: socket.Socket) {
    this.sock = sock;
  }

  async fill(): Promise<boolean> {
    const data = await this.sock.recv(4096);
    if (!data.length) return false;
    this.buf = cat(this.buf, data);
    return true;
  }

  async frame(): Promise<Uint8Array | null> {
    while (true) {
      let shift = 0;
      let n = 0;
      for (const [i, b] of this.buf.entries()) {
        n += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (!(b & 0x80)) {
          if (this.buf.length >= i + 1 + n) {
            const msg = this.buf.slice(i + 1, i + 1 + n);
            this.buf = this.buf.slice(i + 1 + n);
            return msg;
          }
          break;
        }
      }
      if (!(await this.fill())) return null;
    }
  }
}

function read_varint(buf: Uint8Array, pos: number): [number, number] {
  let shift = 0;
  let result = 0;
  while (true) {
    const b = buf[pos]!;
    pos += 1;
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
  }
}

function ack(msg: Uint8Array | null): Map<number, number | string> {
  if (msg === null) throw new TypeError("object of type 'NoneType' has no len()");
  const out = new Map<number, number | string>();
  let pos = 0;
  while (pos < msg.length) {
    let key: number;
    [key, pos] = read_varint(msg, pos);
    const [num, wire] = [Math.floor(key / 8), key % 8];
    if (wire === 0) {
      let v: number;
      [v, pos] = read_varint(msg, pos);
      out.set(num, v);
    } else if (wire === 1) {
      out.set(num, unpack("<q", msg.slice(pos, pos + 8)));
      pos += 8;
    } else if (wire === 2) {
      let n: number;
      [n, pos] = read_varint(msg, pos);
      out.set(num, new TextDecoder("utf-8", { fatal: true }).decode(msg.slice(pos, pos + n)));
      pos += n;
    }
  }
  return out;
}

const pydict = (d: Map<number, unknown>) => `{${[...d].map(([k, v]) => `${k}: ${repr(v)}`).join(", ")}}`;

const port = Number(Deno.args[0]);
let s = await socket.create_connection(["127.0.0.1", port]);
let r = new Reader(s);
const batch = [
  person("Ada Lovelace", 1815, "ada@example.org", [["555-0100", 1], ["555-0199", 2]], 3.25, -7, 0xDEADBEEF),
  person("Alan Turing", 1912, null, [], -0.5, 300, 1),
  person(
    "Grace Hopper",
    1906,
    "grace@example.org",
    [["555-0142", 0]],
    1e10,
    -(2 ** 31),
    0,
    cat(field(99, 2, enc.encode("from a newer schema")), field(98, 0, 7)),
  ),
];
await s.sendall(cat(...batch.map(frame)));
for (const _ of batch) print("ack", pydict(ack(await r.frame())));
const slow = frame(person("Byte-by-byte \u00e9\u4e2d", 2 ** 40 + 1, "slow@example.org", [], 0.0, 2 ** 31 - 1));
for (let i = 0; i < slow.length; i++) {
  await s.sendall(slow.slice(i, i + 1));
  if (i % 8 === 0) await sleep(0.001);
}
print("ack", pydict(ack(await r.frame())));
const big = person("B".repeat(100000), 7);
await s.sendall(frame(big));
const a = ack(await r.frame());
print("ack big", a.get(2), (a.get(3) as string).length, a.get(4), a.get(5));
await s.sendall(frame(cat(field(1, 2, enc.encode("Mallory")), new Uint8Array([0x13, 0x01])))); // field 2, wire type 3
print("ack", pydict(ack(await r.frame())));
print("then", await r.frame());
s.close();

s = await socket.create_connection(["127.0.0.1", port]);
r = new Reader(s);
await s.sendall(cat(encode_varint(2 ** 21), enc.encode("xyz")));
print("ack", pydict(ack(await r.frame())));
print("then", await r.frame());
s.close();
