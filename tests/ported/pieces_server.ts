// Port of pieces_server.py.
import * as socket from "../../mod.ts";
import { b, print, sleep } from "./_py.ts";

const srv = socket.socket();
srv.bind(["127.0.0.1", Number(Deno.args[0])]);
srv.listen();
const [conn] = await srv.accept();
for (let i = 0; i < 10; i++) {
  await conn.sendall(b(String(i).padStart(3, "0") + ".".repeat(97)));
  await sleep(0.05);
}
await conn.sendall(b("the end"));
conn.close();
srv.close();
print("sent 1007");
