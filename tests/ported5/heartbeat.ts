// Port of heartbeat.py (worker threads become tasks; threading.Event is a flag; time.monotonic() is
// performance.now()).
import * as socket from "../../mod.ts";
import { BlockingIOError, TimeoutError } from "../../mod.ts";
import { b, decode, print, PyList, sleep } from "../ported/_py.ts";

const INTERVAL = 0.1;
const DEAD_AFTER = 1.0;
const monotonic = () => performance.now() / 1000;

const monitor = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
monitor.bind(["127.0.0.1", 0]);
const address = monitor.getsockname();
let stop = false;

async function worker(name: string, beats: number, pause_after: number | null = null, pause = 0.0) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  for (let n = 0; n < beats; n++) {
    if (stop) break;
    if (n === pause_after) await sleep(pause);
    await s.sendto(b(`beat ${name} ${n}`), address);
    await sleep(INTERVAL);
  }
  s.close();
}

const junk = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await junk.sendto(new Uint8Array([0xff, 0xfe, ...b(" not a heartbeat")]), address);
junk.close();
const threads = [
  worker("alpha", 50),
  worker("beta", 8), // stops early: declared dead
  worker("gamma", 30, 15, 1.6), // pauses: dead, then back
];
monitor.settimeout(0.25);
const last = new Map<string, number>();
const dead = new Set<string>();
const beats = new Map<string, number>();
const start = monotonic();
while (monotonic() - start < 4.5) {
  let data: Uint8Array;
  try {
    [data] = await monitor.recvfrom(512);
  } catch (e) {
    if (!(e instanceof TimeoutError)) throw e;
    print("nothing for 0.25 s"); // never while alpha beats
    data = null as unknown as Uint8Array;
  }
  if (data) {
    const words = decode(data).split(/\s+/).filter((w) => w);
    if (words.length !== 3 || words[0] !== "beat") {
      print("ignoring a malformed datagram of", data.length, "bytes");
      continue;
    }
    const name = words[1]!;
    beats.set(name, (beats.get(name) ?? 0) + 1);
    last.set(name, monotonic());
    if (dead.has(name)) {
      dead.delete(name);
      print(name, "is alive again");
    }
  }
  const now = monotonic();
  for (const [name, seen] of [...last].sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (!dead.has(name) && now - seen > DEAD_AFTER) {
      dead.add(name);
      print(name, "is dead");
    }
  }
}
stop = true;
await Promise.all(threads);
monitor.setblocking(false);
let drained = 0;
while (true) {
  try {
    await monitor.recv(512);
    drained += 1;
  } catch (e) {
    if (!(e instanceof BlockingIOError)) throw e;
    print("drained; then", e.name, e.errno === 11, e.message);
    break;
  }
}
print("gettimeout() after setblocking(False):", monitor.gettimeout()?.toFixed(1));
monitor.settimeout(0.3);
try {
  await monitor.recvfrom(512);
} catch (e) {
  if (!(e instanceof TimeoutError)) throw e;
  print("all quiet:", e.name, e.message);
}
print("workers seen:", PyList.from([...beats.keys()].sort()));
print("dead at the end:", PyList.from([...dead].sort()));
print("beta beats:", beats.get("beta"));
monitor.close();
