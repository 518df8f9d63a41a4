// Port of timeouts_tour.py (socket.timeout is TimeoutError; time.monotonic() is performance.now()/1000;
// type(e).__name__ is the error's name; sys.exit(0) is Deno.exit(0)).
import * as socket from "../../mod.ts";
import { b, print } from "../ported/_py.ts";

print("default timeout", socket.getdefaulttimeout());
socket.setdefaulttimeout(2.5);
let s = socket.socket();
print("new socket after setdefaulttimeout(2.5):", s.gettimeout());
s.close();
socket.setdefaulttimeout(null);

const lsock = socket.create_server(["127.0.0.1", 0]);
const port = (lsock.getsockname() as [string, number])[1];
lsock.settimeout(0.3);
try {
  await lsock.accept();
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("accept:", e.name, e);
}

const c = await socket.create_connection(["127.0.0.1", port], { timeout: 10 });
const [conn] = await lsock.accept();
conn.settimeout(0.3);
try {
  await conn.recv(10);
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("recv:", e);
}
await c.sendall(b("late data"));
conn.settimeout(5);
print("then recv:", await conn.recv(100));

conn.settimeout(0.5);
const big = new Uint8Array(64 * 1024 * 1024).fill(0x78);
const t0 = performance.now() / 1000;
try {
  await conn.sendall(big);
  print("sendall finished?!");
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("sendall:", e, "within 10 s:", performance.now() / 1000 - t0 < 10);
}
// The sender has given up: what it sent is buffered already, so a short pause ends the read.
c.settimeout(0.5);
let got = 0;
try {
  while (true) {
    const data = await c.recv(1 << 20);
    if (!data.length) break;
    got += data.length;
  }
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
}
print("the peer could read some but not all:", 0 < got && got < big.length);

const f = c.makefile("rb");
c.settimeout(0.3);
try {
  await f.readline();
} catch (e) {
  if (!(e instanceof socket.TimeoutError)) throw e;
  print("readline:", e);
}
await conn.sendall(b("a line\n"));
if (Deno.args.includes("file")) {
  try {
    print("readline again:", await f.readline());
  } catch (e) {
    if (!(e instanceof socket.OSError)) throw e;
    print("readline again:", e.name, e);
  }
}
await f.close();
c.close();
conn.close();
lsock.close();

if (!Deno.args.includes("backlog")) Deno.exit(0);
const full = socket.socket();
full.bind(["127.0.0.1", 0]);
full.listen(0);
const fport = (full.getsockname() as [string, number])[1];
const held: socket.Socket[] = [];
let result: string | null = null;
for (let i = 0; i < 8; i++) {
  s = socket.socket();
  s.settimeout(1.0);
  try {
    await s.connect(["127.0.0.1", fport]);
    held.push(s);
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    result = `connect ${i} timed out: ${e.message}`;
    s.close();
    break;
  }
}
print(result ?? "no connect timed out", "after", held.length, "queued");
for (const h of held) h.close();
full.close();
