// Port of select_rw.py.
import * as socket from "../../mod.ts";
import * as selectors from "../../selectors.ts";
import { select } from "../../selectors.ts";
import { b as bytes, list, print } from "./_py.ts";

const [a, b] = await socket.socketpair();
const srv = socket.create_server(["127.0.0.1", 0]);
const c = await socket.create_connection(srv.getsockname());
const [conn] = await srv.accept();
for (const [name, [x, y]] of [["socketpair", [a, b]], ["tcp", [c, conn]]] as [string, socket.Socket[]][]) {
  for (let i = 0; i < 3; i++) {
    await x!.sendall(bytes(`ping ${i}`));
    const [r, w, _e] = await select([y!], [y!], [], 5);
    print(name, i, "select: readable", r.includes(y!), "writable", w.includes(y!));
    print(name, i, "recv", await y!.recv(100));
  }
  const sel = new selectors.DefaultSelector();
  sel.register(y!, selectors.EVENT_READ | selectors.EVENT_WRITE);
  for (let i = 0; i < 3; i++) {
    await x!.sendall(bytes(`pong ${i}`));
    const events = await sel.select(5);
    print(name, i, "selector mask", list(events.map(([_key, mask]) => mask)));
    print(name, i, "recv", await y!.recv(100));
  }
  sel.close();
}
for (const s of [a, b, c, conn, srv]) {
  s.close();
}
