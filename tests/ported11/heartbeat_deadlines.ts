// Port of heartbeat_deadlines.py (client threads are tasks; time.monotonic() is performance.now() / 1000; the
// clients dict is a Map keyed by socket; bytes.split(b"\n") is done on the decoded text; lists print via list()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, decode, list, print, sleep } from "../ported/_py.ts";

const LIMIT = 0.4;
const out = new Map<string, unknown[]>();
const slog: string[] = [];
const monotonic = () => performance.now() / 1000;

async function client(name: string, plan: string[]) {
  const lines: unknown[] = [];
  {
    using c = await socket.create_connection(lsock.getsockname() as [string, number], 2);
    const f = c.makefile("rb");
    for (const step of plan) {
      if (step === "ping") {
        await c.sendall(b("PING\n"));
        lines.push(await f.readline());
        await sleep(0.1);
      } else if (step === "bye") {
        await c.sendall(b("BYE\n"));
      } else if (step === "wait") {
        c.settimeout(0.2);
        try {
          lines.push(await c.recv(16));
        } catch (e) {
          if (!(e instanceof socket.TimeoutError)) throw e;
          lines.push(`recv: TimeoutError ${e.message}`);
        }
        c.settimeout(2);
      }
    }
    const rest = await f.read();
    lines.push(rest);
    await f.close();
  }
  out.set(name, lines);
}

const lsock = socket.create_server(["127.0.0.1", 0]);
const plans: [string, string[]][] = [
  ["steady", [...Array(5).fill("ping"), "bye"]],
  ["fading", ["ping", "ping"]],
  ["silent", []],
  ["patient", ["wait", "ping", "bye"]],
];
const threads = plans.map(([n, p]) => client(n, p));

const clients = new Map<Socket, [number, string, null]>(); // socket -> [deadline, buffer, name]
let closed = 0;
const stop_at = monotonic() + 10;
while (closed < plans.length && monotonic() < stop_at) {
  let now = monotonic();
  const timeout = Math.min(...[...clients.values()].map(([d]) => d), now + 1) - now;
  const [readable] = await select([lsock, ...clients.keys()], [], [], Math.max(0, timeout));
  now = monotonic();
  for (const s of readable) {
    if (s === lsock) {
      const [conn] = await lsock.accept();
      clients.set(conn, [now + LIMIT, "", null]);
      continue;
    }
    const data = await s.recv(1024);
    const state = clients.get(s)!;
    if (!data.length) {
      slog.push("EOF from a client");
      clients.delete(s);
      s.close();
      closed += 1;
      continue;
    }
    state[0] = now + LIMIT;
    const lines = (state[1] + decode(data)).split("\n");
    state[1] = lines.pop()!;
    for (const line of lines) {
      if (line === "PING") {
        await s.sendall(b("PONG\n"));
      } else if (line === "BYE") {
        await s.sendall(b("BYE\n"));
        slog.push("a client said BYE");
        clients.delete(s);
        s.close();
        closed += 1;
        break;
      }
    }
  }
  for (const [s, [deadline]] of [...clients]) {
    if (deadline <= now) {
      await s.sendall(b("TIMEOUT\n"));
      slog.push("a client missed its deadline");
      clients.delete(s);
      s.close();
      closed += 1;
    }
  }
}
await Promise.all(threads);
lsock.close();
for (const [name] of plans) print(name, list(out.get(name)!));
print("server:", list(slog.sort()));
