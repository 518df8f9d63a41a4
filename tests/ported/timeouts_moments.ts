// Port of timeouts_moments.py (threading.Timer is setTimeout; time.monotonic() is performance.now()).
import * as socket from "../../mod.ts";
import { b, print, repr } from "./_py.ts";

async function timed(label: string, fn: () => Promise<unknown>, lo: number, hi: number) {
  const t0 = performance.now();
  const within = () => {
    const dt = (performance.now() - t0) / 1000;
    return lo <= dt && dt <= hi;
  };
  try {
    const r = await fn();
    print(label, "returned", repr(r).slice(0, 40), within());
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print(label, e.name, e, within());
  }
}

const listener = socket.create_server(["127.0.0.1", 0]);
listener.settimeout(0.3);
await timed("accept", () => listener.accept(), 0.25, 3);
const c = await socket.create_connection(listener.getsockname());
const [a] = await listener.accept();
print("accepted gettimeout", a.gettimeout(), "blocking", a.getblocking());
a.settimeout(0.3);
await timed("recv", () => a.recv(10), 0.25, 3);
setTimeout(() => c.sendall(b("late")), 200);
a.settimeout(2);
await timed("recv late data", () => a.recv(10), 0.1, 1.9);
const c2 = await socket.create_connection(listener.getsockname());
const [a2] = await listener.accept();
a2.settimeout(0.3);
const f = a2.makefile("rb");
await c2.sendall(b("partial line"));
await timed("readline", () => f.readline(), 0.25, 3);
await f.close(); // CPython's file refuses reads after a timeout: a new one, on a new connection
c2.close();
a2.close();
a.settimeout(0);
await timed("nonblocking recv", () => a.recv(10), 0, 0.2);
a.settimeout(null);
setTimeout(() => c.sendall(b("eventually")), 400);
await timed("blocking recv", () => a.recv(10), 0.3, 5);

c.settimeout(0.5);
await timed("sendall to a non-reader", () => c.sendall(new Uint8Array(50_000_000).fill(120)), 0.4, 4);
c.close();
a.close();

socket.setdefaulttimeout(0.3);
try {
  const d = await socket.create_connection(listener.getsockname());
  print("create_connection default timeout", d.gettimeout());
  listener.settimeout(5);
  const [e] = await listener.accept();
  print("accepted default timeout", e.gettimeout());
  await timed("recv default timeout", () => e.recv(10), 0.25, 3);
  d.close();
  e.close();
} finally {
  socket.setdefaulttimeout(null);
}

const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u.bind(["127.0.0.1", 0]);
u.settimeout(0.3);
await timed("recvfrom", () => u.recvfrom(10), 0.25, 3);
const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
await v.sendto(b("after timeout"), u.getsockname());
print("recvfrom after", (await u.recvfrom(100))[0]);
u.close();
v.close();
listener.close();
