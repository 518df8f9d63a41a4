// Port of poll_backpressure.py (threads are tasks; hashlib.sha256 is node:crypto's; a memoryview slice is a
// subarray; the lock goes).
import { createHash } from "node:crypto";
import * as socket from "../../mod.ts";
import { poll, POLLERR, POLLHUP, POLLIN, POLLOUT } from "../../selectors.ts";
import { b, decode, print, repr, sleep } from "../ported/_py.ts";

const SIZE = 8 * 1024 * 1024;
const payload = new Uint8Array(SIZE).map((_, i) => i % 256);
const digest = createHash("sha256").update(payload).digest("hex").slice(0, 16);
const lsock = socket.socket();
lsock.bind(["127.0.0.1", 0]);
lsock.listen(5);
lsock.setblocking(false);
const port = (lsock.getsockname() as [string, number])[1];
const results = new Map<string, [number, boolean]>();

async function server() {
  const p = poll();
  p.register(lsock, POLLIN);
  const conns = new Map<number, [socket.Socket, string, Uint8Array]>();
  const ended: [string, string, boolean][] = [];
  const waited = new Set<string>();
  let polls = 0;
  while (ended.length < 3 && polls < 20000) {
    polls += 1;
    for (const [fd, ev] of await p.poll(10000)) {
      if (fd === lsock.fileno()) {
        const [conn] = await lsock.accept();
        conn.settimeout(10);
        const name = decode(await conn.recv(64)).trim();
        conn.setblocking(false);
        conns.set(conn.fileno(), [conn, name, payload]);
        p.register(conn, POLLOUT);
        continue;
      }
      const entry = conns.get(fd)!;
      const [conn, name] = entry;
      let rest = entry[2];
      if (ev & (POLLERR | POLLHUP)) ended.push([name, "POLLERR/POLLHUP", rest.length < SIZE]);
      else {
        try {
          while (rest.length) {
            const n = await conn.send(rest.subarray(0, 256 * 1024));
            rest = rest.subarray(n);
          }
          ended.push([name, "all sent", true]);
        } catch (e) {
          if (e instanceof socket.BlockingIOError) {
            waited.add(name);
            entry[2] = rest;
            continue;
          }
          if (e instanceof socket.BrokenPipeError || e instanceof socket.ConnectionResetError) {
            ended.push([name, e.name, rest.length < SIZE]);
          } else throw e;
        }
      }
      p.unregister(fd);
      conns.delete(fd);
      conn.close();
    }
  }
  lsock.close();
  for (const [name, how0, started] of ended.sort((x, y) => x[0] < y[0] ? -1 : 1)) {
    const how = name === "quitter" && how0 !== "all sent" ? "ended early" : how0;
    print("server:", name, how, started);
  }
  print("server: had to wait for the slow reader:", waited.has("slow"));
}

async function reader(name: string, piece: number, stop: number | null = null, pause = 0.0) {
  const h = createHash("sha256");
  let total = 0;
  {
    using s = await socket.create_connection(["127.0.0.1", port]);
    await s.sendall(b(name + "\n"));
    s.settimeout(20);
    while (stop === null || total < stop) {
      const data = await s.recv(piece);
      if (!data.length) break;
      h.update(data);
      total += data.length;
      if (pause && total % (1024 * 1024) < piece) await sleep(pause);
    }
  }
  results.set(name, [total, stop === null ? h.digest("hex").slice(0, 16) === digest : total >= stop]);
}

const st = server();
const ts = [reader("slow", 4096, null, 0.02), reader("fast", 1024 * 1024), reader("quitter", 4096, 65536)];
await Promise.all(ts);
await st;
for (const name of [...results.keys()].sort()) print(name, repr(results.get(name)));
