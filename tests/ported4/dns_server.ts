// Port of dns_server.py (struct.pack/unpack become DataView calls).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { bjoin, decode, print } from "../ported/_py.ts";

const TABLE = new Map<string, string[]>([
  ["www.example.test", ["10.0.0.1"]],
  ["mail.example.test", ["10.0.0.25", "10.0.0.26"]],
  ["lossy.test", ["10.9.9.9"]],
  ["big.test", Array.from({ length: 40 }, (_, i) => `10.1.${Math.floor(i / 250)}.${i % 250}`)],
]);

function pack16(...xs: number[]): Uint8Array {
  const out = new Uint8Array(2 * xs.length);
  const dv = new DataView(out.buffer);
  xs.forEach((x, i) => dv.setUint16(2 * i, x));
  return out;
}

function parse_query(data: Uint8Array): [number, string, Uint8Array, number] {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ident = dv.getUint16(0);
  const labels: string[] = [];
  let i = 12;
  while (data[i]) {
    labels.push(decode(data.subarray(i + 1, i + 1 + data[i]!)));
    i += 1 + data[i]!;
  }
  const qtype = dv.getUint16(i + 1);
  return [ident, labels.join(".").toLowerCase(), data.subarray(12, i + 5), qtype];
}

function answer(data: Uint8Array, limit: number): [string, Uint8Array] {
  const [ident, name, question] = parse_query(data);
  const addrs = TABLE.get(name);
  const rcode = addrs !== undefined ? 0 : 3;
  let records = bjoin((addrs ?? []).map((a) => {
    const rr = new Uint8Array(12);
    const dv = new DataView(rr.buffer);
    rr.set([0xc0, 0x0c]);
    dv.setUint16(2, 1);
    dv.setUint16(4, 1);
    dv.setUint32(6, 300);
    dv.setUint16(10, 4);
    return bjoin([rr, socket.inet_aton(a)]);
  }));
  let count = (addrs ?? []).length;
  let tc = 0;
  if (limit && 12 + question.length + records.length > limit) [records, count, tc] = [new Uint8Array(0), 0, 1];
  const flags = 0x8000 | 0x0400 | (tc << 9) | 0x0100 | 0x0080 | rcode;
  return [name, bjoin([pack16(ident, flags, 1, count, 0, 0), question, records])];
}

let udp!: socket.Socket;
let tcp!: socket.Socket;
let port = 0;
for (let attempt = 0; attempt < 20; attempt++) { // a UDP port whose TCP twin is free too
  udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  udp.bind(["127.0.0.1", parseInt(Deno.args[0]!)]);
  port = udp.getsockname()[1] as number;
  try {
    tcp = socket.create_server(["127.0.0.1", port]);
    break;
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    udp.close();
  }
}
print("listening on", port);
const dropped = new Set<string>();
let done = false;
while (!done) {
  const [r] = await select([udp, tcp], [], [], 10);
  if (!r.length) {
    print("idle, stopping");
    break;
  }
  if (r.includes(udp)) {
    const [data, addr] = await udp.recvfrom(512);
    if (decode(data) === "STOP") {
      done = true;
      continue;
    }
    const [name, reply] = answer(data, 512);
    if (name === "lossy.test" && !dropped.has(name)) {
      dropped.add(name);
      print("udp: dropped", name);
      continue;
    }
    print("udp:", name, reply.length, "bytes", reply[2]! & 2 ? "truncated" : "");
    await udp.sendto(reply, addr);
  }
  if (r.includes(tcp)) {
    const [conn] = await tcp.accept();
    using _conn = conn;
    conn.settimeout(5);
    const n = new DataView((await conn.recv(2, socket.MSG_WAITALL)).slice().buffer).getUint16(0);
    const [name, reply] = answer(await conn.recv(n, socket.MSG_WAITALL), 0);
    print("tcp:", name, reply.length, "bytes");
    await conn.sendall(bjoin([pack16(reply.length), reply]));
  }
}
udp.close();
tcp.close();
print("server done");
