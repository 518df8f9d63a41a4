// Port of discovery.py (threads become tasks, threading's flag a field; the registry's selectors loop as in
// Python; time.monotonic() is performance.now()).
import * as socket from "../../mod.ts";
import { OSError, TimeoutError } from "../../mod.ts";
import { DefaultSelector, EVENT_READ } from "../../selectors.ts";
import { print, PyList, repr, sleep } from "../ported/_py.ts";

const TTL = 2.0;
const monotonic = () => performance.now() / 1000;

const registry = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
registry.bind(["127.0.0.1", 0]);
const REGISTRY = registry.getsockname();
const log = new PyList<string>();
const same_addr = (x: socket.Address | null, y: socket.Address) =>
  Array.isArray(x) && x[0] === (y as [string, number])[0] && x[1] === (y as [string, number])[1];

async function run_registry() {
  const services = new Map<string, Map<string, number>>(); // name -> {"host port": expiry}
  const turn = new Map<string, number>();
  const sel = new DefaultSelector();
  sel.register(registry, EVENT_READ);
  let running = true;
  while (running) {
    for (const [_key, _mask] of await sel.select(0.1)) {
      const [data, addr] = await registry.recvfrom(1024);
      const words = new TextDecoder().decode(data).split(/\s+/).filter((w) => w);
      let reply: string;
      if (words[0] === "REGISTER" && words.length === 5 && /^\d+$/.test(words[3]!)) {
        const [name, host, port, ttl] = [words[1]!, words[2]!, Number(words[3]), Number(words[4])];
        if (!services.has(name)) services.set(name, new Map());
        const fresh = !services.get(name)!.has(`${host} ${port}`);
        services.get(name)!.set(`${host} ${port}`, monotonic() + ttl);
        if (fresh) log.push(`registered ${name}`);
        reply = "OK";
      } else if (words[0] === "UNREGISTER" && words.length === 4) {
        const m = services.get(words[1]!);
        const k = `${words[2]} ${Number(words[3])}`;
        const gone = m?.has(k) ?? false;
        m?.delete(k);
        log.push(`unregistered ${words[1]}`);
        reply = gone ? "OK" : "UNKNOWN";
      } else if (words[0] === "LOOKUP" && words.length === 2) {
        const byaddr = ([h1, p1]: [string, number], [h2, p2]: [string, number]) => h1 < h2 ? -1 : h1 > h2 ? 1 : p1 - p2;
        let live = [...(services.get(words[1]!)?.keys() ?? [])]
          .map((k) => [k.split(" ")[0]!, Number(k.split(" ")[1])] as [string, number]).sort(byaddr);
        if (live.length) {
          const k = (turn.get(words[1]!) ?? 0) % live.length;
          turn.set(words[1]!, k + 1);
          live = [...live.slice(k), ...live.slice(0, k)];
          reply = "FOUND " + live.map(([h, p]) => `${h}:${p}`).join(" ");
        } else {
          reply = "NOTFOUND";
        }
      } else if (words.length === 1 && words[0] === "SHUTDOWN") {
        reply = "BYE";
        running = false;
      } else {
        reply = `ERROR unknown request ${repr(data.slice(0, 20))}`;
      }
      await registry.sendto(new TextEncoder().encode(reply), addr!);
    }
    const now = monotonic();
    for (const [name, instances] of services) {
      for (const [addr, expiry] of [...instances].sort()) {
        if (expiry < now) {
          instances.delete(addr);
          log.push(`expired an instance of ${name}`);
        }
      }
    }
  }
  sel.unregister(registry);
  sel.close();
}

async function ask(request: string, retries = 3, timeout = 1.0): Promise<string | null> {
  const s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
  s.settimeout(timeout);
  try {
    for (let attempt = 0; attempt < retries; attempt++) {
      await s.sendto(new TextEncoder().encode(request), REGISTRY);
      let data: Uint8Array;
      let addr: socket.Address | null;
      try {
        [data, addr] = await s.recvfrom(1024);
      } catch (e) {
        if (e instanceof TimeoutError) continue;
        throw e;
      }
      if (same_addr(addr, REGISTRY)) return new TextDecoder().decode(data);
    }
    return null;
  } finally {
    s.close();
  }
}

class EchoService {
  name: string;
  tag: string;
  sock: socket.Socket;
  port: number;
  beating = true;
  threads: Promise<void>[];
  constructor(name: string, tag: string) {
    [this.name, this.tag] = [name, tag];
    this.sock = socket.socket();
    this.sock.bind(["127.0.0.1", 0]);
    this.sock.listen(5);
    this.port = (this.sock.getsockname() as [string, number])[1];
    // the accept thread is a daemon: CPython's close() does not wake a thread blocked in accept()
    this.threads = [this.serve(), this.heartbeat()];
  }

  async serve() {
    while (true) {
      let conn: socket.Socket;
      try {
        [conn] = await this.sock.accept();
      } catch (e) {
        if (e instanceof OSError) return;
        throw e;
      }
      using _conn = conn;
      const data = await conn.recv(1024);
      await conn.sendall(new Uint8Array([...new TextEncoder().encode(this.tag + ": "), ...data]));
    }
  }

  async heartbeat() {
    let beats = 0;
    while (this.beating) {
      if (await ask(`REGISTER ${this.name} 127.0.0.1 ${this.port} ${TTL.toFixed(1)}`) !== "OK") {
        print("registration failed");
      }
      beats += 1;
      for (let i = 0; i < 4; i++) {
        if (!this.beating) break;
        await sleep(0.05);
      }
    }
  }

  async stop(unregister: boolean) {
    this.beating = false;
    await this.threads[1];
    if (unregister) {
      print("unregister", this.tag, "->", await ask(`UNREGISTER ${this.name} 127.0.0.1 ${this.port}`));
    }
  }

  close() {
    this.sock.close();
  }
}

const names = new Map<number, string>();
const firsts: string[] = [];

async function lookup(name: string): Promise<[string, number][]> {
  const reply = await ask("LOOKUP " + name);
  if (reply === null || !reply.startsWith("FOUND ")) {
    print("lookup", name, "->", reply);
    return [];
  }
  const found = reply.split(" ").slice(1).map((a) => {
    const i = a.lastIndexOf(":");
    return [a.slice(0, i), Number(a.slice(i + 1))] as [string, number];
  });
  const tags = found.map((a) => names.get(a[1]) ?? "unknown");
  print(
    "lookup",
    name,
    "->",
    PyList.from([...tags].sort()),
    firsts.length && firsts.at(-1) !== tags[0] ? "first changed" : "",
  );
  firsts.push(tags[0]!);
  return found;
}

const reg_thread = run_registry();
const a = new EchoService("echo", "echo-a");
const b = new EchoService("echo", "echo-b");
const t = new EchoService("time", "time-1");
for (const svc of [a, b, t]) names.set(svc.port, svc.tag);
for (let i = 0; i < 100; i++) { // until each has registered once
  if (log.length >= 3) break;
  await sleep(0.05);
}
print("registered:", PyList.from([...log].sort()));
log.splice(0);
for (let i = 0; i < 3; i++) await lookup("echo");
const replies: Uint8Array[] = [];
for (const addr of await lookup("echo")) {
  using c = await socket.create_connection(addr);
  await c.sendall(new TextEncoder().encode("ping"));
  replies.push(await c.recv(1024));
}
const bsort = (x: Uint8Array, y: Uint8Array) => {
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
};
print("  ", PyList.from(replies.sort(bsort)));
await lookup("time");
await lookup("nothing");
print("bad request ->", await ask("HELLO there"));
print("bad register ->", await ask("REGISTER echo 127.0.0.1 notaport 5"));
await b.stop(false); // no more heartbeats: expires after the TTL
await sleep(TTL + 1.0);
await lookup("echo");
await t.stop(true);
await lookup("time");
print("unregister again ->", await ask(`UNREGISTER time 127.0.0.1 ${t.port}`));
await a.stop(true);
print("registry log:", log);
print("shutdown ->", await ask("SHUTDOWN"));
await reg_thread;
registry.close();
print("registry gone ->", await ask("LOOKUP echo", 2, 0.3));
for (const svc of [a, b, t]) svc.close();
