// Port of slow_reader_server.py.
import * as socket from "../../mod.ts";
import { b, print, sleep } from "./_py.ts";

const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
const [conn] = await srv.accept();
await sleep(2); // (1 s: a client started late under load, as in one CI run, began after the reads did)
let total = 0;
while (true) {
  const data = await conn.recv(65536);
  if (!data.length) {
    break;
  }
  total += data.length;
}
print("server read", total);
await conn.sendall(b(`${total}`));
conn.close();
srv.close();
