// Port of epoll_et_forward.py (threads are tasks; dicts keyed by fd are Maps; bytearray's del [:n] is
// subarray(); the assert is a thrown Error).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as select from "../../selectors.ts";
import { b, beq, bjoin, print, sleep } from "../ported/_py.ts";

async function echo_upstream(lsock: Socket, n: number) {
  async function serve(conn: Socket) {
    using _c = conn;
    while (true) {
      const data = await conn.recv(65536);
      if (!data.length) break;
      await conn.sendall(data);
    }
  }
  const ts: Promise<void>[] = [];
  for (let k = 0; k < n; k++) {
    const [conn] = await lsock.accept();
    ts.push(serve(conn));
  }
  await Promise.all(ts);
}

const N = 3;
const up = socket.create_server(["127.0.0.1", 0]);
const up_thread = echo_upstream(up, N);

const front = socket.create_server(["127.0.0.1", 0]);
front.setblocking(false);
const ep = select.epoll();
ep.register(front.fileno(), select.EPOLLIN | select.EPOLLET);
const ET = select.EPOLLIN | select.EPOLLOUT | select.EPOLLRDHUP | select.EPOLLET;

const socks = new Map<number, Socket>(); // fd -> socket
const peer = new Map<number, number>(); // fd -> fd of the other side
const out = new Map<number, Uint8Array>(); // fd -> bytes waiting to be written to that fd
const eof = new Map<number, boolean>(); // fd -> that side sent EOF (passed on once out[peer] is empty)
const shut = new Set<number>();
const stats = { accepted: 0, drained_to_eagain: 0, partial_writes: 0, closed: 0 };

async function flush(fd: number) {
  const s = socks.get(fd)!;
  while (out.get(fd)!.length) {
    let n: number;
    try {
      n = await s.send(out.get(fd)!);
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      stats.partial_writes += 1;
      return;
    }
    out.set(fd, out.get(fd)!.subarray(n));
  }
  if (eof.get(peer.get(fd)!) && !shut.has(fd)) {
    await s.shutdown(socket.SHUT_WR);
    shut.add(fd);
  }
}

function maybe_close(fd: number) {
  const other = peer.get(fd)!;
  if (shut.has(fd) && shut.has(other) && !out.get(fd)!.length && !out.get(other)!.length) {
    for (const f of [fd, other]) {
      ep.unregister(f);
      socks.get(f)!.close();
      socks.delete(f);
    }
    stats.closed += 1;
  }
}

async function readable(fd: number) {
  const s = socks.get(fd)!;
  const other = peer.get(fd)!;
  while (true) {
    let data: Uint8Array;
    try {
      data = await s.recv(65536);
    } catch (e) {
      if (!(e instanceof socket.BlockingIOError)) throw e;
      stats.drained_to_eagain += 1;
      break;
    }
    if (!data.length) {
      eof.set(fd, true);
      break;
    }
    out.set(other, bjoin([out.get(other)!, data]));
  }
  await flush(other);
}

function add(sock: Socket) {
  sock.setblocking(false);
  socks.set(sock.fileno(), sock);
  out.set(sock.fileno(), new Uint8Array(0));
  ep.register(sock.fileno(), ET);
}

const results = new Map<number, [number, boolean]>();

async function client(i: number) {
  const payload = Uint8Array.from({ length: 400_000 }, (_, j) => (i + j * 7) % 251);
  const got: Uint8Array[] = [];
  {
    using c = await socket.create_connection(front.getsockname() as [string, number], 10);
    // One byte there and back first: the forwarder's read of it drains to BlockingIOError whatever the load
    // (nothing more comes until its echo is back).
    await c.sendall(b("!"));
    if (!beq(await c.recv(1), b("!"))) throw new Error("no echo of the first byte");
    const reader = async () => {
      while (true) {
        const data = await c.recv(65536);
        if (!data.length) break;
        got.push(data);
      }
    };
    const rt = reader();
    for (let k = 0; k < payload.length; k += 50_000) { // paced: the forwarder outruns it
      await c.sendall(payload.subarray(k, k + 50_000));
      await sleep(0.01);
    }
    await c.shutdown(socket.SHUT_WR);
    await rt;
  }
  const back = bjoin(got);
  results.set(i, [back.length, beq(back, payload)]);
}

const clients = [0, 1, 2].map(client);

const deadline = performance.now() + 20_000;
while (stats.closed < N && performance.now() < deadline) {
  for (const [fd, ev] of await ep.poll(1)) {
    if (fd === front.fileno()) {
      while (true) {
        let conn: Socket;
        try {
          [conn] = await front.accept();
        } catch (e) {
          if (!(e instanceof socket.BlockingIOError)) throw e;
          break;
        }
        const upstream = socket.socket();
        upstream.setblocking(false);
        const code = await upstream.connect_ex(up.getsockname());
        if (code !== 0 && code !== socket.errno.EINPROGRESS) throw new Error(`AssertionError: ${code}`);
        add(conn);
        add(upstream);
        peer.set(conn.fileno(), upstream.fileno());
        peer.set(upstream.fileno(), conn.fileno());
        stats.accepted += 1;
      }
      continue;
    }
    if (!socks.has(fd)) continue;
    if (ev & select.EPOLLOUT) await flush(fd);
    if (ev & (select.EPOLLIN | select.EPOLLRDHUP | select.EPOLLHUP)) await readable(fd);
    if (socks.has(fd)) maybe_close(fd);
    if (socks.has(peer.get(fd)!)) maybe_close(peer.get(fd)!);
  }
}
await Promise.all(clients);
await up_thread;
ep.close();
front.close();
up.close();
for (const i of [...results.keys()].sort()) print("client", i, "echoed back", results.get(i)!);
print(
  "pairs accepted",
  stats.accepted,
  "closed",
  stats.closed,
  "reads drained to EAGAIN:",
  stats.drained_to_eagain > 0,
  "sockets left",
  socks.size,
);
