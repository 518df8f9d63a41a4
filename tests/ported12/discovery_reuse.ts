// Port of discovery_reuse.py (the listener whose bind() fails is closed where CPython drops its last reference;
// the listeners dict is a Map; errno.errorcode is socket.errorcode).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, decode, list, print } from "../ported/_py.ts";

const BCAST = "127.255.255.255";

function listener(reuse = true, port = 0): Socket {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  try {
    if (reuse) s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
    s.bind([BCAST, port]);
  } catch (e) {
    s.close();
    throw e;
  }
  s.settimeout(2);
  return s;
}

const a = listener();
const PORT = (a.getsockname() as [string, number])[1];
const bl = listener(true, PORT);
print("two listeners on one port:", JSON.stringify(a.getsockname()) === JSON.stringify(bl.getsockname()));
try {
  listener(false, PORT);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("a third without SO_REUSEADDR:", e.constructor.name, socket.errorcode[e.errno!]);
}
const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
try {
  c.bind([BCAST, PORT]);
  print("a third with SO_REUSEADDR: bound");
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("a third with SO_REUSEADDR:", e.constructor.name, socket.errorcode[e.errno!]);
}
c.settimeout(2);
const listeners = new Map([["app-a", a], ["app-b", bl], ["app-c", c]]);

const ann = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
ann.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1);
ann.bind(["127.0.0.1", 0]);
ann.settimeout(0.5);

async function round_(msg: string) {
  await ann.sendto(b(msg), [BCAST, PORT]);
  for (const [name, s] of [...listeners].sort((x, y) => x[0] < y[0] ? -1 : 1)) {
    const [data, addr] = await s.recvfrom(100);
    await s.sendto(b(`${name} heard ${decode(data)}`), addr!);
  }
  const answers: string[] = [];
  while (true) {
    let data;
    try {
      [data] = await ann.recvfrom(100);
    } catch (e) {
      if (e instanceof socket.TimeoutError) break;
      throw e;
    }
    answers.push(decode(data));
  }
  print(msg, "->", list(answers.sort()));
}

await round_("ANNOUNCE printer");
await round_("ANNOUNCE scanner");
listeners.get("app-b")!.close();
listeners.delete("app-b");
await round_("ANNOUNCE after app-b left");
for (const s of listeners.values()) {
  s.settimeout(0.3);
  try {
    print("left over:", await s.recvfrom(100));
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print("nothing left over");
  }
}
for (const s of [...listeners.values(), ann]) s.close();
