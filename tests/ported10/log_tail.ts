// Port of log_tail.py (argv[1] is Deno.args[0]; threads are tasks; threading.Condition is Cond below: notify_all() wakes every
// wait_for(), which rechecks its predicate; `global finished` is a module variable; lists print through list()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { b, bjoin, list, print, repr, sleep } from "../ported/_py.ts";

class Cond {
  #waiters: (() => void)[] = [];
  notify_all() {
    for (const w of this.#waiters.splice(0)) w();
  }
  async wait_for(pred: () => boolean, timeout: number) {
    const end = performance.now() + timeout * 1000;
    while (!pred() && performance.now() < end) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        timer = setTimeout(r, end - performance.now());
      });
      clearTimeout(timer);
    }
  }
}

const log_lines: Uint8Array[] = Array.from({ length: 10 }, (_, i) => b(`boot line ${i}\n`));
const cond = new Cond();
let finished = false;
const events: string[] = [];
const eq = (x: Uint8Array, s: string) => new TextDecoder().decode(x) === s;
const splitlines = (x: Uint8Array) => {
  const parts = new TextDecoder().decode(x).split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map(b);
};

async function subscriber_handler(conn: Socket) {
  const f = conn.makefile("rb");
  const w = conn.makefile("wb");
  const n = Number(new TextDecoder().decode(await f.readline() as Uint8Array).split(/\s+/)[1]);
  let pos = log_lines.length;
  const backlog = n ? log_lines.slice(-n) : [];
  try {
    for (const line of backlog) await w.write(line);
    await w.write(b("--- following ---\n"));
    await w.flush();
    while (true) {
      await cond.wait_for(() => log_lines.length > pos || finished, 5);
      const fresh = log_lines.slice(pos);
      const done = finished;
      for (const line of fresh) {
        await w.write(line);
        await w.flush();
      }
      pos += fresh.length;
      if (done) {
        await w.write(b("END\n"));
        await w.flush();
        events.push("sent END");
        break;
      }
    }
  } catch (e) {
    if (!(e instanceof socket.BrokenPipeError || e instanceof socket.ConnectionResetError)) throw e;
    events.push("subscriber gone");
  }
  try {
    await w.close();
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
  }
  await f.close();
  conn.close();
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];

async function acceptor(k: number) {
  const ts: Promise<void>[] = [];
  for (let i = 0; i < k; i++) {
    const [conn] = await lsock.accept();
    ts.push(subscriber_handler(conn));
  }
  await Promise.all(ts);
}

const acc = acceptor(3);

async function subscribe(n: number): Promise<[Socket, socket.SocketFile, Uint8Array[]]> {
  const s = await socket.create_connection(["127.0.0.1", port], 10);
  const f = s.makefile("rb");
  await s.sendall(b(`TAIL ${n}\n`));
  const lines: Uint8Array[] = [];
  while (true) {
    const line = await f.readline() as Uint8Array;
    lines.push(line);
    if (eq(line, "--- following ---\n")) return [s, f, lines];
  }
}

const [a, af, alines] = await subscribe(2);
const [bs, bf, blines] = await subscribe(0);
const [c, cf, clines] = await subscribe(20);
print("backlogs:", repr(list(alines)), blines.length, clines.length);
await bs.shutdown(socket.SHUT_RD);
print("b after SHUT_RD:", await bs.recv(100));

async function produce() {
  for (let i = 0; i < 30; i++) {
    log_lines.push(b(`event ${i}\n`));
    cond.notify_all();
    await sleep(0.01);
  }
  finished = true;
  cond.notify_all();
}

const p = produce();
const follows: Uint8Array[] = [];
for (let i = 0; i < 3; i++) follows.push(await af.readline() as Uint8Array);
print("a follows:", repr(list(follows)));
await af.close();
a.close();
const rest = await cf.read() as Uint8Array;
print("c got", splitlines(rest).length, "lines, last", repr(list(splitlines(rest).slice(-2))));
await p;
await acc;
const after: Uint8Array[] = [];
while (Deno.args[0] === "late") {
  const chunk = await bs.recv(4096);
  if (!chunk.length) break;
  after.push(chunk);
}
const all = bjoin(after);
if (all.length) {
  print("b still received after SHUT_RD:", splitlines(all).length, "lines, ends with END:", eq(all.slice(-4), "END\n"));
}
await bf.close();
bs.close();
await cf.close();
c.close();
lsock.close();
print("server events:", repr(list(events.sort())));
