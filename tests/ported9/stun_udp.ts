// Port of stun_udp.py (struct.pack/unpack are DataView writes; os.urandom is crypto.getRandomValues; the
// server thread is a task; a bytearray is a Uint8Array; family.name is written out).
import * as socket from "../../mod.ts";
import { b, beq, bjoin, decode, print } from "../ported/_py.ts";

const MAGIC = 0x2112A442;
const BINDING_REQUEST = 0x0001, BINDING_RESPONSE = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020, SOFTWARE = 0x8022;

function be(...fields: [number, 1 | 2 | 4][]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, [, w]) => n + w, 0));
  const v = new DataView(out.buffer);
  let o = 0;
  for (const [x, w] of fields) {
    if (w === 1) v.setUint8(o, x);
    else if (w === 2) v.setUint16(o, x);
    else v.setUint32(o, x);
    o += w;
  }
  return out;
}
const u16 = (d: Uint8Array, o: number) => (d[o]! << 8) | d[o + 1]!;
const u32 = (d: Uint8Array, o: number) => ((d[o]! << 24) >>> 0) + (d[o + 1]! << 16) + (d[o + 2]! << 8) + d[o + 3]!;
const xor = (x: Uint8Array, key: Uint8Array) => x.map((a, i) => a ^ key[i]!);
const header = (type: number, len: number, tid: Uint8Array) => bjoin([be([type, 2], [len, 2], [MAGIC, 4]), tid]);

function xor_address(family: number, host: string, port: number, tid: Uint8Array): Uint8Array {
  const xport = port ^ (MAGIC >>> 16);
  if (family === socket.AF_INET) {
    const raw = socket.inet_pton(socket.AF_INET, host);
    return bjoin([be([0, 1], [1, 1], [xport, 2]), xor(raw, be([MAGIC, 4]))]);
  }
  const raw = socket.inet_pton(socket.AF_INET6, host);
  return bjoin([be([0, 1], [2, 1], [xport, 2]), xor(raw, bjoin([be([MAGIC, 4]), tid]))]);
}

function attr(t: number, value: Uint8Array): Uint8Array {
  const pad = (4 - value.length % 4) % 4;
  return bjoin([be([t, 2], [value.length, 2]), value, new Uint8Array(pad)]);
}

const dropped: boolean[] = [];

async function server(sock: socket.Socket, drop_first: boolean, count: number) {
  let seen = 0;
  while (seen < count) {
    const [data, addr] = await sock.recvfrom(2048) as [Uint8Array, [string, number]];
    if (decode(data) === "stop") break;
    seen += 1;
    if (seen === 1 && drop_first) {
      dropped.push(addr[0] === (sock.getsockname() as [string, number])[0]);
      continue;
    }
    const mtype = u16(data, 0), magic = u32(data, 4);
    const tid = data.subarray(8, 20);
    if (mtype !== BINDING_REQUEST || magic !== MAGIC) {
      print("server: not a binding request, ignored");
      continue;
    }
    const body = bjoin([
      attr(XOR_MAPPED_ADDRESS, xor_address(sock.family, addr[0], addr[1], tid)),
      attr(SOFTWARE, b("loopback-stun")),
    ]);
    await sock.sendto(bjoin([header(BINDING_RESPONSE, body.length, tid), body]), addr);
  }
}

interface Res {
  mapped?: [string, number];
  software?: string;
}

function parse(data: Uint8Array, tid: Uint8Array): Res | null {
  const mtype = u16(data, 0), length = u16(data, 2);
  if (mtype !== BINDING_RESPONSE || !beq(data.subarray(8, 20), tid)) return null;
  const out: Res = {};
  let pos = 20;
  while (pos < 20 + length) {
    const t = u16(data, pos), n = u16(data, pos + 2);
    const v = data.subarray(pos + 4, pos + 4 + n);
    if (t === XOR_MAPPED_ADDRESS) {
      const fam = v[1]!, xport = u16(v, 2) ^ (MAGIC >>> 16);
      const key = bjoin([be([MAGIC, 4]), fam === 2 ? tid : new Uint8Array()]);
      const rawx = v.subarray(4);
      const raw = rawx.subarray(0, Math.min(rawx.length, key.length)).map((a, i) => a ^ key[i]!);
      out.mapped = [socket.inet_ntop(fam === 1 ? socket.AF_INET : socket.AF_INET6, raw), xport];
    } else if (t === SOFTWARE) out.software = decode(v);
    pos += 4 + n + (4 - n % 4) % 4;
  }
  return out;
}

const same_addr = (x: unknown, y: unknown) => {
  const [a, p] = x as [string, number], [c, q] = y as [string, number];
  return a === c && p === q;
};

async function stun_request(
  sock: socket.Socket,
  server_addr: [string, number],
  stray: socket.Socket | null = null,
): Promise<[number | null, Res | null]> {
  const tid = crypto.getRandomValues(new Uint8Array(12));
  const req = header(BINDING_REQUEST, 0, tid);
  let timeout = 0.2;
  for (let attempt = 0; attempt < 5; attempt++) {
    await sock.sendto(req, server_addr);
    if (stray !== null && attempt === 0) {
      await stray.sendto(
        b("not stun at all"),
        (sock.getsockname() as [string, number]).slice(0, 2) as [string, number],
      );
    }
    sock.settimeout(timeout);
    try {
      while (true) {
        const [data, addr] = await sock.recvfrom(2048);
        if (!same_addr(addr, server_addr)) {
          print("client: ignoring a datagram from another port:", data);
          continue;
        }
        const res = parse(data, tid);
        if (res !== null) return [attempt, res];
      }
    } catch (e) {
      if (!(e instanceof socket.TimeoutError)) throw e;
      print(`client: timed out after ${timeout.toFixed(1)} s, retrying`);
      timeout *= 2;
    }
  }
  return [null, null];
}

for (
  const [family, host, fname] of [[socket.AF_INET, "127.0.0.1", "AF_INET"], [socket.AF_INET6, "::1", "AF_INET6"]] as [
    number,
    string,
    string,
  ][]
) {
  const srv = socket.socket(family, socket.SOCK_DGRAM);
  srv.bind([host, 0]);
  const srv_addr = (srv.getsockname() as [string, number]).slice(0, 2) as [string, number];
  const t = server(srv, family === socket.AF_INET, 10);
  const cli = socket.socket(family, socket.SOCK_DGRAM);
  cli.bind([host, 0]);
  const me = (cli.getsockname() as [string, number]).slice(0, 2) as [string, number];
  const stray = socket.socket(family, socket.SOCK_DGRAM);
  const [attempt, res] = await stun_request(cli, srv_addr, family === socket.AF_INET ? stray : null);
  print(fname, "attempt", attempt, "software", res!.software, "mapped is our address:", same_addr(res!.mapped, me));
  cli.settimeout(5);
  await stray.sendto(b("0123456789"), me);
  const [peeked] = await cli.recvfrom(4, socket.MSG_PEEK);
  const buf = new Uint8Array(16);
  const [n, addr] = await cli.recvfrom_into(buf);
  const sname = stray.getsockname() as [string, number];
  print(
    fname,
    "peek",
    peeked,
    "into",
    n,
    buf.slice(0, n),
    "from the stray's port:",
    (addr as [string, number])[1] === sname[1],
    "the stray's auto-bound name:",
    sname[0],
  );
  await stray.sendto(b("abcdefghijklmnop"), me);
  await stray.sendto(b("next"), me);
  print(fname, "truncated", await cli.recv(5), "then", await cli.recv(100));
  await cli.connect(srv_addr);
  await stray.sendto(b("filtered out by connect()"), me);
  const tid = b("T".repeat(12));
  await cli.send(header(BINDING_REQUEST, 0, tid));
  print(
    fname,
    "connected:",
    parse(await cli.recv(2048), tid)!.software,
    "peer is the server:",
    same_addr(cli.getpeername(), srv_addr),
  );
  await stray.sendto(b("stop"), srv_addr);
  await t;
  print(fname, "server dropped", dropped.length, "request(s)");
  dropped.length = 0;
  for (const s of [srv, cli, stray]) s.close();
}
