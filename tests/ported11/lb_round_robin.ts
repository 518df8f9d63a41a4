// Port of lb_round_robin.py (backend threads are tasks; threading.Event is a flag; key.data tuples are arrays;
// the Job class keeps its fields; errno.errorcode.get(code, code) is socket.errorcode[code] ?? code; `%r` of
// bytes is repr()).
import * as socket from "../../mod.ts";
import type { Socket } from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { b, bjoin, decode, list, print, repr } from "../ported/_py.ts";

let stop = false;
const ends_nl = (x: Uint8Array) => x.length > 0 && x[x.length - 1] === 0x0a;

async function backend(name: string, lsock: Socket, limit: number | null = null, half = false) {
  lsock.settimeout(0.05);
  let served = 0;
  while (!stop && (limit === null || served < limit)) {
    let conn: Socket;
    try {
      [conn] = await lsock.accept();
    } catch (e) {
      if (e instanceof socket.TimeoutError) continue;
      throw e;
    }
    using _c = conn;
    conn.settimeout(5);
    let line = new Uint8Array(0);
    while (!ends_nl(line)) {
      const data = await conn.recv(64);
      if (!data.length) break;
      line = bjoin([line, data]);
    }
    if (!line.length) continue; // a health check
    served += 1;
    if (half) await conn.sendall(b(`${name} half`));
    else await conn.sendall(bjoin([b(`${name} answers `), line]));
  }
  lsock.close();
}

function listener() {
  const s = socket.socket();
  s.bind(["127.0.0.1", 0]);
  s.listen();
  return s;
}

const [la, lb, ld] = [listener(), listener(), listener()];
const lc = listener();
const c_addr = lc.getsockname();
lc.close(); // C refuses
const threads = [backend("A", la), backend("B", lb, 2), backend("D", ld, 1, true)];
type Addr = [string, number];
const backends: [string, Addr][] = [
  ["A", la.getsockname() as Addr],
  ["B", lb.getsockname() as Addr],
  ["C", c_addr as Addr],
  ["D", ld.getsockname() as Addr],
];

let healthy: [string, Addr][] = [];
for (const [name, addr] of backends) {
  let code: number;
  {
    using probe = socket.socket();
    probe.settimeout(1);
    code = await probe.connect_ex(addr);
  }
  print("health check", name, socket.errorcode[code] ?? code);
  if (code === 0) healthy.push([name, addr]);
}
print("healthy:", list(healthy.map(([n]) => n)));

class Job {
  request = new Uint8Array(0);
  reply = new Uint8Array(0);
  backend: Socket | null = null;
  name: string | null = null;
  constructor(public client: Socket) {}
}
type Data = [string, Job | null];

const front = socket.create_server(["127.0.0.1", 0]);
front.setblocking(false);
const sel = new selectors.DefaultSelector<Data>();
sel.register(front, selectors.EVENT_READ, ["accept", null]);
let rr = 0;
let done = 0;
const log: string[] = [];

async function dispatch(job: Job) {
  if (!healthy.length) {
    await job.client.sendall(b("503 no backend\n"));
    finish(job);
    return;
  }
  const [name, addr] = healthy[rr % healthy.length]!;
  rr += 1;
  const bs = socket.socket();
  bs.setblocking(false);
  const code = await bs.connect_ex(addr);
  log.push(`${decode(job.request).trim()} -> ${name} (connect_ex ${socket.errorcode[code] ?? code})`);
  job.backend = bs;
  job.name = name;
  job.reply = new Uint8Array(0);
  sel.register(bs, selectors.EVENT_WRITE, ["backend", job]);
}

async function mark_down(job: Job, why: string) {
  log.push(`${job.name} down: ${why}`);
  healthy = healthy.filter(([n]) => n !== job.name);
  sel.unregister(job.backend!);
  job.backend!.close();
  await dispatch(job);
}

function finish(job: Job) {
  sel.unregister(job.client);
  job.client.close();
  done += 1;
}

const deadline = performance.now() + 10_000;

async function client_side() {
  for (let i = 0; i < 7; i++) {
    using c = await socket.create_connection(front.getsockname() as Addr, 5);
    await c.sendall(b(`req ${i}\n`));
    let reply = new Uint8Array(0);
    while (!ends_nl(reply)) {
      const data = await c.recv(64);
      if (!data.length) break;
      reply = bjoin([reply, data]);
    }
    print("client got", reply);
  }
}

const ct = client_side();
while (done < 7 && performance.now() < deadline) {
  for (const [key, mask] of await sel.select(0.5)) {
    const [kind, job] = key.data!;
    const sock = key.fileobj as Socket;
    if (kind === "accept") {
      const [conn] = await front.accept();
      conn.setblocking(false);
      sel.register(conn, selectors.EVENT_READ, ["client", new Job(conn)]);
    } else if (kind === "client") {
      const data = await sock.recv(64);
      job!.request = bjoin([job!.request, data]);
      if (ends_nl(job!.request)) {
        sel.modify(sock, selectors.EVENT_READ, ["client-wait", job]);
        await dispatch(job!);
      }
    } else if (kind === "client-wait") {
      // nothing
    } else if (mask & selectors.EVENT_WRITE) {
      const err = job!.backend!.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
      if (err) {
        await mark_down(job!, "connect " + socket.errorcode[err]);
        continue;
      }
      await job!.backend!.sendall(job!.request);
      sel.modify(job!.backend!, selectors.EVENT_READ, ["backend", job]);
    } else {
      const data = await job!.backend!.recv(64);
      job!.reply = bjoin([job!.reply, data]);
      if (ends_nl(job!.reply)) {
        sel.unregister(job!.backend!);
        job!.backend!.close();
        job!.client.setblocking(true);
        await job!.client.sendall(job!.reply);
        finish(job!);
      } else if (!data.length) {
        await mark_down(job!, `closed mid-reply after ${repr(job!.reply)}`);
      }
    }
  }
}
await ct;
stop = true;
await Promise.all(threads);
front.close();
sel.close();
for (const line of log) print(line);
print("still healthy:", list(healthy.map(([n]) => n)));
