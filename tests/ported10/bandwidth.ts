// Port of bandwidth.py (zlib.crc32 is crc32() below; the sender thread is a task; memoryview slices are
// subarray(); pattern[::-1] is a reversed copy; time.perf_counter() is performance.now(); family.name is
// AddressFamily's name).
import * as socket from "../../mod.ts";
import { AddressFamily } from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { bjoin, print } from "../ported/_py.ts";

const TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const BLOCK = 65536;
const pattern = Uint8Array.from({ length: BLOCK }, (_, i) => (i * 31 + 7) % 256);

async function measure(family: number, addr: [string, number]) {
  const lsock = socket.socket(family, socket.SOCK_STREAM);
  lsock.bind(addr);
  lsock.listen();
  const total = 32 << 20;

  async function sender() {
    using s = socket.socket(family, socket.SOCK_STREAM);
    await s.connect(lsock.getsockname());
    const view = pattern.subarray(0);
    for (let i = 0; i < total / BLOCK; i++) await s.sendall(i % 5 === 0 ? view.subarray(i % 7) : view);
    await s.sendall(view.subarray(0, 1000));
  }

  const t = sender();
  const [conn] = await lsock.accept();
  conn.settimeout(20);
  const buf = new Uint8Array(BLOCK);
  let n = 0;
  let crc = 0;
  let calls = 0;
  const start = performance.now();
  while (true) {
    const k = await conn.recv_into(buf);
    if (!k) break;
    crc = crc32(buf.subarray(0, k), crc);
    n += k;
    calls += 1;
  }
  const elapsed = (performance.now() - start) / 1000;
  await t;
  conn.close();
  lsock.close();
  let want = 0;
  let expect = 0;
  for (let i = 0; i < total / BLOCK; i++) {
    const piece = i % 5 === 0 ? pattern.subarray(i % 7) : pattern;
    want = crc32(piece, want);
    expect += piece.length;
  }
  want = crc32(pattern.subarray(0, 1000), want);
  expect += 1000;
  print(
    AddressFamily[family],
    "received",
    n,
    "expected",
    expect,
    "crc ok:",
    crc === want,
    "calls > 1:",
    calls > 1,
    "rate > 0:",
    n / Math.max(elapsed, 1e-9) > 0,
  );
}

async function duplex(a: Socket, b: Socket) {
  const size = 8 << 20;
  const reversed = pattern.slice().reverse();
  const fwd = bjoin(Array(size / BLOCK).fill(pattern));
  const back = bjoin(Array(size / BLOCK).fill(reversed));
  const out = new Map<Socket, Uint8Array>([[a, fwd], [b, back]]);
  const got = new Map<Socket, number>([[a, 0], [b, 0]]);
  const crc = new Map<Socket, number>([[a, 0], [b, 0]]);
  for (const s of [a, b]) s.setblocking(false);
  const deadline = performance.now() + 30_000;
  const shut = new Set<Socket>();
  while ((got.get(a)! < size || got.get(b)! < size) && performance.now() < deadline) {
    const want_w = [a, b].filter((s) => out.get(s)!.length);
    const [r, w] = await select([a, b], want_w, [], 1);
    for (const s of w) {
      let sent: number;
      try {
        sent = await s.send(out.get(s)!.subarray(0, BLOCK * 3));
      } catch (e) {
        if (!(e instanceof socket.BlockingIOError)) throw e;
        continue;
      }
      out.set(s, out.get(s)!.subarray(sent));
      if (!out.get(s)!.length && !shut.has(s)) {
        await s.shutdown(socket.SHUT_WR);
        shut.add(s);
      }
    }
    for (const s of r) {
      let data: Uint8Array;
      try {
        data = await s.recv(BLOCK);
      } catch (e) {
        if (!(e instanceof socket.BlockingIOError)) throw e;
        continue;
      }
      got.set(s, got.get(s)! + data.length);
      crc.set(s, crc32(data, crc.get(s)!));
    }
  }
  print(
    "duplex got",
    got.get(a),
    got.get(b),
    "crc a:",
    crc.get(a) === crc32(back),
    "crc b:",
    crc.get(b) === crc32(fwd),
  );
  const eof = async (s: Socket) => (await select([s], [], [], 5))[0].length ? await s.recv(10) : "not readable";
  print("then EOF on both:", await eof(a), await eof(b));
  a.close();
  b.close();
}

await measure(socket.AF_INET, ["127.0.0.1", 0]);
await measure(socket.AF_INET6, ["::1", 0]);
const lsock = socket.create_server(["127.0.0.1", 0]);
let a = await socket.create_connection(lsock.getsockname() as [string, number]);
let [b] = await lsock.accept();
lsock.close();
await duplex(a, b);
[a, b] = await socket.socketpair();
await duplex(a, b);
