// Port of selectors_kick_chat.py (callbacks in key.data are async and awaited, as the README says; threads are
// tasks; time.sleep inside a callback is an awaited sleep, which pauses the select loop as Python's does;
// dicts keyed by socket are Maps; lists of names print through list()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { DefaultSelector, EVENT_READ, select } from "../../selectors.ts";
import { b, decode, list, print, repr, sleep } from "../ported/_py.ts";

type Callback = (sock: Socket, mask: number) => Promise<void>;
const sel = new DefaultSelector<Callback>();
const lsock = socket.create_server(["127.0.0.1", 0]);
lsock.setblocking(false);
const port = (lsock.getsockname() as [string, number])[1];
const nicks = new Map<Socket, string>();
const log: string[] = [];

async function broadcast(line: Uint8Array, skip: Socket | null = null) {
  for (const s of [...nicks.keys()]) if (s !== skip) await s.sendall(line);
}

async function accept(sock: Socket, _mask: number) {
  const [conn] = await sock.accept();
  conn.setblocking(true);
  conn.settimeout(5);
  sel.register(conn, EVENT_READ, read);
}

async function read(conn: Socket, _mask: number) {
  let data: Uint8Array;
  try {
    data = await conn.recv(1000);
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    log.push(`callback on a closed socket: ${e.name} fileno ${conn.fileno()}`);
    return;
  }
  if (!data.length) {
    const nick = nicks.get(conn) ?? "?";
    nicks.delete(conn);
    sel.unregister(conn);
    conn.close();
    await broadcast(b(`* ${nick} left\n`));
    return;
  }
  for (const line of decode(data).split(/\r?\n/).filter((x, i, a) => x || i < a.length - 1)) {
    if (line.startsWith("NICK ")) {
      nicks.set(conn, line.slice(5));
      await conn.sendall(b(`welcome ${line.slice(5)}\n`));
    } else if (line.startsWith("/pause ")) {
      await sleep(Number(line.slice(7)));
    } else if (line.startsWith("/kick ")) {
      const victim = [...nicks].filter(([, n]) => n === line.slice(6)).map(([s]) => s);
      for (const v of victim) {
        await v.sendall(b(`kicked by ${nicks.get(conn)}\n`));
        nicks.delete(v);
        v.close();
        log.push(`get_key of the closed victim: ${sel.get_key(v).data === read ? "True" : "False"}`);
        sel.unregister(v);
        try {
          await select([v], [], [], 0);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
          log.push(`select.select of a closed socket: ValueError: ${e.message}`);
        }
      }
      await broadcast(b(`* ${nicks.get(conn)} kicked ${line.slice(6)}\n`));
    } else {
      await broadcast(b(`<${nicks.get(conn) ?? "?"}> ${line}\n`), conn);
    }
  }
}

sel.register(lsock, EVENT_READ, accept);
const stop = { set: false };

async function serve() {
  const rounds: string[][] = [];
  while (!stop.set) {
    const events = await sel.select({ timeout: 0.05 });
    if (events.length > 1) rounds.push(list(events.map(([k]) => nicks.get(k.fileobj as Socket) ?? "listener")));
    for (const [key, mask] of events) await key.data!(key.fileobj as Socket, mask);
  }
  log.push(`rounds with several ready: ${repr(list(rounds))}`);
}

const server = serve();

async function connect(nick: string): Promise<[Socket, socket.SocketFile]> {
  const s = await socket.create_connection(["127.0.0.1", port], 5);
  const f = s.makefile("rb");
  await s.sendall(b(`NICK ${nick}\n`));
  print(await f.readline());
  return [s, f];
}

const [victim, vf] = await connect("victim");
const [admin, af] = await connect("admin");
const [other, of] = await connect("other");
await other.sendall(b("hi all\n"));
print("victim reads:", await vf.readline(), "admin reads:", await af.readline());
await other.sendall(b("/pause 0.4\n"));
await sleep(0.1);
await admin.sendall(b("/kick victim\n"));
await sleep(0.1);
await victim.sendall(b("a last word\n"));
print("victim reads:", await vf.readline());
let end: Uint8Array;
try {
  end = await vf.readline() as Uint8Array;
} catch (e) {
  if (!(e instanceof socket.ConnectionResetError)) throw e;
  end = new Uint8Array(0);
}
print("then the end:", end);
print("admin reads:", await af.readline(), "other reads:", await of.readline());
victim.close();
await vf.close();
await other.sendall(b("still here?\n"));
print("admin reads:", await af.readline());
admin.close();
await af.close();
print("other reads:", await of.readline());
other.close();
await of.close();
await sleep(0.2);
stop.set = true;
await server;
for (const line of log) print(line);
print("still registered:", sel.get_map()!.size);
sel.close();
lsock.close();
