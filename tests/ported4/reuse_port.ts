// Port of reuse_port.py (the accept threads become tasks; `counts[name] += 1` needs no lock).
import * as socket from "../../mod.ts";
import { OSError, TimeoutError } from "../../mod.ts";
import { b, bupper, join, print } from "../ported/_py.ts";

const first = socket.create_server(["127.0.0.1", 0]);
let port = first.getsockname()[1] as number;
print("SO_REUSEADDR on create_server:", first.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR));
try {
  socket.create_server(["127.0.0.1", port]);
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print("second listener:", e.constructor.name, e.errno, String(e.message).replaceAll(String(port), "PORT"));
}
const s = socket.socket();
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1);
try {
  s.bind(["127.0.0.1", port]);
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print("bind with SO_REUSEADDR:", e);
}
s.close();
first.close();

const a = socket.create_server(["127.0.0.1", 0], { reuse_port: true });
port = a.getsockname()[1] as number;
const b2 = socket.create_server(["127.0.0.1", port], { reuse_port: true });
print(
  "shared port:",
  b2.getsockname()[1] === port,
  a.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT),
  b2.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT),
);
const counts = { a: 0, b: 0 };

async function serve(name: "a" | "b", listener: socket.Socket) {
  listener.settimeout(0.5);
  while (true) {
    let conn: socket.Socket;
    try {
      [conn] = await listener.accept();
    } catch (e) {
      if (e instanceof TimeoutError) return;
      throw e;
    }
    using _conn = conn;
    counts[name] += 1;
    await conn.sendall(bupper(await conn.recv(100)));
  }
}

const threads = [serve("a", a), serve("b", b2)];
const replies: Uint8Array[] = [];
for (let i = 0; i < 20; i++) {
  using c = await socket.create_connection(["127.0.0.1", port], { timeout: 5 });
  await c.sendall(b(`client ${i}`));
  replies.push(await c.recv(100));
}
for (const t of threads) await join(t, 10);
print("replies:", replies.length, replies[0], replies.at(-1));
print("served:", counts.a + counts.b);
try {
  socket.create_server(["127.0.0.1", port]);
} catch (e) {
  if (!(e instanceof OSError)) throw e;
  print(
    "plain listener while shared:",
    e.constructor.name,
    e.errno,
    String(e.message).replaceAll(String(port), "PORT"),
  );
}
a.close();
b2.close();
const again = socket.create_server(["127.0.0.1", port]);
print("after close, plain listener:", again.getsockname()[1] === port);
again.close();
