// Port of edges.py (threads are tasks; t.join(5) is join(t, 5)).
import * as socket from "../../mod.ts";
import { b, bjoin, join, list, print, sleep } from "./_py.ts";

async function pair(): Promise<[socket.Socket, socket.Socket]> {
  const l = socket.create_server(["127.0.0.1", 0]);
  const c = await socket.create_connection(l.getsockname());
  const [s] = await l.accept();
  l.close();
  return [c, s];
}

async function outcome(fn: () => unknown) {
  try {
    const r = await fn();
    return r;
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    return `${e.name}: ${e.message}`;
  }
}

// 1. a tiny timeout still returns what is already there
let [c, s] = await pair();
await s.sendall(b("ready"));
await sleep(0.2);
c.settimeout(1e-9);
print("tiny timeout recv:", await outcome(() => c.recv(10)));
let l = socket.create_server(["127.0.0.1", 0]);
const k = await socket.create_connection(l.getsockname());
await sleep(0.2);
l.settimeout(1e-9);
print("tiny timeout accept:", await outcome(async () => (await l.accept())[0] !== null));
k.close();
l.close();

// 2. MSG_WAITALL on a timed socket returns the bytes that are there
c.settimeout(2);
await s.sendall(b("x".repeat(100)));
await sleep(0.2);
print("waitall with timeout:", await outcome(async () => (await c.recv(1000, socket.MSG_WAITALL)).length));
c.setblocking(false);
await s.sendall(b("y".repeat(50)));
await sleep(0.2);
print("waitall non-blocking:", await outcome(async () => (await c.recv(1000, socket.MSG_WAITALL)).length));
print("waitall non-blocking, nothing there:", await outcome(() => c.recv(1000, socket.MSG_WAITALL)));
c.close();
s.close();

// 3. send and recv right after a non-blocking connect_ex
l = socket.create_server(["127.0.0.1", 0]);
const n = socket.socket();
n.setblocking(false);
print("connect_ex:", await n.connect_ex(l.getsockname()));
let r = await outcome(() => n.send(b("early")));
print("send at once:", typeof r === "string" && r.includes("Blocking") ? r : "sent or would block");
r = await outcome(() => n.recv(10));
print("recv at once:", r);
n.close();
l.close();

// 4. shutdown(SHUT_RD) wakes a recv in another thread; close() wakes a sendall in another thread
[c, s] = await pair();
let got: unknown[] = [];
let t = (async () => got.push(await outcome(() => c.recv(10))))();
await sleep(0.3);
await c.shutdown(socket.SHUT_RD);
let alive = true;
t.finally(() => alive = false);
await join(t, 5);
print("recv woken by SHUT_RD:", list(got), alive);
c.close();
s.close();
[c, s] = await pair();
got = [];
t = (async () => got.push(await outcome(() => c.sendall(b("z".repeat(50_000_000))))))();
alive = true;
t.finally(() => alive = false);
await sleep(0.5);
await c.shutdown(socket.SHUT_WR);
await join(t, 5);
print("sendall after SHUT_WR in another thread:", list(got), alive);
c.close();
s.close();

// 5. two threads recv(5, MSG_WAITALL) on one socket; two threads recvfrom on one UDP socket
[c, s] = await pair();
const got2: Uint8Array[] = [];
let ts = [0, 1].map(async () => got2.push(await c.recv(5, socket.MSG_WAITALL)));
await sleep(0.2);
await s.sendall(b("abc"));
await sleep(0.1);
await s.sendall(b("defghij"));
for (const t of ts) {
  await join(t, 5);
}
const all = [...bjoin(got2)].sort();
print(
  "two WAITALL readers:",
  list(got2.map((x) => x.length).sort()),
  all.join() === [...b("abcdefghij")].sort().join(),
);
c.close();
s.close();
const u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
u.bind(["127.0.0.1", 0]);
const v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);
const got3: Uint8Array[] = [];
ts = [0, 1].map(async () => got3.push((await u.recvfrom(100))[0]));
await sleep(0.2);
await v.sendto(b("first"), u.getsockname());
await v.sendto(b("second"), u.getsockname());
for (const t of ts) {
  await join(t, 5);
}
print("two recvfrom readers:", list(got3.map((x) => new TextDecoder().decode(x)).sort().map((x) => b(x))));
u.close();
v.close();
