// Port of udp_chat.py (threads become tasks; queue.Queue is an array each task shifts from; the lock goes).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, decode, join, print, repr, sleep, str } from "../ported/_py.ts";

const alice = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
alice.bind(["127.0.0.1", 0]);
const bob = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
bob.bind(["127.0.0.1", 0]);
const log: string[] = [];

async function peer(name: string, sock: socket.Socket, other: socket.Address, typed: string[]) {
  let idle = 0;
  while (true) {
    const line = typed.shift();
    if (line !== undefined) {
      if (line === "/quit") log.push(`${name} leaves`);
      await sock.sendto(b(line), other);
      if (line === "/quit") return;
    }
    const [r] = await select([sock], [], [], 0.05);
    if (!r.length) {
      idle += 1;
      if (idle > 200) {
        log.push(`${name}: idle too long`);
        return;
      }
      continue;
    }
    const [data, addr] = await sock.recvfrom(1500);
    const text = decode(data);
    const same = Array.isArray(addr) && Array.isArray(other) && addr[0] === other[0] && addr[1] === other[1];
    log.push(`${name} got ${repr(text)} from ${same ? "peer" : str(addr)}`);
    if (text === "/ping") {
      await sock.sendto(b("/pong"), addr);
    } else if (text === "/quit") {
      log.push(`${name}: peer left`);
      return;
    }
  }
}

const [a_typed, b_typed]: [string[], string[]] = [[], []];
const ta = peer("alice", alice, bob.getsockname(), a_typed);
const tb = peer("bob", bob, alice.getsockname(), b_typed);
const script: [string[], string][] = [
  [a_typed, "hi bob"],
  [b_typed, "hi alice — ça va?"],
  [a_typed, "/ping"],
  [b_typed, "x".repeat(1400)],
  [a_typed, ""],
  [b_typed, "/ping"],
  [a_typed, "/quit"],
];
for (const [q, line] of script) {
  q.push(line);
  await sleep(0.2);
}
await join(ta, 10);
await join(tb, 10);
for (const entry of log) print(entry.length < 80 ? entry : entry.slice(0, 40) + "..." + entry.slice(-20));
alice.close();
bob.close();
