// Port of nb_connect.py (os.strerror is socket.strerror).
import * as socket from "../../mod.ts";
import { errno, errorcode } from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, print } from "./_py.ts";

const closed = Number(Deno.args[0]);
const lsock = socket.socket();
lsock.bind(["127.0.0.1", 0]);
lsock.listen(5);
const open_port = lsock.getsockname()[1] as number;

async function nb_connect(port: number, label: string) {
  const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
  s.setblocking(false);
  const rc = await s.connect_ex(["127.0.0.1", port]);
  print(label, "connect_ex ->", errorcode[rc] ?? rc);
  const [_r, w, x] = await select([], [s], [s], 5.0);
  print(label, "writable", w.length, "exceptional", x.length);
  const err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) as number; // cast: getsockopt(level, name) is typed number | Uint8Array (finding P2)
  print(label, "SO_ERROR", err, errorcode[err] ?? "OK", err ? socket.strerror(err) : "");
  print(label, "SO_ERROR again", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR));
  if (err === 0) {
    const peer = s.getpeername();
    print(label, "peer", peer[0] === "127.0.0.1" && peer[1] === port);
    await s.send(b("hello"));
  } else {
    try {
      s.getpeername();
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      print(label, "getpeername:", e);
    }
    try {
      await s.send(b("hello"));
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      print(label, "send:", e.name, e);
    }
  }
  s.close();
}

await nb_connect(open_port, "open");
const [conn] = await lsock.accept();
conn.settimeout(5);
print("server got", await conn.recv(100));
conn.close();
await nb_connect(closed, "closed");

for (const timeout of [null, 2.0]) {
  const s = socket.socket();
  s.settimeout(timeout);
  try {
    await s.connect(["127.0.0.1", closed]);
  } catch (e) {
    if (!(e instanceof socket.ConnectionRefusedError)) throw e;
    print("timeout", timeout === null ? null : timeout.toFixed(1), e.name, e.errno, e);
  }
  if (timeout === null) {
    print("connect_ex again", errorcode[await s.connect_ex(["127.0.0.1", closed])]);
  }
  s.close();
}

const s = socket.socket();
s.setblocking(false);
try {
  await s.connect(["127.0.0.1", open_port]);
} catch (e) {
  if (!(e instanceof socket.BlockingIOError)) throw e;
  print("connect ->", e.name, e.errno === errno.EINPROGRESS, e);
}
await select([], [s], [], 5);
print("connect_ex once connected ->", errorcode[await s.connect_ex(["127.0.0.1", open_port])] ?? 0);
try {
  await s.connect(["127.0.0.1", open_port]);
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("connect once connected ->", e);
}
s.close();
lsock.close();
