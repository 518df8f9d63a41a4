// Port of peek_framing.py (the sender thread is a task; struct "!I" is a DataView; list of tuples printed
// through list(); type(e).__name__ is the error's name).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, bjoin, list, print, repr, sleep } from "../ported/_py.ts";

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];

async function sender(script: [Uint8Array, number][]) {
  const s = await socket.create_connection(["127.0.0.1", port]);
  s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1);
  for (const [piece, pause] of script) {
    await s.sendall(piece);
    await sleep(pause);
  }
  s.close();
}

function frame(body: Uint8Array) {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, body.length);
  return bjoin([head, body]);
}

const ff = frame(b("first frame"));
const script: [Uint8Array, number][] = [
  [Uint8Array.of(0x16, 3, 1), 0.1],
  [ff.subarray(0, 2), 0.2],
  [ff.subarray(2), 0.05],
  [bjoin([frame(b("x".repeat(70000))), frame(b("")).subarray(0, 3)]), 0.2],
  [bjoin([frame(b("")).subarray(3), b("QUIT\r\n")]), 0],
];
let t = sender(script);
let [conn] = await lsock.accept();
conn.settimeout(5);
const first = await conn.recv(1, socket.MSG_PEEK);
print("sniffed:", first, "looks like TLS:", first.length === 1 && first[0] === 0x16);
const r = (await select([conn], [], [], 0))[0];
print("still readable after peek:", r.length === 1 && r[0] === conn);
print("consumed the record header:", await conn.recv(3, socket.MSG_WAITALL));
conn.settimeout(null);
const frames: [number, Uint8Array, number][] = [];
const peeks: number[] = [];
while (true) {
  const head = await conn.recv(4, socket.MSG_PEEK | socket.MSG_WAITALL);
  peeks.push(head.length);
  if (String.fromCharCode(...head.subarray(0, 4)) === "QUIT" || head.length < 4) break;
  const n = new DataView(head.buffer, head.byteOffset, 4).getUint32(0);
  const data = await conn.recv(4 + n, socket.MSG_WAITALL);
  frames.push([n, data.slice(4, 14), data.length]);
}
print("frames:", repr(list(frames)), "peeks:", repr(list(peeks)));
conn.settimeout(5);
print("the rest:", await conn.recv(100, socket.MSG_WAITALL));
print(
  "peeked EOF:",
  await conn.recv(10, socket.MSG_PEEK),
  await conn.recv(10, socket.MSG_PEEK),
  await conn.recv(10),
);
await t;
conn.close();

t = sender([[b(""), 0.6], [b("late"), 0.3]]);
[conn] = await lsock.accept();
try {
  await conn.recv(10, socket.MSG_DONTWAIT);
} catch (e) {
  if (!(e instanceof socket.BlockingIOError)) throw e;
  print("MSG_DONTWAIT:", e.name, e.errno);
}
print("blocking still:", conn.getblocking(), conn.gettimeout());
conn.settimeout(0.2);
try {
  await conn.recv(10, socket.MSG_PEEK);
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("peek timed out:", e);
}
conn.settimeout(5);
print("peek then read:", await conn.recv(10, socket.MSG_PEEK), await conn.recv(2), await conn.recv(10));
await t;
conn.close();
lsock.close();

const a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
const bs = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
a.bind(["127.0.0.1", 0]);
bs.bind(["127.0.0.1", 0]);
bs.settimeout(5);
for (const d of [b("short"), b("m".repeat(1000)), b(""), b("L".repeat(30000))]) await a.sendto(d, bs.getsockname());
for (let i = 0; i < 4; i++) {
  const size = (await bs.recv(1, socket.MSG_PEEK | socket.MSG_TRUNC)).length;
  const [data, addr] = await bs.recvfrom(Math.max(size, 1));
  print(
    "datagram of",
    size,
    "bytes:",
    data.length,
    data.slice(0, 5),
    JSON.stringify(addr) === JSON.stringify(a.getsockname()),
  );
}
a.close();
bs.close();
