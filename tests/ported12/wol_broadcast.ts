// Port of wol_broadcast.py (the receiver thread is a task; bytes.fromhex and bytes.hex(":") are small helpers;
// ValueError is RangeError; errno.errorcode is socket.errorcode).
import * as socket from "../../mod.ts";
import { beq, bjoin, print, repr } from "../ported/_py.ts";

const BCAST = "127.255.255.255";

const fromhex = (h: string) => new Uint8Array(h.match(/../g)!.map((x) => parseInt(x, 16)));
const hex = (x: Uint8Array) => [...x].map((c) => c.toString(16).padStart(2, "0")).join(":");

function magic(mac: string): Uint8Array {
  const digits = mac.replaceAll(":", "").replaceAll("-", "");
  if (digits.length !== 12) throw new RangeError("bad MAC " + repr(mac));
  const m = fromhex(digits);
  return bjoin([new Uint8Array(6).fill(0xff), ...Array(16).fill(m)]);
}

const rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
rx.bind([BCAST, 0]);
const port = (rx.getsockname() as [string, number])[1];
print("receiver bound to", (rx.getsockname() as [string, number])[0]);
rx.settimeout(5);
const rx_u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
rx_u.bind(["127.0.0.1", 0]);
rx_u.settimeout(5);

const got: [string, string, boolean][] = [];

async function receiver(n: number) {
  for (let i = 0; i < n; i++) {
    const [data, addr] = await rx.recvfrom(1024);
    const ok = data.length === 102 && data.subarray(0, 6).every((c) => c === 0xff) &&
      beq(data.subarray(6), bjoin(Array(16).fill(data.subarray(6, 12))));
    got.push([hex(data.subarray(6, 12)), (addr as [string, number])[0], ok]);
  }
}

const t = receiver(3);

const tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
print("SO_BROADCAST before:", tx.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST));
try {
  await tx.sendto(magic("00:11:22:33:44:55"), [BCAST, port]);
  print("sent without SO_BROADCAST");
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("without SO_BROADCAST:", e.constructor.name, socket.errorcode[e.errno!]);
}
print("bound by the failed send:", (tx.getsockname() as [string, number])[1] !== 0);
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
print("SO_BROADCAST after:", tx.getsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST) !== 0);
for (const mac of ["00:11:22:33:44:55", "AA-BB-CC-DD-EE-FF", "zz:11", "0a0b0c0d0e0f"]) {
  try {
    const n = await tx.sendto(magic(mac), [BCAST, port]);
    print("sent", n, "bytes for", mac);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    print("refused:", e.message);
  }
}
await t;
for (const [mac, src, ok] of got) print("woke", mac, "from", src, ok);
const n = await tx.sendto(magic("01:02:03:04:05:06"), ["127.0.0.1", (rx_u.getsockname() as [string, number])[1]]);
{
  const [data, addr] = await rx_u.recvfrom(1024);
  print("unicast:", n, hex(data.subarray(6, 12)), (addr as [string, number])[0]);
}
tx.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 0);
try {
  await tx.sendto(new Uint8Array([0x78]), [BCAST, port]);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("after clearing:", e.constructor.name, socket.errorcode[e.errno!]);
}
const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
try {
  await c.connect([BCAST, port]);
  print("connect to broadcast: ok");
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("connect to broadcast:", e.constructor.name, socket.errorcode[e.errno!]);
}
c.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
await c.connect([BCAST, port]);
print("connected send:", await c.send(magic("10:20:30:40:50:60")));
{
  const [data, addr] = await rx.recvfrom(1024);
  print("woke", hex(data.subarray(6, 12)), "from", (addr as [string, number])[0]);
}
for (const x of [c, tx, rx, rx_u]) x.close();
