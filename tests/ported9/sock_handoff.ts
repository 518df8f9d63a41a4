// Port of sock_handoff.py (threads are tasks; queue.Queue is a small async queue; socket.socket(fileno=n) is
// socket.socket({ fileno: n }); family.name/type.name are the constants' names).
import * as socket from "../../mod.ts";
import { b, bupper, print } from "../ported/_py.ts";

class Queue<T> {
  items: T[] = [];
  waiters: ((x: T) => void)[] = [];
  put(x: T) {
    const w = this.waiters.shift();
    if (w) w(x);
    else this.items.push(x);
  }
  get(): Promise<T> {
    if (this.items.length) return Promise.resolve(this.items.shift()!);
    return new Promise((r) => this.waiters.push(r));
  }
}

const name_of = (value: number, prefix: string) =>
  Object.entries(socket).find(([k, v]) => k.startsWith(prefix) && v === value)?.[0];

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];
const handoff = new Queue<number | null>();
const log: unknown[][] = [];

async function acceptor(n: number) {
  for (let i = 0; i < n; i++) {
    const [conn] = await lsock.accept();
    conn.settimeout(7);
    const fd = conn.detach();
    log.push(["acceptor: detached, fileno now", conn.fileno(), "closed", conn._closed]);
    handoff.put(fd);
  }
  handoff.put(null);
}

async function worker() {
  while (true) {
    const fd = await handoff.get();
    if (fd === null) return;
    using s = socket.socket({ fileno: fd });
    const before = s.gettimeout();
    s.settimeout(5);
    const data = await s.recv(1024);
    log.push([
      "worker: family",
      name_of(s.family, "AF_"),
      "type",
      name_of(s.type, "SOCK_"),
      "timeout",
      before,
      "->",
      s.gettimeout()!.toFixed(1),
      "got",
      data,
    ]);
    await s.sendall(bupper(data));
  }
}

const a = acceptor(2);
const w = worker();
for (const word of [b("first"), b("second")]) {
  using c = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  await c.sendall(word);
  print("client got", await c.recv(1024));
}
await a;
await w;
for (const line of log) print(...line);

if (Deno.args.length === 1 && Deno.args[0] === "dup") {
  using c = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  const [conn] = await lsock.accept();
  const copy = conn.dup();
  const [p1, p2] = [copy.getpeername(), conn.getpeername()] as [string, number][];
  print("dup: different numbers", copy.fileno() !== conn.fileno(), "same peer", p1![0] === p2![0] && p1![1] === p2![1]);
  conn.close();
  await copy.sendall(b("still here"));
  print("after closing the original:", await c.recv(100));
  c.settimeout(0.3);
  try {
    print("no EOF yet:", await c.recv(100));
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print("no EOF yet: timed out");
  }
  copy.close();
  c.settimeout(10);
  print("after closing the copy:", await c.recv(100));
}

const fd = lsock.detach();
const l2 = socket.socket({ fileno: fd });
print("rebuilt listener on the same port:", (l2.getsockname() as [string, number])[1] === port);
{
  using c = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
  const [conn] = await l2.accept();
  using _conn = conn;
  await c.sendall(b("via rebuilt listener"));
  print("accepted:", await conn.recv(100));
}
l2.close();
