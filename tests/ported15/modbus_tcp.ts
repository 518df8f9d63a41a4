// Port of modbus_tcp.py (the accept thread and the connection threads are tasks; struct.pack/unpack with big-endian
// H and B are DataView calls in pack()/unpack(); REGS[a:b] = values is a loop; EOFError is a small class).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { bjoin, join, list, print, repr, sleep } from "../ported/_py.ts";

const NREGS = 16;
const REGS = Array.from({ length: NREGS }, (_, i) => i * 10);
const log: string[] = [];

class EOFError extends Error {}

/** struct.pack(fmt, ...) for big-endian formats of B and H ("BHH", "HHHB", ...). */
function pack(fmt: string, ...xs: number[]): Uint8Array {
  const out = new Uint8Array([...fmt].reduce((n, c) => n + (c === "H" ? 2 : 1), 0));
  const dv = new DataView(out.buffer);
  let off = 0;
  [...fmt].forEach((c, i) => {
    if (c === "H") {
      dv.setUint16(off, xs[i]!);
      off += 2;
    } else {
      dv.setUint8(off, xs[i]!);
      off += 1;
    }
  });
  return out;
}

/** struct.unpack(fmt, x) for the same formats. */
function unpack(fmt: string, x: Uint8Array): number[] {
  const dv = new DataView(x.buffer, x.byteOffset, x.byteLength);
  let off = 0;
  return [...fmt].map((c) => {
    const v = c === "H" ? dv.getUint16(off) : dv.getUint8(off);
    off += c === "H" ? 2 : 1;
    return v;
  });
}

const exc = (fc: number, code: number) => new Uint8Array([fc | 0x80, code]);

function process(pdu: Uint8Array): Uint8Array {
  const fc = pdu[0]!;
  if (fc === 3) {
    const [addr, count] = unpack("HH", pdu.subarray(1, 5)) as [number, number];
    if (!(1 <= count && count <= 125)) return exc(fc, 3);
    if (addr + count > NREGS) return exc(fc, 2);
    return bjoin([new Uint8Array([3, 2 * count]), pack("H".repeat(count), ...REGS.slice(addr, addr + count))]);
  }
  if (fc === 6) {
    const [addr, value] = unpack("HH", pdu.subarray(1, 5)) as [number, number];
    if (addr >= NREGS) return exc(fc, 2);
    REGS[addr] = value;
    return pdu.subarray(0, 5);
  }
  if (fc === 16) {
    const [addr, count, nbytes] = unpack("HHB", pdu.subarray(1, 6)) as [number, number, number];
    if (nbytes !== 2 * count || pdu.length !== 6 + nbytes) return exc(fc, 3);
    if (addr + count > NREGS) return exc(fc, 2);
    unpack("H".repeat(count), pdu.subarray(6, 6 + nbytes)).forEach((v, i) => REGS[addr + i] = v);
    return pack("BHH", 16, addr, count);
  }
  return exc(fc, 1);
}

async function handle(conn: Socket, n: number) {
  using _conn = conn;
  let served = 0;
  while (true) {
    const hdr = await conn.recv(7, socket.MSG_WAITALL);
    if (hdr.length < 7) {
      if (hdr.length) log.push(`conn ${n}: header cut at ${hdr.length} bytes after ${served} requests`);
      else log.push(`conn ${n}: EOF after ${served} requests`);
      break;
    }
    const [tid, proto, length, unit] = unpack("HHHB", hdr) as [number, number, number, number];
    if (proto !== 0) {
      log.push(`conn ${n}: protocol id ${proto}, dropped`);
      break;
    }
    const pdu = await conn.recv(length - 1, socket.MSG_WAITALL);
    const resp = process(pdu);
    await conn.sendall(bjoin([pack("HHHB", tid, 0, resp.length + 1, unit), resp]));
    served += 1;
  }
}

async function serve(lsock: Socket) {
  const threads: Promise<void>[] = [];
  for (let n = 0; n < 2; n++) {
    const [conn] = await lsock.accept();
    threads.push(handle(conn, n));
  }
  for (const t of threads) await join(t, 5);
}

async function recv_exact(s: Socket, n: number): Promise<Uint8Array> {
  let buf = new Uint8Array(0);
  while (buf.length < n) {
    const chunk = await s.recv(n - buf.length);
    if (!chunk.length) throw new EOFError(`closed after ${buf.length} of ${n} bytes`);
    buf = bjoin([buf, chunk]);
  }
  return buf;
}

class Client {
  sock!: Socket;
  tid = 0;

  static async create(addr: [string, number]): Promise<Client> {
    const c = new Client();
    c.sock = await socket.create_connection(addr, { timeout: 5 });
    return c;
  }

  frame(pdu: Uint8Array, unit = 1): [number, Uint8Array] {
    this.tid += 1;
    return [this.tid, bjoin([pack("HHHB", this.tid, 0, pdu.length + 1, unit), pdu])];
  }

  async reply(): Promise<[number, number, Uint8Array]> {
    const [tid, _proto, length, unit] = unpack("HHHB", await recv_exact(this.sock, 7)) as number[];
    return [tid!, unit!, await recv_exact(this.sock, length! - 1)];
  }

  async call(pdu: Uint8Array): Promise<Uint8Array> {
    const [tid, req] = this.frame(pdu);
    await this.sock.sendall(req);
    const [rtid, _unit, resp] = await this.reply();
    if (rtid !== tid) throw new Error("AssertionError");
    return resp;
  }
}

function show(resp: Uint8Array): string {
  const fc = resp[0]!;
  if (fc & 0x80) return `exception fc=${fc & 0x7F} code=${resp[1]}`;
  if (fc === 3) {
    const n = Math.floor(resp[1]! / 2);
    return `registers ${repr(list(unpack("H".repeat(n), resp.subarray(2, 2 + 2 * n))))}`;
  }
  if (fc === 6) {
    const [a, v] = unpack("HH", resp.subarray(1, 5));
    return `wrote reg ${a} = ${v}`;
  }
  if (fc === 16) {
    const [n, a] = unpack("HH", bjoin([resp.subarray(3, 5), resp.subarray(1, 3)]));
    return `wrote ${n} regs from ${a}`;
  }
  return `fc ${fc}: ${resp}`;
}

{
  using lsock = socket.create_server(["127.0.0.1", 0]);
  const addr = lsock.getsockname() as [string, number];
  const st = serve(lsock);
  const c = await Client.create(addr);
  print("read 0..4:", show(await c.call(pack("BHH", 3, 0, 5))));
  print("write reg 2:", show(await c.call(pack("BHH", 6, 2, 4242))));
  print("write 3 from 10:", show(await c.call(pack("BHHBHHH", 16, 10, 3, 6, 7, 8, 9))));
  print("read 8..13:", show(await c.call(pack("BHH", 3, 8, 6))));
  print("read past the end:", show(await c.call(pack("BHH", 3, 14, 4))));
  print("read 0 regs:", show(await c.call(pack("BHH", 3, 0, 0))));
  print("function 43:", show(await c.call(new Uint8Array([43, 14, 1, 0]))));
  print("bad byte count:", show(await c.call(pack("BHHBHH", 16, 0, 2, 3, 1, 2))));

  // pipelined: three requests in one sendall(), replies matched by transaction id
  const reqs = new Map<number, number>();
  const blob: Uint8Array[] = [];
  for (const pdu of [pack("BHH", 6, 0, 1), pack("BHH", 6, 1, 2), pack("BHH", 3, 0, 3)]) {
    const [tid, req] = c.frame(pdu);
    reqs.set(tid, pdu[0]!);
    blob.push(req);
  }
  await c.sock.sendall(bjoin(blob));
  for (let i = 0; i < 3; i++) {
    const [tid, unit, resp] = await c.reply();
    const fc = reqs.get(tid);
    reqs.delete(tid);
    print(`pipelined tid ${tid} (fc ${fc}, unit ${unit}): ${show(resp)}`);
  }

  // one request a byte at a time
  const [, req] = c.frame(pack("BHH", 3, 1, 2), 7);
  for (let i = 0; i < req.length; i++) {
    await c.sock.send(req.subarray(i, i + 1));
    await sleep(0.005);
  }
  const [rtid, unit, resp] = await c.reply();
  print(`byte by byte: tid ${rtid} unit ${unit} ${show(resp)}`);

  // a header cut short
  await c.sock.sendall(pack("HH", 99, 0));
  await c.sock.shutdown(socket.SHUT_WR);
  print("after the cut header:", await c.sock.recv(10));
  c.sock.close();

  // a wrong protocol id: the server drops the connection
  {
    using s = await socket.create_connection(addr, { timeout: 5 });
    await s.sendall(pack("HHHB", 1, 1, 6, 1));
    print("wrong protocol id:", await s.recv(10));
  }
  await join(st, 10);
}

for (const line of log.sort()) print(line);
print("final registers:", list(REGS));
