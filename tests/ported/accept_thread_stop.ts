// Port of accept_thread_stop.py (the accept thread is a task).
import * as socket from "../../mod.ts";
import { b, join, print, sleep } from "./_py.ts";

const srv = socket.socket();
srv.bind(["127.0.0.1", 0]);
srv.listen();
const accepted: socket.Socket[] = [];

async function accept_loop() {
  while (true) {
    let conn: socket.Socket;
    try {
      [conn] = await srv.accept();
    } catch (e) {
      if (!(e instanceof socket.OSError)) throw e;
      print("accept loop ended:", e.name, e);
      return;
    }
    accepted.push(conn);
  }
}

let alive = true;
const t = accept_loop().finally(() => alive = false);
const clients: socket.Socket[] = [];
for (let i = 0; i < 2; i++) clients.push(await socket.create_connection(srv.getsockname()));
for (const c of clients) {
  await c.sendall(b("x"));
}
for (let i = 0; i < 100; i++) {
  if (accepted.length === 2) {
    break;
  }
  await sleep(0.05);
}
print("accepted", accepted.length);
await srv.shutdown(socket.SHUT_RDWR);
await join(t, 10);
print("thread alive:", alive);
try {
  print(await socket.create_connection(srv.getsockname(), { timeout: 2 }));
} catch (e) {
  if (!(e instanceof socket.OSError)) throw e;
  print("connect after shutdown:", e.name, e);
}
srv.close();
for (const c of [...clients, ...accepted]) {
  c.close();
}
