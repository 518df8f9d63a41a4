// Port of udp_nat.py (threads are tasks, the Event a flag; dicts keyed by address tuples are Maps keyed by the
// address's JSON text; time.monotonic() is performance.now() / 1000).
import * as socket from "../../mod.ts";
import type { Address, Socket } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, bjoin, bupper, list, print, repr, sleep } from "../ported/_py.ts";

const refused_case = Deno.args.length === 1 && Deno.args[0] === "refused";
const IDLE = 0.4;
const monotonic = () => performance.now() / 1000;
const key = (a: Address) => JSON.stringify(a);

const backend = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
backend.bind(["127.0.0.1", 0]);
backend.settimeout(5);
const BACKEND = backend.getsockname();
if (refused_case) backend.close();
const front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
front.bind(["127.0.0.1", 0]);
const FRONT = front.getsockname();
const sources: string[] = [];
const flog: string[] = [];
const expired: number[] = [];

async function backend_loop() {
  while (true) {
    const [data, addr] = await backend.recvfrom(4096);
    if (new TextDecoder().decode(data) === "STOP") return;
    if (!sources.includes(key(addr!))) sources.push(key(addr!));
    const n = sources.indexOf(key(addr!));
    const reply = !data.length ? b("empty") : data.length > 100 ? b(`len ${data.length}`) : bupper(data);
    await backend.sendto(bjoin([reply, b(` via upstream ${n}`)]), addr!);
  }
}

const sessions = new Map<string, [Socket, number, Address]>();
const by_up = new Map<Socket, string>();
let stop = false;

async function forwarder() {
  while (!stop) {
    const now = monotonic();
    for (const [ck, [up, last]] of [...sessions]) {
      if (now - last > IDLE) {
        expired.push(clients_by_addr.get(ck)!);
        sessions.delete(ck);
        by_up.delete(up);
        up.close();
      }
    }
    const lasts = [...sessions.values()].map(([, last]) => last + IDLE);
    const deadline = lasts.length ? Math.min(...lasts) : now + 0.05;
    const timeout = Math.max(0.0, Math.min(deadline - now, 0.05));
    const [r] = await select([front, ...by_up.keys()], [], [], timeout);
    for (const s of r) {
      if (s === front) {
        const [data, caddr] = await front.recvfrom(65535);
        const ck = key(caddr!);
        if (!sessions.has(ck)) {
          const up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
          up.bind(["127.0.0.1", 0]);
          await up.connect(BACKEND);
          sessions.set(ck, [up, monotonic(), caddr!]);
          by_up.set(up, ck);
          flog.push(`new session for client ${clients_by_addr.get(ck)}`);
        }
        const sess = sessions.get(ck)!;
        sess[1] = monotonic();
        await sess[0].send(data);
      } else {
        const ck = by_up.get(s)!;
        let data;
        try {
          data = await s.recv(65535);
        } catch (e) {
          if (!(e instanceof socket.ConnectionRefusedError)) throw e;
          flog.push(`client ${clients_by_addr.get(ck)}: backend ${e.constructor.name}, session dropped`);
          sessions.delete(ck);
          by_up.delete(s);
          s.close();
          continue;
        }
        const sess = sessions.get(ck)!;
        sess[1] = monotonic();
        await front.sendto(data, sess[2]);
      }
    }
  }
  for (const up of by_up.keys()) up.close();
}

const clients: Socket[] = [];
const clients_by_addr = new Map<string, number>();
for (let i = 0; i < 3; i++) {
  const c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  c.bind(["127.0.0.1", 0]);
  c.settimeout(refused_case ? 0.5 : 5);
  clients.push(c);
  clients_by_addr.set(key(c.getsockname()), i);
}

const tb = refused_case ? null : backend_loop();
const tf = forwarder();

async function ask(i: number, data: Uint8Array) {
  await clients[i]!.sendto(data, FRONT);
  try {
    const [reply, addr] = await clients[i]!.recvfrom(4096);
    print(
      `client ${i} sent ${data.length} bytes, got ${repr(reply)} from the front: ${
        key(addr!) === key(FRONT) ? "True" : "False"
      }`,
    );
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    print(`client ${i} sent ${data.length} bytes, no reply`);
  }
}

if (refused_case) {
  await ask(0, b("hello"));
  await sleep(0.1);
  print("sessions:", sessions.size);
} else {
  await ask(0, b("hello"));
  await ask(1, b("hi"));
  await ask(0, b("again"));
  await ask(2, b(""));
  await ask(1, new Uint8Array(2000).fill(0x78));
  await sleep(IDLE + 0.3);
  print("sessions after idling:", sessions.size);
  await ask(0, b("back"));
  await ask(2, b("back too"));
  print("sessions:", sessions.size);
}
stop = true;
await tf;
if (!refused_case) {
  await backend.sendto(b("STOP"), BACKEND);
  await tb;
  backend.close();
  print("backend saw", sources.length, "upstream sources");
}
for (const x of flog) print("forwarder:", x);
print("expired sessions of clients", list(expired.sort()));
for (const c of clients) c.close();
front.close();
