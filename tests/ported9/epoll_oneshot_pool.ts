// Port of epoll_oneshot_pool.py (threads are tasks; queue.Queue is a small async queue; the lock goes: code
// between two awaits runs alone, so `busy` is checked the same way).
import * as socket from "../../mod.ts";
import { epoll, EPOLLET, EPOLLIN, EPOLLONESHOT, EPOLLRDHUP } from "../../selectors.ts";
import { b, bjoin, decode, list, print, sleep } from "../ported/_py.ts";

/** queue.Queue: get() waits for put(). */
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

const lsock = socket.create_server(["127.0.0.1", 0]);
lsock.setblocking(false);
const port = (lsock.getsockname() as [string, number])[1];
const ep = epoll();
ep.register(lsock.fileno(), EPOLLIN);
const jobs = new Queue<number | null>();
const conns = new Map<number, [socket.Socket, Uint8Array]>();
const stats = { rearmed: 0, rdhup: 0, closed: 0, double: 0 };
const busy = new Set<number>();
const N = 8;
const MASK = EPOLLIN | EPOLLET | EPOLLONESHOT | EPOLLRDHUP;

async function worker() {
  while (true) {
    const fd = await jobs.get();
    if (fd === null) return;
    if (busy.has(fd)) stats.double += 1;
    busy.add(fd);
    const entry = conns.get(fd)!;
    const conn = entry[0];
    let buf = entry[1];
    let eof = false;
    while (true) {
      let data: Uint8Array;
      try {
        data = await conn.recv(7);
      } catch (e) {
        if (e instanceof socket.BlockingIOError) break;
        throw e;
      }
      if (!data.length) {
        eof = true;
        break;
      }
      buf = bjoin([buf, data]);
    }
    const text = decode(buf);
    const parts = text.split("\n");
    const rest = parts.pop()!;
    for (const line of parts) {
      const nums = line.split(" ").map(Number);
      await conn.sendall(b(`${nums[0]} ${nums.reduce((x, y) => x + y, 0)}\n`));
    }
    entry[1] = b(rest);
    busy.delete(fd);
    if (eof) {
      ep.unregister(fd);
      conn.close();
      stats.closed += 1;
    } else {
      stats.rearmed += 1;
      ep.modify(fd, MASK);
    }
  }
}

async function loop() {
  let polls = 0;
  while (stats.closed < N && polls < 5000) {
    polls += 1;
    for (const [fd, ev] of await ep.poll(1)) {
      if (fd === lsock.fileno()) {
        while (true) {
          let conn: socket.Socket;
          try {
            [conn] = await lsock.accept();
          } catch (e) {
            if (e instanceof socket.BlockingIOError) break;
            throw e;
          }
          conn.setblocking(false);
          conns.set(conn.fileno(), [conn, new Uint8Array()]);
          ep.register(conn.fileno(), MASK);
        }
      } else {
        if (ev & EPOLLRDHUP) stats.rdhup += 1;
        jobs.put(fd);
      }
    }
  }
}

async function client(i: number, out: Map<number, boolean>) {
  using s = await socket.create_connection(["127.0.0.1", port], { timeout: 20 });
  const lines = Array.from({ length: 40 }, (_, n) => `${n} ${i} ${n * i}\n`);
  for (let k = 0; k < 40; k += 8) {
    await s.sendall(b(lines.slice(k, k + 8).join("")));
    await sleep(0.05);
  }
  await s.shutdown(socket.SHUT_WR);
  const got: Uint8Array[] = [];
  while (true) {
    const data = await s.recv(4096);
    if (!data.length) break;
    got.push(data);
  }
  const want = Array.from({ length: 40 }, (_, n) => `${n} ${n + i + n * i}`).join("\n") + "\n";
  out.set(i, decode(bjoin(got)) === want);
}

const workers = Array.from({ length: 4 }, () => worker());
const lt = loop();
const out = new Map<number, boolean>();
await Promise.all(Array.from({ length: N }, (_, i) => client(i, out)));
await lt;
for (let i = 0; i < workers.length; i++) jobs.put(null);
await Promise.all(workers);
ep.close();
lsock.close();
print("clients all answered in order:", list(Array.from({ length: N }, (_, i) => out.get(i))));
print(
  "closed:",
  stats.closed,
  "EPOLLRDHUP seen:",
  stats.rdhup > 0,
  "re-armed:",
  stats.rearmed > 0,
  "a socket given to two workers at once:",
  stats.double,
);
