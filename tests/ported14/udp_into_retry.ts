// Port of udp_into_retry.py (the server thread is a task, threading.Event a flag; struct's "!H" is a DataView;
// a memoryview of the buffer is the buffer itself, mv[10:] a subarray).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, bupper, decode, print } from "../ported/_py.ts";

const seen = new Map<number, number>();
const stale: number[] = [];
const log: string[] = [];

const pack = (n: number) => new Uint8Array([n >> 8, n & 0xff]);
const unpack = (x: Uint8Array) => (x[0]! << 8) | x[1]!;
const same_addr = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);

async function server(sock: Socket, stop: { set: boolean }) {
  while (!stop.set) {
    let data: Uint8Array, addr;
    try {
      [data, addr] = await sock.recvfrom(2048);
    } catch (e) {
      if (e instanceof socket.TimeoutError) continue;
      throw e;
    }
    if (decode(data) === "STOP") break;
    const seq = unpack(data.subarray(0, 2));
    seen.set(seq, (seen.get(seq) ?? 0) + 1);
    if (seq % 3 === 0 && seen.get(seq) === 1) {
      log.push(`server: dropped first copy of ${seq}`);
      continue;
    }
    let body = data.subarray(2);
    if (decode(body) === "BIG") {
      const abc = Uint8Array.from({ length: 26 }, (_, i) => 65 + i);
      body = bjoin([abc, abc, abc, abc]);
    }
    await sock.sendto(bjoin([pack(seq), bupper(body)]), addr!);
  }
}

const srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
srv.bind(["127.0.0.1", 0]);
srv.settimeout(0.2);
const stop = { set: false };
const t = server(srv, stop);
const addr = srv.getsockname();

const cli = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
cli.bind(["127.0.0.1", 0]);
cli.settimeout(0.6);
const buf = new Uint8Array(256);
const mv = buf;

async function call(seq: number, body: Uint8Array, nbytes = 0, tries = 6): Promise<[number, Uint8Array | null]> {
  const req = bjoin([pack(seq), body]);
  for (let attempt = 1; attempt <= tries; attempt++) {
    await cli.sendto(req, addr);
    while (true) {
      let n: number, frm;
      try {
        [n, frm] = await cli.recvfrom_into(mv, nbytes);
      } catch (e) {
        if (e instanceof socket.TimeoutError) break;
        throw e;
      }
      if (!same_addr(frm, addr)) {
        log.push("client: ignored a datagram from a stranger");
        continue;
      }
      const got = unpack(mv.subarray(0, 2));
      if (got !== seq) {
        stale.push(got); // a late reply to a resent request (a loaded machine): not printed
        continue;
      }
      return [attempt, mv.slice(2, n)];
    }
  }
  return [tries, null];
}

try {
  const bodies = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta"].map(b);
  for (const [seq, body] of bodies.entries()) {
    const [attempt, reply] = await call(seq, body);
    print("req", seq, body, "-> attempt", attempt, reply);
  }
  let [_attempt, reply] = await call(7, b("BIG"));
  print("BIG whole:", reply!.length, reply!.subarray(0, 8), reply!.subarray(-4));
  [_attempt, reply] = await call(8, b("BIG"), 20);
  print("BIG cut at nbytes=20:", reply!.length, reply);
  [_attempt, reply] = await call(10, b("after"));
  print("next datagram whole:", _attempt, reply);
  // a stranger writes to our port first
  {
    using stranger = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    await stranger.sendto(b("\x00\x0bSPOOF"), cli.getsockname());
  }
  [_attempt, reply] = await call(11, b("real"));
  print("after a stranger:", _attempt, reply);
  try {
    await cli.recvfrom_into(buf, 257);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    print("nbytes past the buffer:", "ValueError", e.message);
  }
  // connected: recv_into()
  await cli.connect(addr);
  await cli.send(bjoin([pack(13), b("connected")]));
  let n = await cli.recv_into(buf);
  print("recv_into:", n, buf.slice(2, n));
  await cli.send(bjoin([pack(14), b("slice")]));
  n = await cli.recv_into(mv.subarray(10), 0);
  print("recv_into nbytes=0 (whole slice):", n, mv.slice(12, 10 + n));
} finally {
  {
    using s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
    await s.sendto(b("STOP"), addr);
  }
  stop.set = true;
  await t;
  cli.close();
  srv.close();
}

for (const entry of log) print(entry);
