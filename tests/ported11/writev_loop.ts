// Port of writev_loop.py (the reader thread is a task; memoryview slices are subarray(); zlib.crc32 is
// node:zlib's; the queue is an array).
import { crc32 } from "node:zlib";
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, print, sleep } from "../ported/_py.ts";

const BUFS = Array.from({ length: 200 }, (_, i) => new Uint8Array(65536 + i).fill(i % 251));
const TOTAL = BUFS.reduce((a, x) => a + x.length, 0);
const WANT = crc32(bjoin(BUFS));

async function reader(sock: Socket, out: [number, number][]) {
  await sleep(0.2);
  let crc = 0;
  let n = 0;
  while (true) {
    const data = await sock.recv(32768);
    if (!data.length) break;
    crc = crc32(data, crc);
    n += data.length;
  }
  out.push([n, crc]);
}

async function writev_all(sock: Socket): Promise<[number, boolean, boolean, boolean]> {
  sock.setblocking(false);
  const queue = BUFS.map((x) => x.subarray());
  const sel = new selectors.DefaultSelector();
  sel.register(sock, selectors.EVENT_WRITE);
  let short = 0;
  let would_block = 0;
  let calls = 0;
  const deadline = performance.now() + 20_000;
  while (queue.length && performance.now() < deadline) {
    let n: number;
    try {
      n = await sock.sendmsg(queue.slice(0, 64));
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      would_block += 1;
      await sel.select(5);
      continue;
    }
    calls += 1;
    if (n < queue.slice(0, 64).reduce((a, x) => a + x.length, 0)) short += 1;
    while (n) {
      if (n >= queue[0]!.length) {
        n -= queue[0]!.length;
        queue.shift();
      } else {
        queue[0] = queue[0]!.subarray(n);
        n = 0;
      }
    }
  }
  sel.close();
  return [calls, short > 0, would_block > 0, !queue.length];
}

for (const kind of ["tcp", "socketpair"]) {
  let a: Socket, bs: Socket;
  if (kind === "tcp") {
    const lsock = socket.create_server(["127.0.0.1", 0]);
    a = await socket.create_connection(lsock.getsockname() as [string, number]);
    [bs] = await lsock.accept();
    lsock.close();
  } else {
    [a, bs] = await socket.socketpair();
  }
  const out: [number, number][] = [];
  const t = reader(bs, out);
  const [calls, short, blocked, done] = await writev_all(a);
  await a.shutdown(socket.SHUT_WR);
  await t;
  print(
    kind,
    "sendmsg calls > 1:",
    calls > 1,
    "a short count:",
    short,
    "BlockingIOError:",
    blocked,
    "queue emptied:",
    done,
  );
  print(kind, "reader got", out[0]![0] === TOTAL, out[0]![1] === WANT);
  a.close();
  bs.close();
}

{
  const [a, bs] = await socket.socketpair();
  a.settimeout(null);
  let sent = 0;
  let blocked = false;
  for (let i = 0; i < 400; i++) {
    try {
      sent += await a.sendmsg([b("x".repeat(8192)), b("y".repeat(8192))], [], socket.MSG_DONTWAIT);
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      blocked = true;
      break;
    }
  }
  print("MSG_DONTWAIT on a blocking socket: filled then BlockingIOError:", blocked, sent > 0);
  print("still blocking:", a.getblocking());
  a.close();
  bs.close();
}
