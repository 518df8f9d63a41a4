// Port of unix_poll_jobs.py (threads are tasks, threading.Event a Promise; struct '!I' is a DataView;
// json.dumps(sort_keys=True) is JSON.stringify of the keys sorted, and a dict prints as Python's repr;
// Python's ZeroDivisionError and ValueError, which JavaScript arithmetic does not raise, are the program's own).
import * as socket from "../../mod.ts";
import * as select from "../../selectors.ts";
import { b, beq, bjoin, decode, join, print, repr } from "../ported/_py.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

class EOFError extends Error {}
class ZeroDivisionError extends Error {}
class ValueError extends Error {}

const d = Deno.makeTempDirSync();
const STREAM = `${d}/jobs.sock`;
const DGRAM = `${d}/status.sock`;
const jobs: Obj[] = ([
  ["add", [1, 2]],
  ["mul", [3, 4]],
  ["add", [10, 20, 30]],
  ["div", [1, 0]],
  ["mul", [2, 2, 2]],
  ["upper", ["hello"]],
  ["add", []],
  ["nope", [1]],
] as [string, Json[]][]).map(([op, args], i) => ({ id: i, op, args }));
const results = new Map<number, Obj>();
const worker_lines = new Map<string, string[]>();

const sorted_keys = (o: Json): Json =>
  Array.isArray(o)
    ? o.map(sorted_keys)
    : o !== null && typeof o === "object"
    ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sorted_keys(o[k]!)]))
    : o;
const dumps = (o: Json) => JSON.stringify(sorted_keys(o));
const py = (v: Json): string =>
  Array.isArray(v)
    ? `[${v.map(py).join(", ")}]`
    : v !== null && typeof v === "object"
    ? `{${Object.entries(v).map(([k, x]) => `${repr(k)}: ${py(x)}`).join(", ")}}`
    : typeof v === "string"
    ? repr(v)
    : v === null
    ? "None"
    : typeof v === "boolean"
    ? (v ? "True" : "False")
    : String(v);

function pack_I(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}
const unpack_I = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, 4).getUint32(0);

async function send_frame(sock: socket.Socket, obj: Json) {
  const data = b(dumps(obj));
  await sock.sendall(bjoin([pack_I(data.length), data]));
}

async function recv_exact(sock: socket.Socket, n: number) {
  let data = b("");
  while (data.length < n) {
    const more = await sock.recv(n - data.length);
    if (!more.length) {
      throw new EOFError(`peer closed after ${data.length} of ${n} bytes`);
    }
    data = bjoin([data, more]);
  }
  return data;
}

async function recv_frame(sock: socket.Socket): Promise<Obj> {
  const n = unpack_I(await recv_exact(sock, 4));
  return JSON.parse(decode(await recv_exact(sock, n)));
}

async function dispatcher(listener: socket.Socket, status: socket.Socket, nworkers: number) {
  const poller = select.poll();
  poller.register(listener, select.POLLIN);
  poller.register(status, select.POLLIN);
  const conns = new Map<number, socket.Socket>();
  const buffers = new Map<number, Uint8Array>();
  const queue = [...jobs];
  let finished = 0;
  while (finished < nworkers) {
    for (const [fd, event] of await poller.poll(5000)) {
      if (fd === listener.fileno()) {
        const [conn] = await listener.accept();
        conns.set(conn.fileno(), conn);
        buffers.set(conn.fileno(), b(""));
        poller.register(conn, select.POLLIN);
      } else if (fd === status.fileno()) {
        const [data, addr] = await status.recvfrom(1024);
        let reply: Obj;
        if (beq(data, b("stats"))) {
          reply = { queued: queue.length, done: results.size, workers: conns.size };
        } else {
          reply = { error: `unknown query ${repr(decode(data))}` };
        }
        await status.sendto(b(dumps(reply)), addr!);
      } else if (event & (select.POLLIN | select.POLLHUP)) {
        const conn = conns.get(fd)!;
        const data = await conn.recv(4096);
        if (!data.length) {
          poller.unregister(fd);
          conns.delete(fd);
          conn.close();
          finished += 1;
          continue;
        }
        buffers.set(fd, bjoin([buffers.get(fd)!, data]));
        while (buffers.get(fd)!.length >= 4) {
          const buf = buffers.get(fd)!;
          const n = unpack_I(buf.subarray(0, 4));
          if (buf.length < 4 + n) {
            break;
          }
          const msg: Obj = JSON.parse(decode(buf.subarray(4, 4 + n)));
          buffers.set(fd, buf.subarray(4 + n));
          if ("result" in msg || "error" in msg) {
            results.set(msg.id as number, msg);
          }
          if (queue.length) {
            await send_frame(conn, { job: queue.shift()! });
          } else {
            await send_frame(conn, { stop: true });
          }
        }
      }
    }
  }
  listener.close();
  status.close();
}

class Event {
  private resolve!: () => void;
  private done = new Promise<void>((r) => this.resolve = r);
  set() {
    this.resolve();
  }
  wait(s: number): Promise<void> {
    return join(this.done, s);
  }
}

async function worker(name: string, gate: Event) {
  if (!worker_lines.has(name)) worker_lines.set(name, []);
  const lines = worker_lines.get(name)!;
  const s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
  await s.connect(STREAM);
  await send_frame(s, { hello: name });
  while (true) {
    const msg = await recv_frame(s);
    if ("stop" in msg) {
      lines.push("stop");
      break;
    }
    const job = msg.job as Obj;
    await gate.wait(10);
    let reply: Obj;
    try {
      const args = job.args as Json[];
      let value: Json;
      if (job.op === "add") {
        value = (args as number[]).reduce((a, x) => a + x, 0);
      } else if (job.op === "mul") {
        value = 1;
        for (const a of args as number[]) {
          value *= a;
        }
      } else if (job.op === "div") {
        if (args[1] === 0) throw new ZeroDivisionError("division by zero");
        value = (args[0] as number) / (args[1] as number);
      } else if (job.op === "upper") {
        value = (args[0] as string).toUpperCase();
      } else {
        throw new ValueError(`unknown op ${job.op}`);
      }
      reply = { id: job.id!, result: value };
    } catch (e) {
      if (!(e instanceof ZeroDivisionError || e instanceof ValueError)) throw e;
      reply = { id: job.id!, error: e.constructor.name + ": " + e.message };
    }
    lines.push(`job ${job.id}`);
    await send_frame(s, reply);
  }
  s.close();
}

async function query(text: Uint8Array) {
  const c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
  c.bind(`${d}/client.sock`);
  c.settimeout(10);
  await c.sendto(text, DGRAM);
  const [data, addr] = await c.recvfrom(1024);
  print("status", text, "->", py(JSON.parse(decode(data))), "from", addr === DGRAM);
  c.close();
  Deno.removeSync(`${d}/client.sock`);
}

const listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM);
listener.bind(STREAM);
listener.listen();
const status = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM);
status.bind(DGRAM);
const t = dispatcher(listener, status, 3);
await query(b("stats"));
const gate = new Event();
const workers = [0, 1, 2].map((i) => worker(`w${i}`, gate));
await query(b("what"));
gate.set();
for (const w of workers) {
  await join(w, 30);
}
await join(t, 30);
for (const i of [...results.keys()].sort((a, b) => a - b)) {
  print(i, py(results.get(i)!));
}
const counts = [...worker_lines.values()].map((v) => v.filter((x) => x.startsWith("job")).length);
print("jobs per worker:", counts.length !== 0, "total", counts.reduce((a, x) => a + x, 0));
print("every worker stopped:", [...worker_lines.values()].every((v) => v.at(-1) === "stop"));
