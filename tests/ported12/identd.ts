// Port of identd.py (threads are tasks, the lock goes away; `with conn, conn.makefile("rb") as f` closes both in
// finally; int() is a digits check; the users dict is a Map keyed by socket).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, decode, print, repr } from "../ported/_py.ts";

const identd = socket.create_server(["127.0.0.1", 0]);
const service = socket.create_server(["127.0.0.1", 0]);
const IDENT = identd.getsockname();
const SPORT = (service.getsockname() as [string, number])[1];
const users = new Map<Socket, [string, boolean]>();

function int(x: string): number {
  if (!/^[+-]?\d+$/.test(x)) throw new RangeError(`invalid literal for int() with base 10: ${repr(x)}`);
  return Number(x);
}

async function identd_loop(n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await identd.accept();
    conn.settimeout(5);
    const f = conn.makefile("rb");
    try {
      const line = decode(await f.readline(1000) as Uint8Array).trim();
      const parts = line.split(",").map((p) => p.trim());
      let lport: number, rport: number;
      try {
        if (parts.length < 2) throw new RangeError("list index out of range");
        lport = int(parts[0]!);
        rport = int(parts[1]!);
        if (!(0 < lport && lport < 65536 && 0 < rport && rport < 65536) || parts.length !== 2) {
          throw new RangeError();
        }
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        await conn.sendall(b(`${line} : ERROR : INVALID-PORT\r\n`));
        continue;
      }
      let answer = "ERROR : NO-USER";
      for (const [s, [name, hidden]] of users) {
        if ((s.getsockname() as [string, number])[1] === lport && (s.getpeername() as [string, number])[1] === rport) {
          answer = hidden ? "ERROR : HIDDEN-USER" : "USERID : UNIX : " + name;
        }
      }
      await conn.sendall(b(`${lport} , ${rport} : ${answer}\r\n`));
    } finally {
      await f.close();
      conn.close();
    }
  }
}

async function ask_identd(query: string): Promise<string> {
  using q = await socket.create_connection(IDENT, { timeout: 5 });
  await q.sendall(b(query + "\r\n"));
  let reply = new Uint8Array(0);
  while (!decode(reply).endsWith("\r\n")) {
    const chunk = await q.recv(100);
    if (!chunk.length) break;
    reply = bjoin([reply, chunk]);
  }
  return decode(reply);
}

async function service_loop(n: number) {
  for (let i = 0; i < n; i++) {
    const [conn, addr] = await service.accept();
    const cport = (addr as [string, number])[1];
    using _conn = conn;
    const reply = await ask_identd(`${cport} , ${SPORT}`);
    const masked = reply.replaceAll(String(cport), "<client>").replaceAll(String(SPORT), "<service>");
    print("service asked, identd said:", repr(masked));
    const fields = reply.split(":").map((x) => x.trim());
    const who = fields[1] === "USERID" ? fields[3] : "stranger (" + fields[2] + ")";
    await conn.sendall(b(`hello ${who}\n`));
  }
}

const t1 = identd_loop(9);
const t2 = service_loop(4);
for (const [name, hidden] of [["alice", false], ["bob", true], [null, false], ["carol", false]] as const) {
  const s = socket.socket();
  s.settimeout(5);
  if (name !== null) users.set(s, [name, hidden]);
  await s.connect(["127.0.0.1", SPORT]);
  print(name, "got", await s.recv(100));
  users.delete(s);
  s.close();
}
for (const bad of ["", "abc , 23", "70000 , 23", "0 , 23", "1, 2, 3"]) {
  print("query", repr(bad), "->", repr(await ask_identd(bad)));
}
await t1;
await t2;
identd.close();
service.close();
