// Port of memview_recv_into.py (a memoryview slice is subarray(); bytes(x) == y is beq; the sender thread is
// a task; hashlib.sha256 is crypto.subtle; Python's ValueError is RangeError).
import * as socket from "../../mod.ts";
import { b, beq, print } from "../ported/_py.ts";

const PAYLOAD = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + 3) % 251);
const sha = async (x: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest("SHA-256", x as Uint8Array<ArrayBuffer>))]
    .map((c) => c.toString(16).padStart(2, "0")).join("");

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];

async function sender() {
  const [conn] = await lsock.accept();
  using _c = conn;
  for (let i = 0; i < PAYLOAD.length; i += 4099) await conn.sendall(PAYLOAD.subarray(i, i + 4099));
  await conn.sendall(b("tail-0123456789"));
  await conn.recv(1);
}

const t = sender();
const s = await socket.create_connection(["127.0.0.1", port], 10);
const buf = new Uint8Array(PAYLOAD.length);
let view = buf.subarray(0);
let toread = buf.length;
let calls = 0;
while (toread) {
  const nbytes = await s.recv_into(view, toread);
  if (nbytes === 0) break;
  view = view.subarray(nbytes);
  toread -= nbytes;
  calls += 1;
}
print(
  "filled",
  buf.length - toread,
  "bytes, same:",
  beq(buf, PAYLOAD),
  "sha",
  (await sha(buf)).slice(0, 16),
  "calls > 1:",
  calls > 1,
);
const small = new Uint8Array(20);
let n = await s.recv_into(small.subarray(5), 4);
print("nbytes 4 into [5:]:", n, small);
n = await s.recv_into(small.subarray(5));
print("rest into [5:]:", n, small);
try {
  await s.recv_into(new Uint8Array(4), 5);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e);
}
try {
  await s.recv_into(new Uint8Array(4), -1);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e);
}
print("0-length view:", await s.recv_into(small.subarray(0, 0)));
await s.sendall(b("x"));
await t;
print("after close:", await s.recv_into(small), small.slice(0, 3));
s.close();
lsock.close();

const u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
const u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u1.bind(["127.0.0.1", 0]);
u2.bind(["127.0.0.1", 0]);
u2.settimeout(5);
for (const d of [b("alpha"), b("bravo-bravo"), b("c".repeat(40)), b("")]) await u1.sendto(d, u2.getsockname());
const dbuf = new Uint8Array(64);
const dview = dbuf.subarray(0);
let off = 0;
for (const size of [0, 8, 16, 0]) {
  const [n, addr] = await u2.recvfrom_into(dview.subarray(off), size);
  const same = JSON.stringify(addr) === JSON.stringify(u1.getsockname());
  print("datagram", n, "from u1:", same, dview.slice(off, off + n));
  off += n;
}
print("buffer", dbuf.slice(0, off));
await u1.sendto(b("0123456789"), u2.getsockname());
n = await u2.recv_into(dview.subarray(60));
print("into the last 4 bytes:", n, dbuf.slice(60));
try {
  await u2.recvfrom_into(new Uint8Array(2), 3);
} catch (e) {
  if (!(e instanceof RangeError)) throw e;
  print("ValueError:", e);
}
u1.close();
u2.close();
