// Port of pb_server.py (the wire helpers in _pb.ts; the lock goes away).
import { StreamRequestHandler, ThreadingTCPServer } from "../../socketserver.ts";
import type { SocketFile } from "../../mod.ts";
import { print, repr } from "../ported/_py.ts";
import { cat, encode_varint, field, unpack, zigzag_decode } from "./_pb.ts";

const MAX_FRAME = 1 << 20;

class DecodeError extends Error {}

async function read_varint_stream(f: SocketFile): Promise<number | null> {
  let shift = 0;
  let result = 0;
  while (true) {
    const b = await f.read(1) as Uint8Array;
    if (!b.length) {
      if (shift === 0) return null;
      throw new DecodeError("truncated varint");
    }
    result += (b[0]! & 0x7f) * 2 ** shift;
    if (!(b[0]! & 0x80)) return result;
    shift += 7;
    if (shift > 63) throw new DecodeError("varint too long");
  }
}

function read_varint(buf: Uint8Array, pos: number): [number, number] {
  let shift = 0;
  let result = 0;
  while (true) {
    if (pos >= buf.length) throw new DecodeError("truncated varint");
    const b = buf[pos]!;
    pos += 1;
    result += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return [result, pos];
    shift += 7;
    if (shift > 63) throw new DecodeError("varint too long");
  }
}

type Field = [number, number, number | Uint8Array];

function parse(buf: Uint8Array): Field[] {
  const fields: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let key: number;
    [key, pos] = read_varint(buf, pos);
    const [num, wire] = [Math.floor(key / 8), key % 8];
    let value: number | Uint8Array;
    if (wire === 0) {
      [value, pos] = read_varint(buf, pos);
    } else if (wire === 1) {
      if (pos + 8 > buf.length) throw new DecodeError("truncated fixed64");
      value = buf.slice(pos, pos + 8);
      pos += 8;
    } else if (wire === 2) {
      let n: number;
      [n, pos] = read_varint(buf, pos);
      if (pos + n > buf.length) throw new DecodeError(`truncated field ${num}`);
      value = buf.slice(pos, pos + n);
      pos += n;
    } else if (wire === 5) {
      if (pos + 4 > buf.length) throw new DecodeError("truncated fixed32");
      value = buf.slice(pos, pos + 4);
      pos += 4;
    } else {
      throw new DecodeError(`bad wire type ${wire}`);
    }
    fields.push([num, wire, value]);
  }
  return fields;
}

const utf8 = (b: Uint8Array) => new TextDecoder("utf-8", { fatal: true }).decode(b);

interface Person {
  name: string;
  id: number;
  email: string | null;
  phones: [string, number][];
  score: number;
  delta: number;
  flags: number;
  unknown: number;
}

function person(buf: Uint8Array): Person {
  const p: Person = { name: "", id: 0, email: null, phones: [], score: 0.0, delta: 0, flags: 0, unknown: 0 };
  for (const [num, wire, value] of parse(buf)) {
    if (num === 1 && wire === 2) p.name = utf8(value as Uint8Array);
    else if (num === 2 && wire === 0) p.id = value as number;
    else if (num === 3 && wire === 2) p.email = utf8(value as Uint8Array);
    else if (num === 4 && wire === 2) {
      const phone = { number: "", type: 0 };
      for (const [n2, , v2] of parse(value as Uint8Array)) {
        if (n2 === 1) phone.number = utf8(v2 as Uint8Array);
        else if (n2 === 2) phone.type = v2 as number;
      }
      p.phones.push([phone.number, phone.type]);
    } else if (num === 5 && wire === 1) p.score = unpack("<d", value as Uint8Array);
    else if (num === 6 && wire === 0) p.delta = zigzag_decode(value as number);
    else if (num === 7 && wire === 5) p.flags = unpack("<I", value as Uint8Array);
    else p.unknown += 1;
  }
  return p;
}

const log: string[] = [];
const enc = new TextEncoder();
const cut = (s: string, n: number) => Array.from(s).slice(0, n).join("");

class Handler extends StreamRequestHandler {
  async send_frame(msg: Uint8Array) {
    await this.wfile.write(cat(encode_varint(msg.length), msg));
  }

  override async handle() {
    let count = 0;
    let total = 0;
    while (true) {
      let p: Person;
      try {
        const n = await read_varint_stream(this.rfile);
        if (n === null) break;
        if (n > MAX_FRAME) throw new DecodeError(`frame of ${n} bytes is too large`);
        const buf = await this.rfile.read(n) as Uint8Array;
        if (buf.length !== n) throw new DecodeError("stream ended inside a frame");
        p = person(buf);
      } catch (e) {
        if (!(e instanceof DecodeError || e instanceof TypeError)) throw e;
        log.push(`error: ${e.message}`);
        await this.send_frame(cat(field(1, 0, 0), field(15, 2, enc.encode(e.message))));
        return;
      }
      count += 1;
      total += p.id;
      const phones = `[${p.phones.map(([n, t]) => `(${repr(n)}, ${t})`).join(", ")}]`;
      log.push(
        `person ${cut(p.name, 20)} id=${p.id} email=${p.email ?? "None"} phones=${phones} ` +
          `score=${p.score.toFixed(3)} delta=${p.delta} flags=0x${p.flags.toString(16)} unknown=${p.unknown}`,
      );
      await this.send_frame(cat(
        field(1, 0, 1),
        field(2, 0, count),
        field(3, 2, enc.encode(cut(p.name.toUpperCase(), 20))),
        field(4, 0, total),
        field(5, 1, pack_q(-total)),
      ));
    }
    log.push(`connection done after ${count} messages`);
  }
}

function pack_q(x: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(x), true);
  return b;
}

class Server extends ThreadingTCPServer {
  static override allow_reuse_address = true;
}

{
  await using server = new Server(["127.0.0.1", Number(Deno.args[0])], Handler);
  print("protobuf-like server on port", server.server_address[1]);
  for (let i = 0; i < 2; i++) await server.handle_request();
}
for (const line of log) print(line);
