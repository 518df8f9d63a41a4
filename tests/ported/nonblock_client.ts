// Port of nonblock_client.py.
import * as socket from "../../mod.ts";
import { select } from "../../selectors.ts";
import { b, print, sleep } from "./_py.ts";

const s = socket.socket(socket.AF_INET, socket.SOCK_STREAM);
s.setblocking(false);
const rc = await s.connect_ex(["127.0.0.1", Number(Deno.args[0])]);
print("connect_ex", socket.errorcode[rc] ?? rc);
let [r, w, _x]: socket.Socket[][] = await select([], [s], [], 10); // annotation: select([]) infers never[] (finding T1)
print("writable", w.length === 1 && w[0] === s, "SO_ERROR", s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR));
await sleep(0.2);
await s.send(b("part one "));
await sleep(0.2);
await s.send(b("END"));
let data = b("");
for (let i = 0; i < 200; i++) {
  [r, w, _x] = await select([s], [], [], 0);
  if (r.length) {
    data = await s.recv(100);
    break;
  }
  await sleep(0.05);
}
print("reply", data);
s.close();
