// Port of timeouts_server.py.
import * as socket from "../../mod.ts";
import { print } from "./_py.ts";

const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
srv.settimeout(0.2);
let first = true;
let conn!: socket.Socket;
for (let i = 0; i < 200; i++) {
  try {
    [conn] = await srv.accept();
    break;
  } catch (e) {
    if (!(e instanceof socket.timeout)) throw e;
    if (first) {
      print("accept:", e.name, e, e.errno, e instanceof socket.OSError);
      first = false;
    }
  }
}
print("accepted; timeout inherited:", conn.gettimeout(), "blocking", conn.getblocking());
conn.settimeout(0.2);
first = true;
let data: Uint8Array = new Uint8Array(0);
for (let i = 0; i < 200; i++) {
  try {
    data = await conn.recv(100);
    break;
  } catch (e) {
    if (!(e instanceof socket.TimeoutError)) throw e;
    if (first) {
      print("recv:", e);
      first = false;
    }
  }
}
print("data", data);
conn.settimeout(null);
print("rest", await conn.recv(100), await conn.recv(100));
conn.close();
srv.close();
