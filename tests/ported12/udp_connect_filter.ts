// Port of udp_connect_filter.py (the roles dict is keyed by the address printed as text: tuples compare by value
// in Python; errno.errorcode is socket.errorcode).
import * as socket from "../../mod.ts";
import type { Address } from "../../mod.ts";
import { b, decode, print } from "../ported/_py.ts";

function udp() {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.bind(["127.0.0.1", 0]);
  s.settimeout(2);
  return s;
}

const [me, peer, stranger, peer2] = [udp(), udp(), udp(), udp()];
const key = (a: Address) => JSON.stringify(a);
const roles = new Map([
  [key(peer.getsockname()), "peer"],
  [key(stranger.getsockname()), "stranger"],
  [key(peer2.getsockname()), "peer2"],
]);
const who = (addr: Address) => roles.get(key(addr)) ?? "?";

async function drain(label: string) {
  const got: string[] = [];
  me.settimeout(0.3);
  while (true) {
    let data, addr;
    try {
      [data, addr] = await me.recvfrom(100);
    } catch (e) {
      if (e instanceof socket.TimeoutError) break;
      throw e;
    }
    got.push(`${decode(data)} from ${who(addr!)}`);
  }
  me.settimeout(2);
  print(label, "[" + got.map((x) => `'${x}'`).join(", ") + "]");
}

try {
  me.getpeername();
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("getpeername before connect:", socket.errorcode[e.errno!]);
}
await stranger.sendto(b("early stranger"), me.getsockname());
await peer.sendto(b("early peer"), me.getsockname());
// Wait until both are queued (a receive with MSG_PEEK sees the first).
print("peeked:", (await me.recvfrom(100, socket.MSG_PEEK))[0]);
await me.connect(peer.getsockname());
print("connected to", who(me.getpeername()));
await stranger.sendto(b("late stranger"), me.getsockname());
print("stranger's sendto after connect returned normally");
await peer.sendto(b("late peer"), me.getsockname());
await drain("after connect:");
print("send:", await me.send(b("to peer")));
print("peer got:", await peer.recv(100));
try {
  print("sendto a stranger:", await me.sendto(b("x"), stranger.getsockname()));
  const [data, addr] = await stranger.recvfrom(100);
  print("stranger got:", data, "from me:", key(addr!) === key(me.getsockname()));
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("sendto a stranger:", e.constructor.name, socket.errorcode[e.errno!]);
}
print("sendto the peer itself:", await me.sendto(b("again"), peer.getsockname()));
print("peer got:", await peer.recv(100));
await me.connect(peer2.getsockname());
print("reconnected to", who(me.getpeername()));
await peer.sendto(b("old peer"), me.getsockname());
await peer2.sendto(b("new peer"), me.getsockname());
await drain("after reconnect:");
await me.send(b("hello peer2"));
print("peer2 got:", await peer2.recv(100));
for (const s of [me, peer, stranger, peer2]) s.close();
