// adv18d's child process: each scenario runs in a process of its own (run_gc_child: --expose-gc), so descriptors
// (/proc/self/fd), RSS and CPU are this scenario's alone, and prints one JSON line. Python peers are inline scripts.
//   udpflood <plain|threading> <max_concurrent|default|null>   a datagram flood at a UDPServer whose handler is slow
//   churn <tcp|threading|unix> <n>                              short connections of every kind at a StreamRequestHandler
//   flood <tcp|unix|bound> <plain|recv1|selector|makefile|timedrecv>   a peer that floods a program that does not read
//   idle <n> <burst bytes>                                      n idle accepted connections watched by a selector
//   stranger                                                    a stranger's flood at a connected UDP socket

import process from "node:process";
import { AF_INET, AF_UNIX, SOCK_DGRAM, type Socket, socket } from "../mod.ts";
import { DefaultSelector, EVENT_READ } from "../selectors.ts";
import {
  DatagramRequestHandler,
  StreamRequestHandler,
  TCPServer,
  ThreadingTCPServer,
  ThreadingUDPServer,
  UDPServer,
  UnixStreamServer,
} from "../socketserver.ts";

const gc = (globalThis as unknown as { gc: () => void }).gc;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** MiB: RSS, and this isolate's heap plus ArrayBuffers (where pysocket's buffers live), after full GCs. */
function mem(): { rss: number; own: number } {
  gc();
  gc();
  const m = Deno.memoryUsage();
  return { rss: +(m.rss / 2 ** 20).toFixed(2), own: +((m.heapUsed + m.external) / 2 ** 20).toFixed(2) };
}
const fds = () => [...Deno.readDirSync("/proc/self/fd")].length;
const cpu_ms = (since: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(since);
  return Math.round((c.user + c.system) / 1000);
};

/** A python3 peer; `lines()` reads its stdout a line at a time. */
function python(script: string, ...args: string[]) {
  const child = new Deno.Command("python3", { args: ["-c", script, ...args], stdout: "piped", stdin: "null" })
    .spawn();
  const reader = child.stdout.getReader();
  let acc = "";
  const dec = new TextDecoder();
  return {
    child,
    async line(): Promise<string> {
      while (!acc.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        acc += dec.decode(value);
      }
      const i = acc.indexOf("\n");
      const l = i < 0 ? acc : acc.slice(0, i);
      acc = i < 0 ? "" : acc.slice(i + 1);
      return l;
    },
    async end(): Promise<void> {
      try {
        child.kill();
      } catch { /* ended */ }
      await reader.cancel().catch(() => {});
      await child.status;
    },
  };
}

const UDP_FLOOD = `
import socket, sys, time
port, seconds, size = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t0, n = time.time(), 0
while time.time() - t0 < seconds:
    try: s.sendto(bytes(size), ("127.0.0.1", port)); n += 1
    except OSError: pass
print(n, flush=True)
`;

async function udpflood(kind: string, cap: string): Promise<unknown> {
  let release!: () => void;
  const released = new Promise<void>((r) => release = r);
  let handled = 0;
  class Slow extends DatagramRequestHandler {
    override async handle() {
      await released;
      handled++;
      if (new TextDecoder().decode(this.packet.subarray(0, 4)) === "ping") await this.wfile.write(this.packet);
    }
  }
  const Cls = kind === "threading" ? ThreadingUDPServer : UDPServer;
  const opts = cap === "default" ? {} : { max_concurrent: cap === "null" ? null : Number(cap) };
  const srv = new Cls(["127.0.0.1", 0], Slow, opts);
  const serving = srv.serve_forever(0.1);
  const port = (srv.server_address as [string, number])[1];
  let most = 0;
  const watch = setInterval(() => most = Math.max(most, srv.active_count), 20);
  const m0 = mem();
  const p = python(UDP_FLOOD, String(port), "1.5", "8000");
  const sent = Number(await p.line());
  await p.end();
  const m1 = mem();
  most = Math.max(most, srv.active_count);
  release();
  // Liveness: once the handlers end, the server answers a new client at once.
  const c = socket(AF_INET, SOCK_DGRAM);
  c.settimeout(0.2);
  let answered = -1;
  const t0 = performance.now();
  for (let i = 0; i < 50 && answered < 0; i++) {
    await c.sendto(new TextEncoder().encode("ping"), ["127.0.0.1", port]);
    try {
      if (new TextDecoder().decode(await c.recv(100)) === "ping") answered = Math.round(performance.now() - t0);
    } catch { /* timed out: queued datagrams first */ }
  }
  c.close();
  clearInterval(watch);
  await srv.shutdown();
  await srv.server_close();
  await serving;
  return { kind, cap, max_concurrent: srv.max_concurrent, sent, most, handled, answered, m0, m1 };
}

const CLIENTS = `
import socket, struct, sys, threading
kind, addr, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_UNIX if kind == "unix" else socket.AF_INET
a = addr if kind == "unix" else ("127.0.0.1", int(addr))
bad = []
def one(i):
    c = socket.socket(fam); c.settimeout(5)
    try:
        c.connect(a)
        m = i % 5
        if m == 0: c.sendall(b"hello\\n"); assert c.recv(100) == b"hello\\n"
        elif m == 1: c.sendall(b"xboom\\n"); c.recv(100)   # the handler raises
        elif m == 2:                                         # a reset mid-request
            c.sendall(b"half")
            c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif m == 3: pass                                    # connect and close at once
        else: c.sendall(b"y" * 5000)                         # no newline, past readline's limit
    except Exception as e:
        bad.append(repr(e))
    c.close()
def worker(k):
    for i in range(k, n, 8): one(i)
ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(len(bad), flush=True)
`;

const CPYTHON_CHURN = `
import json, os, socketserver, subprocess, sys, threading, time
class H(socketserver.StreamRequestHandler):
    timeout = 2
    def handle(self):
        line = self.rfile.readline(100)
        if line[:1] == b"x": raise Exception("boom")
        if line[:1] == b"h": self.wfile.write(line)
class S(socketserver.ThreadingTCPServer):
    request_queue_size = 128
    def handle_error(self, *a): pass
fds = lambda: len(os.listdir("/proc/self/fd"))
f_start = fds()
s = S(("127.0.0.1", 0), H)
threading.Thread(target=s.serve_forever, args=(0.2,), daemon=True).start()
run = lambda k: subprocess.run([sys.executable, "-c", sys.argv[1], "tcp", str(s.server_address[1]), str(k)], capture_output=True)
run(40); time.sleep(0.5)
f0 = fds(); t0 = time.time()
run(int(sys.argv[2])); ms = round((time.time() - t0) * 1000)
time.sleep(0.5)
f1 = fds()
s.shutdown(); s.server_close(); time.sleep(0.1)
print(json.dumps({"kind": "cpython", "ms": ms, "fds": [f_start, f0, f1, fds()]}))
`;

async function churn(kind: string, n: number): Promise<unknown> {
  if (kind === "cpython") {
    const p = python(CPYTHON_CHURN, CLIENTS, String(n));
    const line = await p.line();
    await p.end();
    return JSON.parse(line);
  }
  let handled = 0, errors = 0;
  class Line extends StreamRequestHandler {
    override timeout = 2;
    override async handle() {
      const line = await this.rfile.readline(100) as Uint8Array;
      handled++;
      if (line[0] === 0x78) throw new Error("boom");
      if (line[0] === 0x68) await this.wfile.write(line);
    }
  }
  const dir = Deno.makeTempDirSync();
  const Base = kind === "unix" ? UnixStreamServer : kind === "threading" ? ThreadingTCPServer : TCPServer;
  class Counting extends (Base as typeof TCPServer) {
    override handle_error() {
      errors++;
    }
  }
  const f_start = fds();
  const srv = new Counting(kind === "unix" ? `${dir}/s` : ["127.0.0.1", 0], Line, { request_queue_size: 128 });
  const serving = srv.serve_forever(0.2);
  const addr = kind === "unix" ? `${dir}/s` : String((srv.server_address as [string, number])[1]);
  const run = async (k: number) => {
    const p = python(CLIENTS, kind === "unix" ? "unix" : "tcp", addr, String(k));
    const bad = Number(await p.line());
    await p.end();
    return bad;
  };
  await run(40); // warm up
  for (let i = 0; i < 50 && srv.active_count > 0; i++) await sleep(100);
  await sleep(200);
  const f0 = fds(), m0 = mem();
  const t0 = performance.now();
  const bad = await run(n);
  const ms = Math.round(performance.now() - t0);
  for (let i = 0; i < 50 && srv.active_count > 0; i++) await sleep(100);
  await sleep(200);
  // The python3 client's pipe (and Deno's handle on its exit) are released a moment after it ends, later still on
  // a loaded machine: give descriptors up to 3 s to come back before counting them.
  for (let i = 0; i < 30 && fds() > f0; i++) await sleep(100);
  const f1 = fds(), m1 = mem(), active = srv.active_count;
  await srv.shutdown();
  await srv.server_close();
  await serving;
  await sleep(100);
  Deno.removeSync(dir, { recursive: true });
  return { kind, n, ms, bad, handled, errors, active, fds: [f_start, f0, f1, fds()], m0, m1, m2: mem() };
}

const FLOODER = `
import socket, sys, time
mode, addr, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
if mode == "server":
    srv = socket.create_server(("127.0.0.1", 0)); print(srv.getsockname()[1], flush=True)
    c, _ = srv.accept()
elif mode == "unix":
    c = socket.socket(socket.AF_UNIX); c.connect(addr)
else:
    c = socket.create_connection(("127.0.0.1", int(addr)))
c.settimeout(0.2)
chunk = b"a" * 65536; sent = 0; t0 = time.time()
while time.time() - t0 < seconds:
    try: sent += c.send(chunk)
    except socket.timeout: continue
    except OSError: break
print(sent, flush=True)
time.sleep(30)
`;

async function flood(mode: string, how: string): Promise<unknown> {
  const dir = Deno.makeTempDirSync();
  let s: Socket, l: Socket | null = null, p: ReturnType<typeof python>;
  if (mode === "bound") {
    // A client bound before connect(): the node:net path.
    p = python(FLOODER, "server", "", "2");
    const port = Number(await p.line());
    s = socket(AF_INET);
    s.bind(["127.0.0.1", 0]);
    await s.connect(["127.0.0.1", port]);
  } else {
    l = socket(mode === "unix" ? AF_UNIX : AF_INET);
    l.bind(mode === "unix" ? `${dir}/s` : ["127.0.0.1", 0]);
    l.listen();
    const addr = mode === "unix" ? `${dir}/s` : String((l.getsockname() as [string, number])[1]);
    p = python(FLOODER, mode === "unix" ? "unix" : "tcp", addr, "2");
    [s] = await l.accept();
  }
  const m0 = mem();
  const c0 = process.cpuUsage();
  const sel = new DefaultSelector();
  if (how === "recv1") await s.recv(1);
  if (how === "selector") {
    sel.register(s, EVENT_READ);
    await sel.select(1);
    await s.recv(1);
    await sel.select(1);
  }
  if (how === "makefile") await s.makefile("rb").read(1);
  if (how === "timedrecv") {
    s.settimeout(0.01);
    for (let i = 0; i < 100; i++) {
      try {
        await s.recv(1);
      } catch { /* timed out */ }
      await sleep(20);
    }
  }
  const sent = Number(await p.line()); // the peer stops after 2 s
  const m1 = mem();
  const cpu = cpu_ms(c0);
  sel.close();
  s.close();
  l?.close();
  await p.end();
  Deno.removeSync(dir, { recursive: true });
  return { mode, how, sent_mib: +(sent / 2 ** 20).toFixed(2), m0, m1, cpu };
}

const IDLE = `
import socket, sys, time
port, n, burst = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
cs = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
if burst:
    for c in cs: c.sendall(b"a" * burst)
print("connected", flush=True)
time.sleep(60)
`;

async function idle(n: number, burst: number): Promise<unknown> {
  const l = socket(AF_INET);
  l.bind(["127.0.0.1", 0]);
  l.listen(2048);
  const m0 = mem();
  const p = python(IDLE, String((l.getsockname() as [string, number])[1]), String(n), String(burst));
  const sel = new DefaultSelector();
  const conns: Socket[] = [];
  for (let i = 0; i < n; i++) {
    const [s] = await l.accept();
    s.setblocking(false);
    sel.register(s, EVENT_READ);
    conns.push(s);
  }
  await p.line();
  let got = 0;
  const want = n * burst;
  const t_drain = performance.now();
  while (got < want && performance.now() - t_drain < 20_000) {
    for (const [k] of await sel.select(5)) {
      try {
        got += (await (k.fileobj as Socket).recv(65536)).length;
      } catch { /* BlockingIOError */ }
    }
  }
  const m1 = mem();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let rounds = 0, reported = 0;
  while (performance.now() - t0 < 2000) {
    reported += (await sel.select(0.5)).length;
    rounds++;
  }
  const cpu = cpu_ms(c0);
  const m2 = mem();
  for (const s of conns) {
    sel.unregister(s);
    s.close();
  }
  sel.close();
  l.close();
  await p.end();
  return { n, burst, got, rounds, reported, cpu, m0, m1, m2 };
}

/**
 * The datagrams the kernel dropped for want of room in the receive queue of the UDP socket bound to 127.0.0.1:`port`
 * (/proc/net/udp's last column), or null without /proc.
 */
function kernel_drops(port: number): number | null {
  let text: string;
  try {
    text = Deno.readTextFileSync("/proc/net/udp");
  } catch {
    return null;
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of text.split("\n").slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local) return Number(f.at(-1));
  }
  return null;
}

async function stranger(): Promise<unknown> {
  const peer = socket(AF_INET, SOCK_DGRAM);
  peer.bind(["127.0.0.1", 0]);
  const u = socket(AF_INET, SOCK_DGRAM);
  u.bind(["127.0.0.1", 0]);
  await u.connect(peer.getsockname());
  u.settimeout(0.05);
  try {
    await u.recv(100); // times out: pysocket's receive stays in flight, as a program's idle socket
  } catch { /* TimeoutError */ }
  const m0 = mem();
  const c0 = process.cpuUsage();
  const p = python(UDP_FLOOD, String((u.getsockname() as [string, number])[1]), "2", "100");
  await sleep(700);
  for (let i = 0; i < 10; i++) await peer.sendto(new TextEncoder().encode(`peer${i}`), u.getsockname());
  u.settimeout(2);
  const seen: string[] = [];
  const t0 = performance.now();
  try {
    for (let i = 0; i < 10; i++) seen.push(new TextDecoder().decode(await u.recv(100)));
  } catch { /* TimeoutError: fewer arrived */ }
  const ms = Math.round(performance.now() - t0);
  const sent = Number(await p.line());
  const cpu = cpu_ms(c0);
  // The flood is over. What the kernel still queues (strangers' datagrams, which recv reads and drops, and any of
  // the peer's that came late) is read first: until then the queue may still be full, and it would drop the peer's
  // next datagrams too. Then the socket is not wedged: the peer's next datagrams all arrive.
  u.settimeout(0.5);
  try {
    for (let i = 0; i < 20; i++) {
      const d = new TextDecoder().decode(await u.recv(100));
      if (d.startsWith("peer")) seen.push(d);
    }
  } catch { /* TimeoutError: drained */ }
  u.settimeout(2);
  for (let i = 0; i < 10; i++) await peer.sendto(new TextEncoder().encode(`after${i}`), u.getsockname());
  const after: string[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      const d = new TextDecoder().decode(await u.recv(100));
      if (d.startsWith("after")) after.push(d);
      else i--; // one of the first ten, late
    }
  } catch { /* TimeoutError: fewer arrived */ }
  const m1 = mem();
  await p.end();
  const drops = kernel_drops((u.getsockname() as [string, number])[1]);
  u.close();
  peer.close();
  return { sent, seen, after, ms, cpu, m0, m1, drops };
}

const [what, a = "", b = ""] = Deno.args;
const out = what === "udpflood"
  ? await udpflood(a, b)
  : what === "churn"
  ? await churn(a, Number(b))
  : what === "flood"
  ? await flood(a, b)
  : what === "idle"
  ? await idle(Number(a), Number(b))
  : await stranger();
console.log(JSON.stringify(out));
