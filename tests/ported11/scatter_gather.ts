// Port of scatter_gather.py (struct.pack/unpack are DataView's; zlib.crc32 is node:zlib's; the sender thread is
// a task; memoryview slices are subarray(); bytearray(n) is new Uint8Array(n); lists print through list()).
import { crc32 } from "node:zlib";
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, list, print, repr } from "../ported/_py.ts";

const u32 = (n: number) => {
  const x = new Uint8Array(4);
  new DataView(x.buffer).setUint32(0, n);
  return x;
};
const u16 = (n: number) => {
  const x = new Uint8Array(2);
  new DataView(x.buffer).setUint16(0, n);
  return x;
};
const get_u32 = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset).getUint32(0);
const get_u16 = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset).getUint16(0);

function frame_parts(payload: Uint8Array): Uint8Array[] {
  return [u32(payload.length), payload, u16(crc32(payload) & 0xFFFF)];
}

async function read_exact_into(sock: Socket, view: Uint8Array): Promise<number> {
  let got = 0;
  while (got < view.length) {
    const [n] = await sock.recvmsg_into([view.subarray(got)]);
    if (n === 0) throw new Error("short frame");
    got += n;
  }
  return got;
}

async function read_frame(sock: Socket): Promise<[Uint8Array, boolean] | null> {
  const hdr = new Uint8Array(4);
  const [n0] = await sock.recvmsg_into([hdr]);
  if (n0 === 0) return null;
  if (n0 < 4) await read_exact_into(sock, hdr.subarray(n0));
  const length = get_u32(hdr);
  const body = new Uint8Array(length);
  const crc = new Uint8Array(2);
  // the payload and the trailer in one call, into two buffers
  const [n] = await sock.recvmsg_into([body, crc]);
  const rest = length + 2 - n;
  if (rest) {
    if (n < length) {
      await read_exact_into(sock, body.subarray(n));
      await read_exact_into(sock, crc);
    } else {
      await read_exact_into(sock, crc.subarray(n - length));
    }
  }
  const ok = get_u16(crc) === (crc32(body) & 0xFFFF);
  return [body, ok];
}

async function sender(sock: Socket, payloads: Uint8Array[]) {
  for (const p of payloads) {
    const parts = frame_parts(p);
    const total = parts.reduce((a, x) => a + x.length, 0);
    let sent = await sock.sendmsg(parts);
    while (sent < total) {
      const flat = bjoin(parts);
      sent += await sock.send(flat.subarray(sent));
    }
  }
  await sock.shutdown(socket.SHUT_WR);
}

const range256 = Uint8Array.from({ length: 256 }, (_, i) => i);
const payloads = [
  b("hello"),
  b(""),
  b("x".repeat(1000)),
  bjoin(Array.from({ length: 400 }, () => range256)),
  b("last"),
];

{
  const lsock = socket.create_server(["127.0.0.1", 0]);
  const port = (lsock.getsockname() as [string, number])[1];
  const c = await socket.create_connection(["127.0.0.1", port], 5);
  const [conn] = await lsock.accept();
  conn.settimeout(5);
  const t = sender(c, payloads);
  while (true) {
    const f = await read_frame(conn);
    if (f === null) break;
    const [body, ok] = f;
    print("tcp frame", body.length, body.subarray(0, 8), "crc ok:", ok);
  }
  await t;
  for (const s of [c, conn, lsock]) s.close();
}

{
  const [a, bb] = await socket.socketpair();
  a.settimeout(5);
  bb.settimeout(5);
  print("sendmsg of four parts:", await a.sendmsg([b("ab"), b("cd"), b("ef"), b("")]));
  const bufs = [new Uint8Array(3), new Uint8Array(1), new Uint8Array(10)];
  const [n, anc, flags, addr] = await bb.recvmsg_into(bufs);
  print("socketpair recvmsg_into:", n, list(anc), flags, addr, list(bufs.map((x) => x.slice())));
  await a.sendmsg([b("frame-"), b("two")]);
  const [data, anc2, flags2, addr2] = await bb.recvmsg(64);
  print("recvmsg:", data, list(anc2), flags2, addr2);
  const bads: [unknown, string][] = [[[], "[]"], [[b("x"), "str"], "[b'x', 'str']"], ["abc", "'abc'"]];
  for (const [bad, r] of bads) {
    try {
      print("sendmsg", r, "->", await a.sendmsg(bad as Uint8Array[]));
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      print("sendmsg", r, "TypeError");
    }
  }
  a.close();
  const r = await bb.recvmsg_into([new Uint8Array(4)]);
  print("after the peer closed:", [r[0], list(r[1]), r[2], r[3]]);
  bb.close();
}

{
  const [a, bb] = await socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM);
  a.settimeout(5);
  bb.settimeout(5);
  await a.sendmsg([b("0123"), b("4567"), b("89")]);
  let bufs = [new Uint8Array(3), new Uint8Array(4)];
  let [n, , flags] = await bb.recvmsg_into(bufs);
  print(
    "dgram truncated:",
    n,
    (flags & socket.MSG_TRUNC) === socket.MSG_TRUNC,
    list(bufs.map((x) => x.slice())),
  );
  await a.sendmsg([b("ok")]);
  bufs = [new Uint8Array(3), new Uint8Array(4)];
  [n, , flags] = await bb.recvmsg_into(bufs);
  print("dgram whole:", n, flags, list(bufs.map((x) => x.slice())));
  a.close();
  bb.close();
}

{
  const u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  const u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  u1.bind(["127.0.0.1", 0]);
  u2.bind(["127.0.0.1", 0]);
  u2.settimeout(5);
  print("udp sendmsg:", await u1.sendmsg([b("he"), b("ll"), b("o")], [], 0, u2.getsockname()));
  const hdr = new Uint8Array(2);
  const rest = new Uint8Array(8);
  const [n, , , addr] = await u2.recvmsg_into([hdr, rest]);
  print("udp recvmsg_into:", n, hdr, rest.slice(0, n - 2), repr(addr) === repr(u1.getsockname()));
  u1.close();
  u2.close();
}
