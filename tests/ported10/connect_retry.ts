// Port of connect_retry.py (threads are tasks; errno.errorcode is socket.errorcode; Python's ExceptionGroup
// is an AggregateError; `w == [s]` compares the one member).
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, list, print, repr, sleep } from "../ported/_py.ts";

const probe = socket.socket();
probe.bind(["127.0.0.1", 0]);
const port = (probe.getsockname() as [string, number])[1];
probe.close();

async function late_server(delay: number, count: number) {
  await sleep(delay);
  const lsock = socket.create_server(["127.0.0.1", port]);
  for (let i = 0; i < count; i++) {
    const [conn] = await lsock.accept();
    using _c = conn;
    await conn.sendall(b("hello after start\n"));
  }
  lsock.close();
}

let t = late_server(0.6, 1);
let delay = 0.05, refused = 0, attempts = 0;
let s: socket.Socket;
while (true) {
  attempts += 1;
  s = socket.socket();
  s.settimeout(5);
  try {
    await s.connect(["127.0.0.1", port]);
    break;
  } catch (e) {
    if (!(e instanceof socket.ConnectionRefusedError)) throw e;
    refused += 1;
    if (e.errno !== socket.errno.ECONNREFUSED) throw new Error("errno");
    s.close();
    await sleep(delay);
    delay = Math.min(delay * 2, 0.4);
  }
}
print("connected after refusals:", refused >= 2, "attempts == refused + 1:", attempts === refused + 1);
print("got", await s.recv(100));
s.close();
await t;

s = socket.socket();
print("connect_ex to a closed port:", socket.errorcode[await s.connect_ex(["127.0.0.1", port])]);
s.close();

const lsock = socket.create_server(["127.0.0.1", 0]);
for (const [target, name] of [[lsock.getsockname(), "listener"], [["127.0.0.1", port], "closed port"]] as const) {
  s = socket.socket();
  s.setblocking(false);
  const rc = await s.connect_ex(target as [string, number]);
  print(name, "non-blocking connect_ex:", socket.errorcode[rc] ?? rc);
  const [, w] = await select([], [s], [], 5);
  const err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number;
  print(name, "writable:", w.length === 1 && w[0] === s, "SO_ERROR:", socket.errorcode[err] ?? err);
  if (!err) print(name, "peer:", JSON.stringify(s.getpeername()) === JSON.stringify(lsock.getsockname()));
  s.close();
}
(await lsock.accept())[0].close();
lsock.close();

for (const all_errors of [false, true]) {
  try {
    await socket.create_connection(["localhost", port], { timeout: 2, all_errors });
  } catch (e) {
    if (e instanceof AggregateError) {
      print("all_errors:", e.message, repr(list([...new Set(e.errors.map((x: Error) => x.name))].sort())));
    } else if (e instanceof socket.OSError) {
      print("first error:", e.name, e.errno === socket.errno.ECONNREFUSED);
    } else throw e;
  }
}

t = late_server(0, 2);
const got: Uint8Array[] = [];
for (let i = 0; i < 2; i++) {
  for (let k = 0; k < 50; k++) {
    try {
      using c = await socket.create_connection(["127.0.0.1", port], 5);
      got.push(await c.recv(100));
      break;
    } catch (e) {
      if (!(e instanceof socket.ConnectionRefusedError)) throw e;
      await sleep(0.02);
    }
  }
}
await t;
print("two connections to the restarted server:", repr(list(got)));
