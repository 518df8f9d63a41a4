// Port of port_knock.py (the daemon thread is a task; time.monotonic() is performance.now()).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { beq, print, PyList, sleep } from "../ported/_py.ts";

const KNOCK_WINDOW = 1.0;
const OPEN_FOR = 2.0;
const monotonic = () => performance.now() / 1000;
const enc = new TextEncoder();

const knocks: socket.Socket[] = [];
for (let i = 0; i < 3; i++) {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  knocks.push(u);
}
const KNOCK_PORTS = knocks.map((u) => (u.getsockname() as [string, number])[1]);
const guarded = socket.socket();
guarded.bind(["127.0.0.1", 0]);
guarded.listen(5);
const GUARDED = guarded.getsockname();
const log: string[] = [];

async function daemon() {
  const progress = new Map<string, [number, number]>(); // ip -> (next knock index, time of the last knock)
  const allowed = new Map<string, number>(); // ip -> until
  const conns: socket.Socket[] = [];
  let running = true;
  while (running) {
    const [readable] = await select([...knocks, guarded, ...conns], [], [], 0.1);
    const now = monotonic();
    for (const s of readable) {
      if (knocks.includes(s)) {
        const [data, addr] = await s.recvfrom(100);
        const [ip] = addr as [string, number];
        if (beq(data, enc.encode("STOP"))) {
          running = false;
          continue;
        }
        await s.sendto(new Uint8Array(), addr!);
        const i = knocks.indexOf(s);
        let [step, last] = progress.get(ip) ?? [0, now];
        if (step && now - last > KNOCK_WINDOW) {
          log.push(`${ip}: too slow`);
          step = 0;
        }
        if (i === step) {
          step += 1;
          if (step === knocks.length) {
            log.push(`${ip}: open`);
            allowed.set(ip, now + OPEN_FOR);
            step = 0;
          }
        } else {
          log.push(`${ip}: knock ${i} out of order`);
          step = i === 0 ? 1 : 0;
        }
        progress.set(ip, [step, now]);
      } else if (s === guarded) {
        const [conn, addr] = await guarded.accept();
        const [ip] = addr as [string, number];
        if ((allowed.get(ip) ?? 0) > now) {
          await conn.sendall(enc.encode(`welcome ${ip}\n`));
          conns.push(conn);
        } else {
          log.push(`${ip}: denied`);
          await conn.sendall(enc.encode("denied\n"));
          conn.close();
        }
      } else {
        const data = await s.recv(1024);
        if (data.length) {
          await s.sendall(data.map((c) => (c >= 0x61 && c <= 0x7a ? c - 32 : c)));
        } else {
          conns.splice(conns.indexOf(s), 1);
          s.close();
        }
      }
    }
  }
  for (const c of conns) c.close();
}

async function knock(src: string, order: number[], gap = 0.0) {
  const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  u.bind([src, 0]);
  u.settimeout(5);
  for (const [n, i] of order.entries()) {
    if (n && gap) await sleep(gap);
    await u.sendto(enc.encode("knock"), ["127.0.0.1", KNOCK_PORTS[i]!]);
    await u.recvfrom(10); // the acknowledgement
  }
  u.close();
}

async function visit(src: string, say: Uint8Array | null = null): Promise<PyList<Uint8Array>> {
  const c = socket.socket();
  c.bind([src, 0]);
  await c.connect(GUARDED as [string, number]);
  c.settimeout(5);
  const f = c.makefile("rb");
  const out = PyList.from([await f.readline() as Uint8Array]) as PyList<Uint8Array>;
  if (say && new TextDecoder().decode(out[0]).startsWith("welcome")) {
    await c.sendall(say);
    out.push(await c.recv(1024));
    await c.shutdown(socket.SHUT_WR);
  }
  out.push(await f.read() as Uint8Array);
  await f.close();
  c.close();
  return out;
}

const t = daemon();
print("no knock:", await visit("127.0.0.2"));
await knock("127.0.0.2", [0, 1, 2]);
print("knocked in order:", await visit("127.0.0.2", enc.encode("hello guarded service")));
print("another address:", await visit("127.0.0.3"));
await knock("127.0.0.3", [0, 2, 1]);
print("out of order:", await visit("127.0.0.3"));
await knock("127.0.0.3", [0, 1, 2], KNOCK_WINDOW + 0.5);
print("too slowly:", await visit("127.0.0.3"));
await knock("127.0.0.3", [1, 0, 1, 2]);
print("a stray knock first:", await visit("127.0.0.3", enc.encode("again")));
await sleep(OPEN_FOR + 0.5);
print("after the window:", await visit("127.0.0.2"));
const stop = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await stop.sendto(enc.encode("STOP"), ["127.0.0.1", KNOCK_PORTS[0]!]);
stop.close();
await t;
for (const s of [...knocks, guarded]) s.close();
print("daemon log:");
for (const line of log) print("  ", line);
