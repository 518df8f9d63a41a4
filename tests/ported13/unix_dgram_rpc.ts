// Port of unix_dgram_rpc.py (the server threads are tasks; tempfile.mkdtemp is Deno.makeTempDirSync and os.* are
// Deno's file calls; an abstract name comes back from recvfrom() as a string here, not bytes, as docs/limits.md
// says, so the comparison is with the string; `except socket.timeout` is `instanceof TimeoutError`).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, decode, print } from "../ported/_py.ts";

const tmp = Deno.makeTempDirSync();
const SPATH = `${tmp}/srv.sock`;
const ABSTRACT = `\0pysocket-port16-${Deno.pid}`;

async function serve(sock: Socket, n: number) {
  for (let i = 0; i < n; i++) {
    const [data, addr] = await sock.recvfrom(1024);
    const text = decode(data);
    const sp = text.indexOf(" ");
    const [op, arg] = sp < 0 ? [text, ""] : [text.slice(0, sp), text.slice(sp + 1)];
    let reply: string;
    if (op === "UPPER") reply = arg.toUpperCase();
    else if (op === "SUM") reply = String(arg.split(/\s+/).reduce((s, x) => s + Number(x), 0));
    else reply = "ERR " + op;
    await sock.sendto(b(reply), addr);
  }
}

const servers: Socket[] = [];
for (const addr of [SPATH, ABSTRACT]) {
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  s.bind(addr);
  servers.push(s);
}
const threads = servers.map((s) => serve(s, 3));
for (const [caddr, saddr] of [[`${tmp}/cli.sock`, SPATH], [ABSTRACT + "-cli", ABSTRACT]]) {
  const c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  c.bind(caddr!);
  c.settimeout(5);
  for (const req of ["UPPER hello there", "SUM 1 2 3 4", "NOPE"]) {
    await c.sendto(b(req), saddr!);
    const [data, frm] = await c.recvfrom(1024);
    print(req, "->", decode(data), "from server:", frm === saddr);
  }
  c.close();
}
await Promise.all(threads);
for (const s of servers) s.close();
Deno.removeSync(SPATH);
const c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
c.bind(`${tmp}/cli2.sock`);
c.settimeout(0.3);
try {
  await c.sendto(b("UPPER x"), SPATH);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("gone server:", e.constructor.name, e.errno);
}
const mute = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
mute.bind(SPATH);
await c.sendto(b("UPPER x"), SPATH);
try {
  await c.recvfrom(1024);
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("mute server:", e.constructor.name, e.message);
}
print("mute server got:", await mute.recv(100));
c.close();
mute.close();
for (const name of [...Deno.readDirSync(tmp)].map((e) => e.name).sort()) {
  print("left in tmp:", name);
  Deno.removeSync(`${tmp}/${name}`);
}
Deno.removeSync(tmp);
