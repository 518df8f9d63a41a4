// Port of sock_details.py.
import * as socket from "../../mod.ts";
import { AddressFamily, errno, SocketKind } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, list, print } from "./_py.ts";

const srv = socket.create_server(["127.0.0.1", 0]);
const port = srv.getsockname()[1];

for (
  const [label, setup] of [
    ["timeout 5", (s: Socket) => s.settimeout(5)],
    ["non-blocking", (s: Socket) => s.setblocking(false)],
    ["default timeout 3", (_s: Socket) => socket.setdefaulttimeout(3)],
  ] as [string, (s: Socket) => void][]
) {
  setup(srv);
  const c = await socket.create_connection(["127.0.0.1", port]);
  await select([srv], [], [], 5);
  const [conn, _addr] = await srv.accept();
  print(
    label,
    "| listener",
    srv.gettimeout() === null ? null : srv.gettimeout()!.toFixed(1),
    "| accepted",
    conn.gettimeout() === null ? null : conn.gettimeout()!.toFixed(1),
    conn.getblocking(),
    "| client",
    c.gettimeout() === null ? null : c.gettimeout()!.toFixed(1),
  );
  conn.close();
  c.close();
  socket.setdefaulttimeout(null);
  srv.settimeout(null);
}

const c = await socket.create_connection(["127.0.0.1", port]);
const [conn] = await srv.accept();
try {
  await conn.recv(10, socket.MSG_DONTWAIT);
} catch (e) {
  if (!(e instanceof socket.BlockingIOError)) throw e;
  print("MSG_DONTWAIT:", e.errno === errno.EAGAIN, e);
}
print("still blocking", conn.getblocking());
print("sendmsg", await c.sendmsg([b("head|"), b("body|"), b("tail")]));
let data = b("");
while (data.length < 14) {
  data = new Uint8Array([...data, ...await conn.recv(14 - data.length)]);
}
print("recv", data);
await c.sendmsg([b("0123456789")]);
const [b1, b2] = [new Uint8Array(4), new Uint8Array(10)];
await select([conn], [], [], 5);
const [nbytes, ancdata, flags, address] = await conn.recvmsg_into([b1, b2.subarray(2)]);
print("recvmsg_into", nbytes <= 10, list(ancdata), flags, address, b1, b2.slice(0, nbytes - 2));
c.close();
const eof = await conn.recvmsg(100);
print("recvmsg at EOF", [eof[0], list(eof[1]), eof[2], eof[3]]); // list(): ancdata is a Python list
conn.close();

const u1 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
const u2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u1.bind(["127.0.0.1", 0]);
u2.bind(["127.0.0.1", 0]);
u2.settimeout(5);
print("udp sendmsg", await u1.sendmsg([b("one "), b("datagram")], [], 0, u2.getsockname()));
const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
{
  const [data, anc, flags, addr] = await u2.recvmsg(100);
  print("udp recvmsg", data, list(anc), flags, same(addr, u1.getsockname()));
}
await u1.sendto(b("x".repeat(10)), u2.getsockname());
const buf = new Uint8Array(16);
{
  const [n, anc, flags, addr] = await u2.recvmsg_into([buf]);
  print("udp recvmsg_into", n, list(anc), flags, same(addr, u1.getsockname()), buf.slice(0, n));
}
u1.close();
u2.close();

const s = socket.socket();
const fd = s.detach();
print("detached", s.fileno(), fd >= 0);
const s2 = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0, fd);
print("adopted", AddressFamily[s2.family], SocketKind[s2.type], s2.fileno() === fd);
s2.close();
srv.close();
