// Port of udp_rendezvous.py (threads are tasks; json is JSON, a parsed dict printed as Python prints it by
// pyrepr(); tuple keys are their JSON text; the assert is a thrown Error).
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import { b, decode, print, repr } from "../ported/_py.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
function pyrepr(x: Json): string {
  if (x === null) return "None";
  if (x === true) return "True";
  if (x === false) return "False";
  if (typeof x === "number") return String(x);
  if (typeof x === "string") return repr(x);
  if (Array.isArray(x)) return `[${x.map(pyrepr).join(", ")}]`;
  return `{${Object.entries(x).map(([k, v]) => `${repr(k)}: ${pyrepr(v)}`).join(", ")}}`;
}
const key = (a: Address) => JSON.stringify(a);

const server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
server.bind(["127.0.0.1", 0]);
server.settimeout(5);
const SERVER = server.getsockname();
const names = new Map<string, Address>();
const slog: string[] = [];

async function rendezvous(n: number) {
  for (let i = 0; i < n; i++) {
    const [data, addr] = await server.recvfrom(512);
    const req = JSON.parse(decode(data));
    const op = req.op as string;
    const rid = req.id as number;
    let reply: { [k: string]: Json };
    if (op === "REG") {
      names.set(req.name, addr!);
      reply = { id: rid, ok: true };
    } else if (op === "WHO") {
      const found = names.get(req.name);
      reply = { id: rid, ok: found !== undefined, addr: found ? [...found as [string, number]] : null };
      if (req.name === "bob" && rid === 2) {
        await server.sendto(b(JSON.stringify({ id: rid - 1, ok: true, addr: ["127.0.0.1", 9] })), addr!);
      }
    } else if (op === "BYE") {
      names.delete(req.name);
      reply = { id: rid, ok: true };
    } else {
      reply = { id: rid, ok: false, error: "bad op " + op };
    }
    slog.push(`${op} ${req.name ?? "None"} -> ${reply.ok ? "True" : "False"}`);
    await server.sendto(b(JSON.stringify(reply)), addr!);
  }
}

class Peer {
  s: Socket;
  rid = 0;
  log: string[] = [];
  constructor(public name: string) {
    this.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    this.s.bind(["127.0.0.1", 0]);
    this.s.settimeout(5);
  }

  async ask(op: string, name: string): Promise<{ [k: string]: Json }> {
    this.rid += 1;
    await this.s.sendto(b(JSON.stringify({ op, name, id: this.rid })), SERVER);
    while (true) {
      const [data, addr] = await this.s.recvfrom(512);
      if (key(addr!) !== key(SERVER)) {
        this.log.push("not from the server: " + decode(data));
        continue;
      }
      const reply = JSON.parse(decode(data));
      if (reply.id !== this.rid) {
        this.log.push(`stale reply id ${reply.id} (want ${this.rid}) discarded`);
        continue;
      }
      return reply;
    }
  }
}

const alice = new Peer("alice");
const bob = new Peer("bob");
const label = new Map([[key(alice.s.getsockname()), "alice's socket"], [key(bob.s.getsockname()), "bob's socket"]]);
const t = rendezvous(8);
print("alice REG:", pyrepr(await alice.ask("REG", "alice")));
print("alice WHO bob:", pyrepr(await alice.ask("WHO", "bob")));
print("bob REG:", pyrepr(await bob.ask("REG", "bob")));
let r = await alice.ask("WHO", "bob");
const bob_addr = r.addr as [string, number];
print("alice WHO bob: ok", pyrepr(r.ok!), "->", label.get(key(bob_addr)));
r = await bob.ask("WHO", "alice");
const alice_addr = r.addr as [string, number];
print("bob WHO alice: ok", pyrepr(r.ok!), "->", label.get(key(alice_addr)));

async function punch_and_chat(me: Peer, other: Address, lines: string[], expect: number) {
  await me.s.sendto(b("PUNCH from " + me.name), other);
  const got: string[] = [];
  while (got.length < expect) {
    const [data, addr] = await me.s.recvfrom(512);
    if (key(addr!) !== key(other)) throw new Error("AssertionError: " + key(addr!));
    const text = decode(data);
    if (text.startsWith("PUNCH")) {
      await me.s.sendto(b("ACK " + me.name), other);
      for (const line of lines) await me.s.sendto(b(line), other);
    }
    got.push(text);
  }
  return got;
}

const result: Record<string, string[]> = {};
const tb = punch_and_chat(bob, alice_addr, ["hi alice"], 4).then((g) => result["bob"] ??= g);
result["alice"] = await punch_and_chat(alice, bob_addr, ["hi bob", "how are you"], 3);
await tb;
print("alice heard:", pyrepr(result["alice"]!));
print("bob heard:", pyrepr(result["bob"]!.sort()));
print("bob BYE:", pyrepr(await bob.ask("BYE", "bob")));
print("alice WHO bob:", pyrepr(await alice.ask("WHO", "bob")));
print("alice JUMP:", pyrepr(await alice.ask("JUMP", "x")));
await t;
print("alice's log:", pyrepr(alice.log));
print("server:", pyrepr(slog));
for (const x of [alice.s, bob.s, server]) x.close();
