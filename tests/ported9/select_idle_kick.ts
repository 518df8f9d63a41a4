// Port of select_idle_kick.py (threads are tasks; the lock goes; time.monotonic() is performance.now()/1000;
// a dict keyed by sockets is a Map).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, decode, list, print, sleep } from "../ported/_py.ts";

const IDLE = 1.0;
const rst = Deno.args.length === 1 && Deno.args[0] === "rst";
const lsock = socket.socket();
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
lsock.bind(["127.0.0.1", 0]);
lsock.listen(5);
const port = (lsock.getsockname() as [string, number])[1];
const out: [string, unknown[]][] = [];
const monotonic = () => performance.now() / 1000;
const splitlines = (t: string) => t.split("\n").filter((l, i, a) => i < a.length - 1 || l !== "");

async function server() {
  const last = new Map<socket.Socket, number>();
  const names = new Map<socket.Socket, string | null>();
  let gone = 0;
  let selects = 0;
  while (gone < 4 && selects < 500) {
    let now = monotonic();
    const timeout = last.size ? Math.min(...[...last.values()].map((t) => t + IDLE - now)) : 5;
    const [r] = await select([lsock, ...last.keys()], [], [], Math.max(timeout, 0));
    selects += 1;
    now = monotonic();
    for (const s of r) {
      if (s === lsock) {
        const [conn] = await lsock.accept();
        last.set(conn, now);
        names.set(conn, null);
        continue;
      }
      let data: Uint8Array;
      try {
        data = await s.recv(1024);
      } catch (e) {
        if (!(e instanceof socket.ConnectionResetError)) throw e;
        print("server:", names.get(s), "reset:", e);
        data = new Uint8Array();
      }
      if (!data.length) {
        print("server: EOF from", names.get(s));
        last.delete(s);
        s.close();
        gone += 1;
        continue;
      }
      last.set(s, now);
      for (const line of splitlines(decode(data))) {
        if (line.startsWith("NAME ")) {
          names.set(s, line.slice(5));
          print("server: hello", names.get(s));
        }
        await s.sendall(b("ok " + line + "\n"));
      }
    }
    for (const s of [...last.keys()].filter((s) => now - last.get(s)! >= IDLE)) {
      print("server: kicking", names.get(s));
      await s.sendall(b("idle too long, bye\n"));
      last.delete(s);
      s.close();
      gone += 1;
    }
  }
  lsock.close();
  print("server: done, select() calls bounded:", selects < 500);
}

async function active() {
  const got: string[] = [];
  {
    using s = await socket.create_connection(["127.0.0.1", port]);
    const f = s.makefile("r");
    await s.sendall(b("NAME active\n"));
    got.push(await f.readline() as string);
    for (let i = 0; i < 5; i++) {
      await sleep(IDLE / 5);
      await s.sendall(b(`ping ${i}\n`));
      got.push(await f.readline() as string);
    }
    await s.sendall(b("quit\n"));
    got.push(await f.readline() as string);
    await f.close();
  }
  out.push(["active", got]);
}

async function idle() {
  const got: Uint8Array[] = [];
  {
    using s = await socket.create_connection(["127.0.0.1", port]);
    s.settimeout(10);
    await s.sendall(b("NAME idle\n"));
    while (true) {
      const data = await s.recv(1024);
      got.push(data);
      if (!data.length) break;
    }
  }
  out.push(["idle", [...splitlines(got.slice(0, -1).map(decode).join("")), got.at(-1)!]]);
}

async function halfclose() {
  let got = "";
  {
    using s = await socket.create_connection(["127.0.0.1", port]);
    await s.sendall(b("NAME half\nlast words\n"));
    await s.shutdown(socket.SHUT_WR);
    s.settimeout(10);
    while (true) {
      const data = await s.recv(1024);
      if (!data.length) break;
      got += decode(data);
    }
  }
  out.push(["half", splitlines(got)]);
}

async function vanish() {
  const s = await socket.create_connection(["127.0.0.1", port]);
  await s.sendall(b("NAME vanish\n"));
  if (!rst) await s.recv(1024);
  await sleep(0.1);
  s.close();
}

const st = server();
for (const fn of [active, idle, halfclose, vanish]) await fn();
await st;
for (const [name, got] of out) print(name, list(got));
